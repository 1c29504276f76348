"""One peak of the vote refined and scored in one compiled call (fit._refine).

The refinement (kernels.refine) and the scoring (kernels.score_peak) were compiled before, but between and around
them some fifteen numpy calls a peak (the turn's cosine and sine, the pairs' residual, the counts) cost a fifth of a
millisecond a record at five peaks (bench/records_time_split.py; docs/records-verification-speed.md, eleventh
sitting). Here they are the same arithmetic: the cosine and sine of the turn as numpy takes them (numba's are the
same functions), and the residual's mean with numpy's own order of summation (pairwise_sum, below), so that every
fit and score is the same to the bit (tests/analysis/records/test_peak_refinement.py).
"""

from __future__ import annotations

import numba
import numpy as np

from demine.analysis.records.kernels import refine, score_peak

# What refine_and_score found: a scored fit; no fit (turned farther than a reference-point error goes); or a query
# beyond the record's surroundings, in the iterations or in the scoring, which the caller answers on the wider indexes.
SCORED, TURNED, ITERATIONS_UNANSWERED, SCORE_UNANSWERED = 0, 1, 2, 3


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """numpy's sum of up to 128 values: one by one below 8, else eight accumulators, then the rest one by one."""
    if n < 8:
        total = 0.0
        for i in range(lo, lo + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        total += a[lo + i]
        i += 1
    return total


@numba.njit(cache=True, nogil=True, error_model="numpy")
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """The sum of a[lo:lo + n] as numpy sums a float64 array (its pairwise_sum: blocks of up to 128 values, larger
    runs split in halves of whole eights, each half summed alike and the two added), so that np.mean's result is
    matched to the bit. The halves are walked with a stack, not by recursion (numba's cache breaks a recursive
    function called from another compiled one)."""
    if n <= 128:
        return _block_sum(a, lo, n)
    node_lo = np.empty(128, np.int64)
    node_n = np.empty(128, np.int64)
    node_split = np.zeros(128, np.bool_)  # its halves summed: add them
    sums = np.empty(128)
    top, held = 1, 0
    node_lo[0], node_n[0] = lo, n
    while top:
        top -= 1
        at, size = node_lo[top], node_n[top]
        if size <= 128:
            sums[held] = _block_sum(a, at, size)
            held += 1
        elif node_split[top]:
            sums[held - 2] = sums[held - 2] + sums[held - 1]
            held -= 1
        else:
            half = size // 2
            half -= half % 8
            node_split[top] = True  # back to it after both halves, the first half's sum below the second's
            node_lo[top + 1], node_n[top + 1], node_split[top + 1] = at + half, size - half, False
            node_lo[top + 2], node_n[top + 2], node_split[top + 2] = at, half, False
            top += 3
    return sums[0]


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
