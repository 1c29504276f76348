"""The translation vote of the fit (fit.py, step 1): where, for a few trial rotations, the (recorded, found) pairs
of a record agree on one offset. Rows repeat every spacing, but rows of different spacings (AP and AT) only agree
at the true offset, so the strongest peaks are the candidates the fit refines."""

from __future__ import annotations

import functools

import numpy as np

from demine.analysis.records import peaks
from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import rotate

VOTE_BIN_M = 4.0  # coarse enough that a 1-2° compass error does not split the peak over a short field
TRIAL_ROTATIONS_DEG = np.arange(-6.0, 6.01, 3.0)  # compass and grid/true north errors seen on forms
# The vote's samples, the bins it keeps and the peaks refined (with fit.py's iterations and search.py's cell) bound a
# record's work; they were set lower in the fifteenth sitting to meet issue 5's 30 s (records-verification-speed.md):
# the six together, 16% less CPU a record, for 95.9% instead of 96.2% of the dense 10,000 records' classes right and
# 95.3% instead of 95.7% on seeds 1-3 (bench/records_costs.py shows each one's share).
MAX_VOTING_MINES = 80  # recorded mines sampled for the vote (evenly along the record): cost, not accuracy
MAX_VOTING_FOUND = 1000  # found mines sampled likewise: the true peak keeps its lead, the cost stays bounded
PEAKS_REFINED = 3
VOTE_CANDIDATES = 32  # best bins kept per trial rotation before distinct peaks are chosen
PLATEAU_SHARE = 0.9  # peaks with this share of the strongest vote are tied with it...
PLATEAU_ENDS = 2  # ...and this many of them, the farthest apart, are refined besides it
PEAK_SEPARATION_M = VOTE_BIN_M  # peaks in neighbouring bins are one peak; farther, they may be a slide of one
# spacing along the rows (3-12 m), which must stay apart so that the true offset is refined too
# The outer trial rotation is asked only when the best bin at ±3° has this many times 0°'s best votes: where no field
# is found the strongest bin is noise and lies at ±3° two times in three, a hair above 0°'s (68% of the votes asked
# the outer trial without this margin, 13% with it, at 10,000 records; docs/records-verification.md).
OUTER_TRIAL_MARGIN = 1.25
# The cosine and sine of each trial rotation, taken one rotation at a time as geometry.rotate takes them, so that
# every turned position is the same to the bit.
_TRIAL_COS = np.array([np.cos(np.radians(-float(rotation))) for rotation in TRIAL_ROTATIONS_DEG])
_TRIAL_SIN = np.array([np.sin(np.radians(-float(rotation))) for rotation in TRIAL_ROTATIONS_DEG])


@functools.lru_cache(maxsize=4096)
def evenly(n: int, most: int) -> np.ndarray:
    """Up to `most` indices of n, taken evenly from first to last (all of them when n is no larger); read-only.

    Kept per (n, most): a record asks for three samples, and records share their sizes (0.28 ms a record uncached).
    """
    picked = np.unique(np.linspace(0, n - 1, min(n, most)).astype(np.int64))
    picked.setflags(write=False)
    return picked


def _sample(rec_x: np.ndarray, found: FoundMines, candidates: np.ndarray,
            max_shift_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """What both votes read: the recorded mines sampled, the found mines sampled (x, y, is AT), and the grid's
    half-width and side in bins (one empty bin on each edge, so that the 3 × 3 sums need no bounds checks)."""
    pick = evenly(len(rec_x), MAX_VOTING_MINES)
    if len(candidates) > MAX_VOTING_FOUND:
        candidates = candidates[np.linspace(0, len(candidates) - 1, MAX_VOTING_FOUND).astype(np.int64)]
    half = int(np.ceil(max_shift_m / VOTE_BIN_M))
    return pick, found.x[candidates], found.y[candidates], found.is_at[candidates], half, 2 * half + 2


def translation_peaks(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines,
                      candidates: np.ndarray, cx: float, cy: float,
                      max_shift_m: float) -> list[tuple[float, float, float]]:
    """The strongest translation peaks over the trial rotations, as (rotation, dx, dy), distinct by PEAK_SEPARATION_M.

    Per rotation one histogram (np.bincount on a fixed grid of VOTE_BIN_M bins over ±max_shift_m) of every
    (recorded, found) pair of the same category, AP with AP and AT with AT, then each bin summed with its 8
    neighbours so that a peak split over a bin edge is not lost.

    The rotations are tried outward from 0: the inner three (-3°, 0°, +3°), then the outer one (±6°) only on the side
    whose rotation gave the strongest bin, and only when that bin beats 0°'s best by OUTER_TRIAL_MARGIN. A compass
    error of 4.5-7.5° leaves the mines within some 115 m of the record's centre inside the peak's 12 m (3 × 3 bins)
    at ±3° on its side, but only those within 57 m at 0°, so the strongest bin lies on its side, well above 0°'s;
    the outer trials cost two fifths of every record's vote otherwise (docs/records-verification-speed.md).
    """
    pick, fx, fy, f_at, half, _ = _sample(rec_x, found, candidates, max_shift_m)
    # Every rotation's pairs binned and summed, the outer trial's test and the choice of the peaks in one compiled
    # call (peaks.vote_peaks: the arithmetic of translation_peaks_numpy, term by term).
    rotation, dx, dy = peaks.vote_peaks(rec_x[pick], rec_y[pick], rec_is_at[pick], fx, fy, f_at, cx, cy,
                                        TRIAL_ROTATIONS_DEG, _TRIAL_COS, _TRIAL_SIN, VOTE_BIN_M, half,
                                        VOTE_CANDIDATES, OUTER_TRIAL_MARGIN, PLATEAU_SHARE, PLATEAU_ENDS,
                                        PEAKS_REFINED, PEAK_SEPARATION_M + 1e-6)
    return list(zip(rotation.tolist(), dx.tolist(), dy.tolist()))


def translation_peaks_numpy(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines,
                            candidates: np.ndarray, cx: float, cy: float,
                            max_shift_m: float) -> list[tuple[float, float, float]]:
    """The vote in numpy, one histogram per rotation: the reference kernels.vote is tested against."""
    pick, fx, fy, f_at, half, side = _sample(rec_x, found, candidates, max_shift_m)
    by_category = [(rec_is_at[pick] == flag, f_at == flag) for flag in (False, True)]
    found_of = [(fx[f] / VOTE_BIN_M, fy[f] / VOTE_BIN_M) for _, f in by_category]

    def vote_at(rotation: float) -> list[tuple[float, float, float, float]]:
        scored: list[tuple[float, float, float, float]] = []
        rx, ry = rotate(rec_x[pick], rec_y[pick], float(rotation), cx, cy)
        rx, ry = rx / VOTE_BIN_M - half - 1, ry / VOTE_BIN_M - half - 1
        flats = []
        for (r, _), (gx, gy) in zip(by_category, found_of):
            if not r.any() or not len(gx):
                continue
            # Bin of each pair's offset: truncation equals the floor wherever the bin is held (1..2 half), and is
            # below 1 wherever the floor is, so the bins counted are the floor's; unsigned, one test per axis.
            bx = (gx[None, :] - rx[r][:, None]).astype(np.intp).ravel()
            by = (gy[None, :] - ry[r][:, None]).astype(np.intp).ravel()
            ok = ((bx - 1).view(np.uintp) < 2 * half) & ((by - 1).view(np.uintp) < 2 * half)
            flats.append(bx[ok] * side + by[ok])
        if not flats:
            return scored
        hist = np.bincount(np.concatenate(flats), minlength=side * side)
        held = np.flatnonzero(hist)
        if not len(held):
            return scored
        # 3 × 3 sums, separably over the whole grid (six contiguous passes: cheaper than nine gathers at the tens of
        # thousands of bins that hold votes), read at those bins; the padding keeps every neighbour inside the grid.
        grid = hist.reshape(side, side)
        across = grid[:, :-2] + grid[:, 1:-1] + grid[:, 2:]
        summed = across[:-2] + across[1:-1] + across[2:]  # bin (i, j) of the grid at [i - 1, j - 1]
        hx, hy = np.divmod(held, side)
        total = summed[hx - 1, hy - 1]
        if len(held) > VOTE_CANDIDATES:
            # Ties broken by position: argpartition slows down badly on many equal keys.
            keep = np.argpartition(total * len(total) + np.arange(len(total)), -VOTE_CANDIDATES)[-VOTE_CANDIDATES:]
            held, total = held[keep], total[keep]
        bx, by = np.divmod(held, side)
        for votes, ix, iy in zip(total.tolist(), bx.tolist(), by.tolist()):
            scored.append((votes, float(rotation), (ix - half - 0.5) * VOTE_BIN_M, (iy - half - 0.5) * VOTE_BIN_M))
        return scored

    # Outward from 0, as translation_peaks: ±3° and 0°, then the outer trial rotation on the side of the strongest bin
    # when it beats 0° by the margin.
    inner = [float(r) for r in TRIAL_ROTATIONS_DEG[1:-1]]
    per_rotation = [vote_at(rotation) for rotation in inner]
    best = [max((v for v, *_ in got), default=-1) for got in per_rotation]
    scored = [entry for got in per_rotation for entry in got]
    if max(best) >= 0:
        first = inner[best.index(max(best))]  # the first rotation to reach the strongest vote, as np.argmax
        zero_best = best[len(inner) // 2]
        clear = not (zero_best >= 0 and max(best) < OUTER_TRIAL_MARGIN * zero_best)  # ±3° beats 0° by the margin
        if first in (inner[0], inner[-1]) and clear:
            scored += vote_at(float(TRIAL_ROTATIONS_DEG[0] if first == inner[0] else TRIAL_ROTATIONS_DEG[-1]))
    scored.sort(reverse=True)
    return distinct_peaks_of_list(scored)


def distinct_peaks_of_list(scored: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float]]:
    """From (votes, rotation, dx, dy) sorted best first, the peaks refined (the reference of
    kernels.distinct_peaks, which peaks.vote_peaks calls)."""
    if not scored:
        return []
    # Rows repeat every spacing: when only part of a field is worked, every slide of whole spacings that keeps the
    # worked part covered gets (nearly) the same vote, and the true offset lies at one end of that run, where the rest
    # of the record falls on unworked land. So besides the strongest peak, the tied peaks farthest from those chosen
    # (the ends of the run) are refined; the worked land then tells them apart (best_fit's score).
    tied = [(rot, dx, dy) for votes, rot, dx, dy in scored if votes >= PLATEAU_SHARE * scored[0][0]]
    peaks: list[tuple[float, float, float]] = [tied[0]]
    for _ in range(PLATEAU_ENDS):
        gap = [min(np.hypot(dx - px, dy - py) for _, px, py in peaks) for _, dx, dy in tied]
        if max(gap) <= PEAK_SEPARATION_M + 1e-6:
            break
        peaks.append(tied[int(np.argmax(gap))])
    for _, rot, dx, dy in scored:  # the same peak seen from neighbouring bins or rotations is refined once
        if len(peaks) == PEAKS_REFINED:
            break
        if all(np.hypot(dx - px, dy - py) > PEAK_SEPARATION_M + 1e-6 for _, px, py in peaks):
            peaks.append((rot, dx, dy))
            if len(peaks) == PEAKS_REFINED:
                break
    return peaks
