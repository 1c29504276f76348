"""The risk model: LightGBM, kept small and constrained so that it carries over to a region it never saw, with a Platt
map from its score to a probability.

Why these settings: shallow trees, few leaves, a large minimum leaf, L2 and row/column subsampling make a smooth ranking
that leans on broad patterns rather than on the quirks of the training municipalities; monotone constraints encode what
the field knows (risk does not grow with distance from a past find or from the line of contact). Probabilities come
from a two-parameter logistic (Platt) map fitted on out-of-fold scores grouped by region, never on the rows a tree saw.

Saved as one JSON file: LightGBM's own text model plus the features, constraints, calibration and provenance; no pickle,
so a model file can be read, diffed and loaded by any LightGBM.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from demine.errors import DemineError, NotFound
from demine.risk.encoding import FeatureSpec

MODEL_FORMAT = "demine-risk-model"
MODEL_VERSION = 1
THREADS = 2  # the machines this runs on are small and shared
# Below this many rows a second OpenMP thread costs more in waiting than it gains (measured 7x slower on a busy
# 2-core machine for 4,500 rows), so small fits run on one thread.
ONE_THREAD_BELOW = 200_000
ROUNDS = 300
BAGGED_ROWS = 250_000
LARGE_TABLE = 300_000  # labelled cells above which the cheaper settings apply
SEED = 20240607


def booster_params(n_rows: int, monotone: list[int], *, large: bool | None = None) -> dict[str, object]:
    """`large`: the national table's settings (default: when `n_rows` exceeds LARGE_TABLE); a sample drawn from such a
    table takes them too, or fitting the sample would cost more than fitting the whole."""
    large = n_rows > LARGE_TABLE if large is None else large
    params: dict[str, object] = {
        "objective": "binary", "learning_rate": 0.1 if large else 0.05, "num_leaves": 15, "max_depth": 5,
        # A leaf must stand for a fair share of the land, so no leaf describes one village.
        "min_data_in_leaf": max(20, n_rows // 200), "lambda_l2": 10.0, "min_gain_to_split": 0.0,
        # Each tree sees at most BAGGED_ROWS rows: on a national table the trees stay as good and cost a fraction.
        "feature_fraction": 0.7, "bagging_fraction": min(0.8, BAGGED_ROWS / max(n_rows, 1)), "bagging_freq": 1,
        "max_bin": 63,
        "num_threads": threads_for(n_rows),
        "seed": SEED, "deterministic": True, "force_row_wise": True, "verbose": -1,
    }
    if any(monotone):
        params["monotone_constraints"] = monotone
        # "advanced" constrains least but costs about twice "basic" (measured: 55 s against 28 s CPU for 300 rounds on
        # 300,000 rows); both keep the constraint exactly, so national tables take the cheaper one.
        params["monotone_constraints_method"] = "basic" if large else "advanced"
    return params


def threads_for(n_rows: int) -> int:
    return 1 if n_rows < ONE_THREAD_BELOW else min(THREADS, int(os.environ.get("OMP_NUM_THREADS", THREADS)))


def lightgbm():  # type: ignore[no-untyped-def]
    """LightGBM, its OpenMP threads told to sleep rather than spin while they wait (unless the user chose).

    OpenMP's default keeps a waiting thread spinning; on a machine whose cores are busy with other work the spinning
    thread takes the very core its partner needs. Measured on the shared 2-core machine (load 5), 150 rounds on
    250,000 rows with two threads: 38.6 s wall and 17.7 s CPU spinning, 8.4 s and 3.9 s waiting passively (one
    thread: 7.9 s and 3.9 s). libgomp reads the variable when it is loaded, so it is set before the first import.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import lightgbm as lgb

    return lgb


def fit_booster(matrix: np.ndarray, labels: np.ndarray, monotone: list[int], names: list[str], *,  # type: ignore[no-untyped-def]
                large: bool | None = None):
    lgb = lightgbm()

    data = lgb.Dataset(matrix, label=labels, feature_name=_safe_names(names), free_raw_data=True,
                       params={"max_bin": 63, "verbose": -1})
    # A national table takes half the rounds at twice the rate: the same shrinkage budget (rounds x rate) in half
    # the time, at a small cost in smoothness.
    large = len(labels) > LARGE_TABLE if large is None else large
    rounds = ROUNDS // 2 if large else ROUNDS
    return lgb.train(booster_params(len(labels), monotone, large=large), data, num_boost_round=rounds)


def _safe_names(names: list[str]) -> list[str]:
    # LightGBM refuses some characters in feature names (JSON specials); the spec keeps the real names.
    return [f"f{i}" for i in range(len(names))]


@dataclass
class Platt:
    """probability = 1 / (1 + exp(-(slope * score + intercept)))."""

    slope: float = 1.0
    intercept: float = 0.0

    @classmethod
    def fit(cls, scores: np.ndarray, labels: np.ndarray) -> Platt:
        from sklearn.linear_model import LogisticRegression

        keep = ~np.isnan(labels) & ~np.isnan(scores)
        y = labels[keep]
        if len(np.unique(y)) < 2:
            return cls()
        fitted = LogisticRegression(C=1e4, max_iter=1000).fit(scores[keep].reshape(-1, 1), y)
        return cls(float(fitted.coef_[0, 0]), float(fitted.intercept_[0]))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.slope * scores + self.intercept)))


@dataclass
class RiskModel:
    booster: object
    spec: FeatureSpec
    monotone: dict[str, int]
    calibration: Platt
    metadata: dict[str, object] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        return self.spec.names

    def score(self, matrix: np.ndarray) -> np.ndarray:
        """The raw margin (log-odds before calibration): what ranks the cells."""
        return self._predict(matrix, raw_score=True)

    def _predict(self, matrix: np.ndarray, **options) -> np.ndarray:  # type: ignore[no-untyped-def]
        from demine.risk.distinct_rows import predict_distinct, split_thresholds

        if not hasattr(self, "_thresholds"):
            self._thresholds = split_thresholds(self.booster)
        return predict_distinct(self.booster, matrix, self._thresholds, num_threads=threads_for(len(matrix)),
                                **options)

    def probability(self, matrix: np.ndarray) -> np.ndarray:
        return self.calibration(self.score(matrix))

    def contributions(self, matrix: np.ndarray) -> np.ndarray:
        """Per cell and feature, the log-odds each feature added (last column: the base value)."""
        return self._predict(matrix, pred_contrib=True)

    def save(self, path: Path | str) -> Path:
        path = Path(path)
        document = {
            "format": MODEL_FORMAT, "version": MODEL_VERSION,
            "features": self.spec.names, "encoding": self.spec.to_json(), "monotone": self.monotone,
            "calibration": {"method": "platt", "slope": self.calibration.slope,
                            "intercept": self.calibration.intercept},
            "metadata": self.metadata,
            "lightgbm_model": self.booster.model_to_string(),  # type: ignore[attr-defined]
        }
        tmp = path.with_name(path.name + ".partial")
        tmp.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path | str) -> RiskModel:
        lgb = lightgbm()

        path = Path(path)
        if not path.exists():
            raise NotFound(f"{path}: no such model file (make one with `demine risk train`)")
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise DemineError(f"{path}: not a Demine risk model (not JSON: {error})") from error
        if not isinstance(document, dict) or document.get("format") != MODEL_FORMAT:
            raise DemineError(f"{path}: not a Demine risk model (no '{MODEL_FORMAT}' format marker)")
        if int(document.get("version", 0)) > MODEL_VERSION:
            raise DemineError(f"{path}: risk model version {document['version']} is newer than this Demine reads "
                              f"({MODEL_VERSION}); upgrade Demine")
        booster = lgb.Booster(model_str=document["lightgbm_model"])
        calibration = document["calibration"]
        return cls(booster, FeatureSpec.from_json(document["encoding"]), dict(document["monotone"]),
                   Platt(float(calibration["slope"]), float(calibration["intercept"])), dict(document["metadata"]))


def monotone_vector(names: list[str], directions: dict[str, int]) -> list[int]:
    """LightGBM's per-feature constraint: +1 risk never falls as the feature grows, -1 never rises, 0 free."""
    return [int(directions.get(name, 0)) for name in names]
