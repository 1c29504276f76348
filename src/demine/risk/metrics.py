"""How well a ranking of cells finds the contaminated ones, in the terms a planner uses.

- ROC-AUC and PR-AUC (average precision) on labelled cells;
- the capture curve: the share of known positives inside the top k% of the land (cells or area) ranked by risk, the
  ranking taken over *all* cells of the region, labelled or not, because that is the land a survey team would visit;
- false alarms per find: for each positive, how many labelled negatives are ranked above it (ties count half).

Ties are shared fairly: when the k% cut falls inside a run of equal scores, each tied cell counts in proportion, as a
random order among them would on average (a records-only ranking is mostly ties).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

CAPTURE_PERCENTS = (1, 5, 10, 20, 30, 50)


def capture_curve(scores: np.ndarray, positives: np.ndarray, *, weights: np.ndarray | None = None,
                  percents: tuple[float, ...] = CAPTURE_PERCENTS) -> dict[float, float]:
    """Positives (counts per cell, 0/1 or more) found in the top k% of the weight (area) ranked by score."""
    result = _captured(scores, positives, weights, percents)
    total = float(np.sum(positives))
    return {k: (found / total if total else float("nan")) for k, found in result.items()}


def _captured(scores: np.ndarray, positives: np.ndarray, weights: np.ndarray | None,
              percents: tuple[float, ...]) -> dict[float, float]:
    scores = np.asarray(scores, dtype=float)
    positives = np.asarray(positives, dtype=float)
    weights = np.ones_like(scores) if weights is None else np.asarray(weights, dtype=float)
    if len(scores) == 0:
        return {k: 0.0 for k in percents}
    # Runs of equal score, best first: unknown scores (NaN) come last.
    keyed = np.where(np.isnan(scores), -np.inf, scores)
    levels, inverse = np.unique(-keyed, return_inverse=True)
    run_weight = np.bincount(inverse, weights=weights, minlength=len(levels))
    run_positive = np.bincount(inverse, weights=positives, minlength=len(levels))
    cum_weight = np.cumsum(run_weight)
    cum_positive = np.cumsum(run_positive)
    total = cum_weight[-1]
    out: dict[float, float] = {}
    for k in percents:
        budget = total * k / 100.0
        i = int(np.searchsorted(cum_weight, budget, side="left"))
        if i >= len(levels):
            out[k] = float(cum_positive[-1])
            continue
        before_w = cum_weight[i - 1] if i else 0.0
        before_p = cum_positive[i - 1] if i else 0.0
        share = (budget - before_w) / run_weight[i] if run_weight[i] > 0 else 0.0
        out[k] = float(before_p + share * run_positive[i])
    return out


def false_alarms_per_positive(scores: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
    """Sum over labelled positives of the negatives ranked above them (ties half), and the number of positives."""
    labelled = ~np.isnan(labels)
    s = np.where(np.isnan(scores), -np.inf, scores)[labelled]
    y = labels[labelled]
    negatives = np.sort(s[y == 0])
    pos = s[y == 1]
    above = len(negatives) - np.searchsorted(negatives, pos, side="right")
    tied = np.searchsorted(negatives, pos, side="right") - np.searchsorted(negatives, pos, side="left")
    return float(np.sum(above + 0.5 * tied)), int(len(pos))


def ranking_scores(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """ROC-AUC and PR-AUC over the labelled cells (NaN when one class is absent)."""
    labelled = ~np.isnan(labels)
    y = labels[labelled]
    s = np.where(np.isnan(scores), -np.inf, scores)[labelled]
    s = np.where(np.isinf(s), np.nanmin(s[np.isfinite(s)]) - 1 if np.isfinite(s).any() else 0.0, s)
    if len(np.unique(y)) < 2:
        return {"roc_auc": float("nan"), "pr_auc": float("nan")}
    return {"roc_auc": float(roc_auc_score(y, s)), "pr_auc": float(average_precision_score(y, s))}


def brier(probabilities: np.ndarray, labels: np.ndarray) -> float:
    labelled = ~np.isnan(labels) & ~np.isnan(probabilities)
    return float(np.mean((probabilities[labelled] - labels[labelled]) ** 2)) if labelled.any() else float("nan")
