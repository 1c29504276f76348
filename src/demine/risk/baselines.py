"""The yardsticks the model is judged against, each scored on exactly the same folds.

A model earns its place only if it beats what an analyst would do without it: a logistic regression on the same
features, or ranking the land by one column (distance to past finds, distance to the line of contact, whether a record
covers the cell). A single-column ranking takes its direction (small values riskier or large ones) from the training
folds only, so it never peeks at the left-out region.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sklearn.metrics import roc_auc_score


class Ranker(Protocol):
    name: str
    probabilistic: bool

    def fit(self, matrix: np.ndarray, labels: np.ndarray) -> Ranker: ...

    def score(self, matrix: np.ndarray) -> np.ndarray: ...


@dataclass
class LogisticBaseline:
    """Standardised features (unknowns at the training median, with a missing-value flag), L2 logistic regression."""

    name: str = "logistic regression"
    probabilistic: bool = True

    def fit(self, matrix: np.ndarray, labels: np.ndarray) -> LogisticBaseline:
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        usable = ~np.all(np.isnan(matrix), axis=0)  # a column unknown everywhere in training carries nothing
        self._columns = np.flatnonzero(usable)
        self._pipeline = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler(),
                                       LogisticRegression(C=1.0, max_iter=2000))
        self._pipeline.fit(matrix[:, self._columns], labels)
        return self

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return self._pipeline.predict_proba(matrix[:, self._columns])[:, 1]


@dataclass
class ColumnRanking:
    """Rank cells by one column; unknown values rank last."""

    column: int
    name: str
    direction: int | None = None  # +1 larger is riskier, -1 smaller is riskier; None = learn from training folds
    probabilistic: bool = False

    def fit(self, matrix: np.ndarray, labels: np.ndarray) -> ColumnRanking:
        if self.direction is not None:
            self._sign = self.direction
            return self
        values = matrix[:, self.column]
        known = ~np.isnan(values)
        if known.sum() and len(np.unique(labels[known])) == 2:
            self._sign = 1 if roc_auc_score(labels[known], values[known]) >= 0.5 else -1
        else:
            self._sign = 1
        return self

    def score(self, matrix: np.ndarray) -> np.ndarray:
        return self._sign * matrix[:, self.column].astype(float)
