"""The risk model on the RELand Antioquia grid, leaving one municipality out: Demine's settings against variants.

    .venv/bin/python bench/risk_antioquia.py [--cells PATH] [--json OUT]

Same folds for every row of the table (leave-one-municipality-out, 19 folds). Variants:
  demine                       `demine risk evaluate` as shipped (regularised LightGBM, Platt on grouped OOF scores)
  demine, no municipal counts  the same without the 17 victimisation counts that are one value per municipality:
                               with 19 municipalities such a column is close to a municipality's name
  LightGBM defaults            lgb.train with LightGBM's default parameters (31 leaves, 100 rounds, no L2), same folds
  logistic regression          the baseline evaluate reports

The point is robustness to an unseen municipality, not the best score: read 'AUC by fold' (each left-out municipality
ranked on its own) and the capture columns beside the pooled ROC-AUC.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import pandas as pd  # noqa: E402

from demine.risk.baselines import LogisticBaseline  # noqa: E402
from demine.risk.generic import Options, prepare  # noqa: E402
from demine.risk.validation import BoosterRanker, calibrate_by_fold, out_of_fold, spatial_folds, summarise  # noqa: E402

DEFAULT_CELLS = Path(__file__).resolve().parents[2] / "shared" / "data" / "colombia-reland" / "antioquia_grid.csv"


class LightGBMDefaults:
    name = "LightGBM defaults"
    probabilistic = True

    def fit(self, matrix, labels):  # type: ignore[no-untyped-def]
        import lightgbm as lgb

        self._booster = lgb.train({"objective": "binary", "verbose": -1, "num_threads": 1, "seed": 1},
                                  lgb.Dataset(matrix, labels))
        return self

    def score(self, matrix):  # type: ignore[no-untyped-def]
        return self._booster.predict(matrix, raw_score=True)


def municipal_constants(path: Path) -> list[str]:
    grid = pd.read_csv(path)
    numeric = grid.select_dtypes("number").columns.drop("mines_outcome")
    per_group = grid.groupby("Municipio")[list(numeric)].nunique().max()
    return [c for c in numeric if per_group[c] == 1]


def run(path: Path) -> dict[str, dict[str, float]]:
    constants = municipal_constants(path)
    variants = {
        "demine": (Options("mines_outcome", "Municipio"), None),
        "demine, no municipal counts": (Options("mines_outcome", "Municipio", exclude=tuple(constants)), None),
        "LightGBM defaults": (Options("mines_outcome", "Municipio"), LightGBMDefaults()),
        "logistic regression": (Options("mines_outcome", "Municipio"), LogisticBaseline()),
    }
    results: dict[str, dict[str, float]] = {}
    for name, (options, ranker) in variants.items():
        start = time.perf_counter()
        prepared = prepare(path, options)
        labels = prepared.labels
        folds = spatial_folds(prepared.groups, labels)
        ranker = ranker or BoosterRanker([0] * len(prepared.spec.names), prepared.spec.names)
        raw = out_of_fold(ranker, prepared.encoded.matrix, labels, folds, [])
        scores = raw if isinstance(ranker, LogisticBaseline) else calibrate_by_fold(raw, labels, folds)
        results[name] = summarise(scores, labels, folds, weights=None, probabilistic=True)
        results[name]["features"] = len(prepared.spec.names)
        results[name]["seconds"] = time.perf_counter() - start
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=Path, default=DEFAULT_CELLS)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results = run(args.cells)
    print(f"{args.cells}: leave-one-municipality-out; load average {os.getloadavg()[0]:.1f}")
    print("| variant | features | ROC-AUC | AUC by fold | PR-AUC | top 10% | top 20% | top 30% | false alarms/find "
          "| Brier | s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, f in results.items():
        print(f"| {name} | {f['features']} | {f['roc_auc']:.3f} | {f['roc_auc_mean_by_fold']:.3f} | {f['pr_auc']:.3f} "
              f"| {f['capture_10']:.3f} | {f['capture_20']:.3f} | {f['capture_30']:.3f} "
              f"| {f['false_alarms_per_positive']:.1f} | {f['brier']:.3f} | {f['seconds']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
