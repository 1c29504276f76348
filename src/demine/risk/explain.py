"""Why a cell ranks high: the features that added most to its log-odds (LightGBM's exact tree contributions)."""

from __future__ import annotations

import numpy as np


def top_contributions(model, matrix: np.ndarray, *, top: int = 3, chunk: int = 200_000) -> list[str]:  # type: ignore[no-untyped-def]
    """For each cell, 'feature (+0.42); feature (-0.10)' for its `top` largest contributions by size."""
    names = model.features
    out: list[str] = []
    for start in range(0, len(matrix), chunk):  # contributions are cells x features: bounded memory
        contrib = np.asarray(model.contributions(matrix[start:start + chunk]))[:, :-1]
        order = np.argsort(-np.abs(contrib), axis=1)[:, :top]
        for row, columns in enumerate(order):
            out.append("; ".join(f"{names[j]} ({contrib[row, j]:+.2f})" for j in columns if contrib[row, j] != 0))
    return out
