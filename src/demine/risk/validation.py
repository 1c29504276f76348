"""Spatial cross-validation: whole groups of cells (municipalities, districts, grid blocks) are left out together.

Random rows are never held out: neighbouring cells share their mines, so a random split rewards memorising the map.
With few groups each is its own fold (leave-one-group-out); with many, groups are dealt into ten folds balanced by
their labelled cells. The model's probabilities for a fold are calibrated by a Platt map fitted on the out-of-fold
scores of the *other* folds only, so the left-out region's labels touch neither its trees nor its calibration.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from demine.risk import metrics
from demine.risk.baselines import Ranker
from demine.risk.model import Platt, fit_booster, threads_for

LEAVE_ONE_OUT_UP_TO = 30
BLOCK_FOLDS = 10
SAMPLE_SEED = 7321


def spatial_folds(groups: np.ndarray, labels: np.ndarray, *, max_groups_left_out_alone: int = LEAVE_ONE_OUT_UP_TO,
                  n_folds: int = BLOCK_FOLDS) -> np.ndarray:
    """A fold number per cell; every cell of a group shares its fold."""
    names, inverse = np.unique(groups, return_inverse=True)
    if len(names) <= max_groups_left_out_alone:
        return inverse
    labelled = np.bincount(inverse, weights=~np.isnan(labels), minlength=len(names))
    load = np.zeros(n_folds)
    fold_of_group = np.empty(len(names), dtype=int)
    for g in np.lexsort((names, -labelled)):  # biggest first into the lightest fold: deterministic and balanced
        fold_of_group[g] = int(np.argmin(load))
        load[fold_of_group[g]] += labelled[g]
    return fold_of_group[inverse]


class BoosterRanker:
    name = "LightGBM"
    probabilistic = True

    def __init__(self, monotone: list[int], names: list[str], *, large: bool | None = None) -> None:
        self.monotone = monotone
        self.names = names
        self.large = large  # the national table's settings even on a sample of it (model.booster_params)

    def fit(self, matrix: np.ndarray, labels: np.ndarray) -> BoosterRanker:
        self._booster = fit_booster(matrix, labels, self.monotone, self.names, large=self.large)
        return self

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return self._booster.predict(matrix, raw_score=True, num_threads=threads_for(len(matrix)))


@dataclass
class Evaluation:
    """Out-of-fold scores of every ranker and their figures; the model first."""

    folds: np.ndarray
    fold_names: list[str]
    scores: dict[str, np.ndarray]
    figures: dict[str, dict[str, float]] = field(default_factory=dict)
    skipped_folds: list[str] = field(default_factory=list)


def out_of_fold(ranker: Ranker, matrix: np.ndarray, labels: np.ndarray, folds: np.ndarray,
                skipped: list[int], *, max_train_rows: int | None = None) -> np.ndarray:
    """Each fold scored by a ranker fitted on the other folds' labelled cells (at most `max_train_rows` of them, a
    seeded uniform sample, when given: enough for scores that only calibrate)."""
    scores = np.full(len(labels), np.nan)
    labelled = ~np.isnan(labels)
    for f in np.unique(folds):
        train = labelled & (folds != f)
        if len(np.unique(labels[train])) < 2:
            skipped.append(int(f))
            continue
        if max_train_rows is not None and train.sum() > max_train_rows:
            chosen = np.random.default_rng(SAMPLE_SEED + int(f)).choice(np.flatnonzero(train), max_train_rows,
                                                                       replace=False)
            train = np.zeros(len(labels), dtype=bool)
            train[chosen] = True
        ranker.fit(matrix[train], labels[train])
        test = folds == f
        scores[test] = ranker.score(matrix[test])
    return scores


def calibrate_by_fold(raw: np.ndarray, labels: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Each fold's probabilities from a Platt map fitted on the other folds' out-of-fold scores."""
    probability = np.full(len(raw), np.nan)
    for f in np.unique(folds):
        others = folds != f
        platt = Platt.fit(raw[others], labels[others])
        probability[folds == f] = platt(raw[folds == f])
    return probability


def evaluate(labels: np.ndarray, groups: np.ndarray, rankers: list[tuple[Ranker, np.ndarray]], *,
             weights: np.ndarray | None = None) -> Evaluation:
    """Every ranker (with the feature matrix it reads) on the same spatial folds."""
    folds = spatial_folds(groups, labels)
    fold_names = _fold_names(groups, folds)
    scores: dict[str, np.ndarray] = {}
    skipped: list[int] = []
    for ranker, matrix in rankers:
        raw = out_of_fold(ranker, matrix, labels, folds, skipped)
        scores[ranker.name] = calibrate_by_fold(raw, labels, folds) if isinstance(ranker, BoosterRanker) else raw
    evaluation = Evaluation(folds, fold_names, scores,
                            skipped_folds=sorted({fold_names[f] for f in skipped}))
    probabilistic = {r.name for r, _ in rankers if r.probabilistic}
    for name, s in scores.items():
        evaluation.figures[name] = summarise(s, labels, folds, weights=weights, probabilistic=name in probabilistic)
    return evaluation


def summarise(scores: np.ndarray, labels: np.ndarray, folds: np.ndarray, *, weights: np.ndarray | None,
              probabilistic: bool) -> dict[str, float]:
    figures = metrics.ranking_scores(scores, labels)
    per_fold_auc = []
    captured = {k: 0.0 for k in metrics.CAPTURE_PERCENTS}
    positives = 0.0
    alarms, n_pos = 0.0, 0
    for f in np.unique(folds):
        here = folds == f
        y = labels[here]
        s = scores[here]
        if np.all(np.isnan(s)):
            continue
        if len(np.unique(y[~np.isnan(y)])) == 2:
            per_fold_auc.append(metrics.ranking_scores(s, y)["roc_auc"])
        found = metrics._captured(s, (y == 1).astype(float), None if weights is None else weights[here],
                                  metrics.CAPTURE_PERCENTS)
        for k in captured:
            captured[k] += found[k]
        positives += float(np.sum(y == 1))
        a, n = metrics.false_alarms_per_positive(s, y)
        alarms += a
        n_pos += n
    figures["roc_auc_mean_by_fold"] = float(np.mean(per_fold_auc)) if per_fold_auc else float("nan")
    for k, found in captured.items():
        figures[f"capture_{k}"] = found / positives if positives else float("nan")
    figures["false_alarms_per_positive"] = alarms / n_pos if n_pos else float("nan")
    figures["brier"] = metrics.brier(scores, labels) if probabilistic else float("nan")
    return figures


def _fold_names(groups: np.ndarray, folds: np.ndarray) -> list[str]:
    names = []
    for f in range(int(folds.max()) + 1):
        members = sorted(set(groups[folds == f].tolist()))
        names.append(members[0] if len(members) == 1 else f"block {f + 1} ({len(members)} groups)")
    return names
