"""One peak of the vote refined and scored in one compiled call (fit._refine).

The refinement (kernels.refine) and the scoring (kernels.score_peak) were compiled before, but between and around
them some fifteen numpy calls a peak (the turn's cosine and sine, the pairs' residual, the counts) cost a fifth of a
millisecond a record at five peaks (bench/records_time_split.py; docs/records-verification-speed.md, eleventh
sitting). Here they are the same arithmetic: the cosine and sine of the turn as numpy takes them (numba's are the
same functions), and the residual's mean with numpy's own order of summation (summation.pairwise_sum), so that every
fit and score is the same to the bit (tests/analysis/records/test_peak_refinement.py).
"""

from __future__ import annotations

import numba
import numpy as np

from demine.analysis.records.kernels import refine, score_peak
from demine.analysis.records.summation import pairwise_sum

# What refine_and_score found: a scored fit; no fit (turned farther than a reference-point error goes); or a query
# beyond the record's surroundings, in the iterations or in the scoring, which the caller answers on the wider indexes.
SCORED, TURNED, ITERATIONS_UNANSWERED, SCORE_UNANSWERED = 0, 1, 2, 3


@numba.njit(cache=True, nogil=True, error_model="numpy")
def rms_of_pairs(index: np.ndarray, distance: np.ndarray) -> tuple[int, float]:
    """(pairs, root mean square distance of the pairs) of a one-to-one pairing (index -1: none; NaN without a
    pair): float(np.sqrt(np.mean(distance[index >= 0] ** 2))), to the bit."""
    squares = np.empty(len(index))
    m = 0
    for i in range(len(index)):
        if index[i] >= 0:
            squares[m] = distance[i] * distance[i]
            m += 1
    if m == 0:
        return 0, np.nan
    return m, np.sqrt(pairwise_sum(squares, 0, m) / m)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def refine_and_score(sx: np.ndarray, sy: np.ndarray, s_at: np.ndarray, ax: np.ndarray, ay: np.ndarray,
                     a_at: np.ndarray, cx: float, cy: float, rotation: float, dx: float, dy: float, x: np.ndarray,
                     y: np.ndarray, order: np.ndarray, starts: np.ndarray, minx: float, miny: float, cell: float,
                     nx: int, ny: int, window: np.ndarray, iterations: int, min_pairs: int, fit_radius: float,
                     converged: float, reach: float, max_rotation: float, k: int, hits: np.ndarray, xs: np.ndarray,
                     ys: np.ndarray, ring_starts: np.ndarray, geom_rings: np.ndarray, bounds: np.ndarray,
                     box: np.ndarray) -> tuple[int, float, float, float, bool, int, int, float]:
    """fit._refine from one peak on a record's grid and worked land: (status, rotation, dx, dy, every recorded mine
    used, pairs, pairs on worked land, residual). The iterations as kernels.refine; then, unless the fit turned
    farther than max_rotation, the sample (or every mine) moved by it, paired one to one within fit_radius and
    counted on worked land as kernels.score_peak. A status other than SCORED leaves the rest to the caller."""
    rotation, dx, dy, use_all, answered = refine(sx, sy, s_at, ax, ay, a_at, cx, cy, rotation, dx, dy, x, y, order,
                                                 starts, minx, miny, cell, nx, ny, window, iterations, min_pairs,
                                                 fit_radius, converged, reach)
    if not answered:
        return ITERATIONS_UNANSWERED, rotation, dx, dy, use_all, 0, 0, np.nan
    if abs(rotation) > max_rotation:
        return TURNED, rotation, dx, dy, use_all, 0, 0, np.nan
    px, py, p_at = (ax, ay, a_at) if use_all else (sx, sy, s_at)
    t = np.radians(-rotation)
    index, distance, on_worked, scored = score_peak(px, py, p_at, np.cos(t), np.sin(t), cx, cy, dx, dy, fit_radius,
                                                    k, x, y, order, starts, minx, miny, cell, nx, ny, window, hits,
                                                    xs, ys, ring_starts, geom_rings, bounds, box)
    if not scored:
        return SCORE_UNANSWERED, rotation, dx, dy, use_all, 0, 0, np.nan
    pairs, residual = rms_of_pairs(index, distance)
    return SCORED, rotation, dx, dy, use_all, pairs, on_worked, residual
