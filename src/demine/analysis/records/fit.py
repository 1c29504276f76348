"""The best rigid shift and rotation from recorded mine positions onto the mines found, robust to missing mines.

Most recorded mines have not been found (the land is not cleared yet) and most mines found nearby belong to other
fields, so a least-squares fit over everything would be pulled anywhere. Instead:

1. Vote: for a few trial rotations, every pair (recorded mine, found mine of the same category, AP or AT) within the
   largest shift sought votes for the translation between them; rows repeat every spacing, but rows of different
   spacing (AP and AT) only agree at the true offset, so the peak is the reference-point error.
2. Refine the best peaks by iterative closest point with a trimmed loss (only pairs within the tolerance count) and a
   closed-form rotation (Kabsch), and keep the one that matches the most recorded mines, then the smallest residual.
3. For a real shift, try the kept fit slid by whole spacings along its rows (the vote cannot tell those slides apart)
   and keep, among those as good, the one whose rows end where the found rows end (row_ends.py).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeAlias

import numpy as np

from demine.analysis.records import kernels
from demine.analysis.records.found_mines import PAIRING_CANDIDATES, FoundMines
from demine.analysis.records.geometry import IDENTITY, RigidFit, rotate
from demine.analysis.records.row_ends import RowEnds, slide_peaks

VOTE_BIN_M = 4.0  # coarse enough that a 1-2° compass error does not split the peak over a short field
TRIAL_ROTATIONS_DEG = np.arange(-6.0, 6.01, 3.0)  # compass and grid/true north errors seen on forms
MAX_VOTING_MINES = 120  # recorded mines sampled for the vote (evenly along the record): cost, not accuracy
MAX_VOTING_FOUND = 1500  # found mines sampled likewise: the true peak keeps its lead, the cost stays bounded
PEAKS_REFINED = 4
VOTE_CANDIDATES = 64  # best bins kept per trial rotation before distinct peaks are chosen
PLATEAU_SHARE = 0.9  # peaks with this share of the strongest vote are tied with it...
PLATEAU_ENDS = 2  # ...and this many of them, the farthest apart, are refined besides it
PEAK_SEPARATION_M = VOTE_BIN_M  # peaks in neighbouring bins are one peak; farther, they may be a slide of one
# spacing along the rows (3-12 m), which must stay apart so that the true offset is refined too
ICP_ITERATIONS = 6
MAX_FITTING_MINES = 300  # recorded mines the iterations of the fit pair (evenly along the record)...
MIN_FITTING_PAIRS = 30  # ...unless fewer of them than this find a partner: then all of them
MIN_PINNING_PAIRS = 3  # a refined fit pairing fewer mines than this is no fit
CONVERGED_M = 0.05  # the fit moved less than this (translation plus rotation at RECORD_REACH_M): stop iterating
RECORD_REACH_M = 500.0
# Hand-laid mines lie within a metre of the drill position and GPS adds one or two: pairs for the fit are taken this
# close, because at 10 m a row of mines 3-10 m apart would pair with any row laid beside it.
FIT_RADIUS_M = 4.0
MAX_ROTATION_DEG = 8.0
# Fits whose match share is this close to the best are equally good (rows repeat every spacing, so a shift of whole
# spacings along the rows matches almost as well): among them the record as written, or nearly, wins if it is there.
SHARE_MARGIN = 0.05
NEAR_AS_WRITTEN_M = 40.0  # corrections this small are kept minimal (the accurate margin of classify.Thresholds)
PRIOR_MINES = 5  # so that 3 of 3 worked mines do not outrank 300 of 320
# A real shift is also tried slid by up to this many spacings each way along the rows (24-96 m at the 3-12 m spacings
# of the forms: the along-row errors seen were 2-6 spacings), along the steps of the rows carrying the most mines.
SLIDE_SPACINGS = 8
SLIDE_STEPS = 2
# A fit near as written loses to a real move tied with it only when the move pairs more mines and misfits this many
# fewer row ends (fit._overlaps_a_slide): one or two misfits come from noise or a neighbouring field's mine.
ROW_END_MISFIT_MARGIN = 3
# Before those slides, the strongest offsets of the along-row profile (row_ends.slide_peaks) are refined, this many,
# this far apart (and from the fit itself), on a sample the size of the vote's; one replaces the fit only if its
# share is better by more than PROFILE_MIN_GAIN (equal fits differ by rounding), and only fits with a share of at
# least PROFILE_MIN_SHARE are asked: below it a better share elsewhere along the rows was as often another stretch's
# (seeds 1-3 without that floor: three shifted records gained, three lost; docs/records-verification.md).
PROFILE_PEAKS = 3
PROFILE_APART_M = 2.0
PROFILE_MIN_GAIN = 0.005
PROFILE_MIN_SHARE = 0.9
PROFILE_MINES = MAX_VOTING_MINES

# Whether each (x, y) in the local metric frame lies on land already worked (released).
WorkedMask: TypeAlias = Callable[[np.ndarray, np.ndarray], np.ndarray]


def best_fit(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, candidates: np.ndarray,
             worked: WorkedMask, *, max_shift_m: float, always_vote: bool = False) -> RigidFit:
    """The rigid transform mapping the recorded mines onto the found ones (`candidates`: found mines in reach).

    `always_vote`: vote even when the record as written already pairs nearly every worked mine (tests compare it).

    Fits are compared by the share of the recorded mines on worked land that they pair with a found mine (a fit is not
    better for moving the record onto more cleared land), shrunk towards zero when little is worked.
    """
    if len(rec_x) == 0 or len(candidates) == 0:
        return IDENTITY
    cx, cy = float(rec_x.mean()), float(rec_y.mean())
    pick = _fitting_sample(len(rec_x))
    # The record as written always competes, and is refined first: when it already pairs nearly every worked mine
    # (a share within SHARE_MARGIN of a perfect 1), no other fit can beat it by more than the margin, so it is among
    # the tied and, lying near as written, it is the one kept below. The vote is then not needed (a fifth of the
    # records at scale: docs/records-verification-speed.md).
    as_written = _within(_refine(rec_x, rec_y, rec_is_at, found, cx, cy, (0.0, 0.0, 0.0), worked, pick=pick),
                         max_shift_m)
    scored = [] if as_written is None else [as_written]
    if always_vote or as_written is None or as_written[0] < 1.0 - SHARE_MARGIN \
            or as_written[1].shift_m > NEAR_AS_WRITTEN_M:
        for peak in _vote(rec_x, rec_y, rec_is_at, found, candidates, cx, cy, max_shift_m):
            refined = _within(_refine(rec_x, rec_y, rec_is_at, found, cx, cy, peak, worked, pick=pick), max_shift_m)
            if refined is not None:
                scored.append(refined)
    if not scored:
        return IDENTITY
    best = max(share for share, _ in scored)
    tied = [(share, fit) for share, fit in scored if share >= best - SHARE_MARGIN]
    near = [fit for _, fit in tied if fit.shift_m <= NEAR_AS_WRITTEN_M]
    # A real reference-point error: the best-matching fit, not the smallest slide that is almost as good, since a
    # slide of whole spacings along the rows scores nearly the same and would be off by that much.
    moved = max(tied, key=lambda sf: (sf[0], sf[1].matched, -sf[1].residual_m))[1]
    close = min(near, key=lambda f: f.shift_m) if near else None
    if close is not None and moved.shift_m <= NEAR_AS_WRITTEN_M:
        chosen = close
    else:
        ends = RowEnds.of(rec_x, rec_y, rec_is_at, within_m=FIT_RADIUS_M)
        moved, best = _along_profile(rec_x, rec_y, rec_is_at, found, worked, moved, best, pick, ends, max_shift_m)
        moved = _along_rows(rec_x, rec_y, rec_is_at, found, worked, moved, best, pick, ends, max_shift_m)
        # The record as written (or nearly) is as good as any move: keep it, do not slide it along its rows; unless
        # it only overlaps its field slid along the rows.
        chosen = close if close is not None and not _overlaps_a_slide(
            rec_x, rec_y, rec_is_at, found, worked, close, moved, ends, pick) else moved
    # Fits were scored on the fitting sample; the chosen one's match and residual are counted over every mine.
    x, y = chosen.apply(rec_x, rec_y)
    index, distance = found.nearest(x, y, rec_is_at, FIT_RADIUS_M)
    matched = index >= 0
    residual = float(np.sqrt(np.mean(distance[matched] ** 2))) if matched.any() else float("nan")
    return RigidFit(chosen.dx, chosen.dy, chosen.rotation_deg, cx, cy, int(matched.sum()), residual)


def _overlaps_a_slide(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines,
                      worked: WorkedMask, close: RigidFit, moved: RigidFit, ends: RowEnds,
                      pick: np.ndarray) -> bool:
    """Whether the record as written (or nearly: the fit `close`) only overlaps its field slid along the rows: the
    move `moved` pairs more mines of the fitting sample `pick`, and `close` has ROW_END_MISFIT_MARGIN more row-end
    misfits (the found rows run on past its ends). Rows paired within 4 m pair at any slide along them, so a record written some
    hundreds of metres along its own rows scores as well as the truth over the part that overlaps; only the ends
    tell them apart."""
    if not len(ends.steps):
        return False
    px, py, p_at = rec_x[pick], rec_y[pick], rec_is_at[pick]
    paired = [_pair_on_worked(px, py, p_at, found, f.centre_x, f.centre_y, f.rotation_deg, f.dx, f.dy, worked)[0]
              for f in (close, moved)]
    if paired[1] <= paired[0]:
        return False
    zero = np.zeros((1, 2))
    misfits_near = ends.misfits(close, zero, rec_x, rec_y, rec_is_at, found, worked, FIT_RADIUS_M)[0]
    misfits_moved = ends.misfits(moved, zero, rec_x, rec_y, rec_is_at, found, worked, FIT_RADIUS_M)[0]
    return bool(misfits_moved + ROW_END_MISFIT_MARGIN <= misfits_near)


def _along_profile(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines,
                   worked: WorkedMask, chosen: RigidFit, share: float, pick: np.ndarray,
                   ends: RowEnds, max_shift_m: float) -> tuple[RigidFit, float]:
    """The chosen fit (its share `share`, the best of the fits scored) or, if one scores better, a fit refined from
    one of the strongest offsets along its rows (row_ends.slide_peaks), with its share.

    Where a field is worked over part of its length, the vote's peaks run along the rows (every slide that keeps
    the worked part covered gets about the same votes) and the one refined may lie anywhere on that run, some
    hundreds of metres off; the slides of _along_rows then reach only a few spacings. At the fit's own rotation the
    along-row profile is sharp at the true offset, where every row lines up at once.
    """
    if not len(ends.steps) or share < PROFILE_MIN_SHARE:
        return chosen, share
    direction = _turned(ends.steps[:1], chosen.rotation_deg)[0]
    unit = direction / np.hypot(direction[0], direction[1])
    sample = _evenly(len(rec_x), PROFILE_MINES)
    x, y = chosen.apply(rec_x[sample], rec_y[sample])
    along = x * unit[0] + y * unit[1]
    offsets = slide_peaks(x, y, rec_is_at[sample], found, direction, float(along.max() - along.min()),
                          PROFILE_PEAKS, PROFILE_APART_M)
    for offset in offsets.tolist():
        refined = _within(_refine(rec_x, rec_y, rec_is_at, found, chosen.centre_x, chosen.centre_y,
                                  (chosen.rotation_deg, chosen.dx + offset * unit[0], chosen.dy + offset * unit[1]),
                                  worked, pick=pick), max_shift_m)
        if refined is not None and refined[0] > share + PROFILE_MIN_GAIN:
            share, chosen = refined
    return chosen, share


def _along_rows(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, worked: WorkedMask,
                chosen: RigidFit, best_share: float, pick: np.ndarray, ends: RowEnds, max_shift_m: float) -> RigidFit:
    """Of the chosen fit and its slides by whole spacings along its rows that are as good as the best fit (within
    SHARE_MARGIN of its share `best_share`, as the peaks tied with it), the one whose rows end where the found rows
    end (row_ends.py).

    The vote cannot tell slides along the rows apart (every slide that keeps the worked part of a field covered gets
    nearly the same votes), so the true offset is often not among the peaks refined; the slides put it there. Their
    shares cannot tell them apart either: they differ only at the rows' ends, by a mine or two a row, which the
    pairing's noise over the whole worked part of the field hides. So among them the one with the fewest misfits at
    the rows' ends wins (recorded end mines on worked land with nothing found, found mines where the rows would
    continue), the chosen fit before a slide, then the smallest slide.
    """
    if not len(ends.steps):
        return chosen
    cx, cy = chosen.centre_x, chosen.centre_y
    px, py, p_at = rec_x[pick], rec_y[pick], rec_is_at[pick]
    if len(px) < len(rec_x) and chosen.matched < MIN_FITTING_PAIRS:
        px, py, p_at = rec_x, rec_y, rec_is_at  # as _refine does when little of the record is found

    def share(fit: RigidFit) -> float:
        matched, on_worked, _ = _pair_on_worked(px, py, p_at, found, cx, cy, fit.rotation_deg, fit.dx, fit.dy, worked)
        return _shrunk_share(matched, on_worked, len(px), len(rec_x))

    # Only the chosen fit and its own slides compete on their rows' ends: they lie on the same worked land. A fit to
    # another stretch of the field (or another field) may have no worked row end to misfit, which is not evidence.
    if not ends.misfits(chosen, np.zeros((1, 2)), rec_x, rec_y, rec_is_at, found, worked, FIT_RADIUS_M)[0]:
        return chosen  # its rows end where the found rows end (or no end is worked): no slide can do better
    k = np.concatenate([np.arange(1, SLIDE_SPACINGS + 1), -np.arange(1, SLIDE_SPACINGS + 1)]).astype(float)
    turned = _turned(ends.steps[:SLIDE_STEPS], chosen.rotation_deg)
    offsets = np.vstack([np.zeros((1, 2)), (k[None, :, None] * turned[:, None, :]).reshape(-1, 2)])
    misfits = ends.misfits(chosen, offsets, rec_x, rec_y, rec_is_at, found, worked, FIT_RADIUS_M)
    # Fewest misfits first; on a tie the chosen fit stays, then the smaller slide: so the slides are asked for their
    # share (the costly part) in that order, only those with fewer misfits than the chosen fit, and the first as good
    # as the best wins.
    better = np.flatnonzero(misfits[1:] < misfits[0])
    floor = best_share - SHARE_MARGIN
    for i in better[np.lexsort((np.hypot(offsets[1:, 0], offsets[1:, 1])[better], misfits[1:][better]))].tolist():
        slid = RigidFit(chosen.dx + offsets[i + 1, 0], chosen.dy + offsets[i + 1, 1], chosen.rotation_deg, cx, cy, 0,
                        float("nan"))
        if slid.shift_m <= max_shift_m and share(slid) >= floor:
            # Moved by whole spacings (the record's own steps, exact) from a converged fit: no new iterations needed.
            return slid
    return chosen


def _turned(steps: np.ndarray, rotation_deg: float) -> np.ndarray:
    """Row steps (k, 2) of the record as a fit turned by rotation_deg lays them (clockwise, as geometry.rotate)."""
    t = np.radians(-rotation_deg)
    c, s = np.cos(t), np.sin(t)
    return np.column_stack([c * steps[:, 0] - s * steps[:, 1], s * steps[:, 0] + c * steps[:, 1]])


def _vote(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, candidates: np.ndarray,
          cx: float, cy: float, max_shift_m: float) -> list[tuple[float, float, float]]:
    """The strongest translation peaks over the trial rotations, as (rotation, dx, dy), distinct by PEAK_SEPARATION_M.

    Per rotation one histogram (np.bincount on a fixed grid of VOTE_BIN_M bins over ±max_shift_m) of every
    (recorded, found) pair of the same category, AP with AP and AT with AT, then each bin summed with its 8
    neighbours so that a peak split over a bin edge is not lost.

    The rotations are tried outward from 0: the inner three (-3°, 0°, +3°), then the outer one (±6°) only on the side
    whose rotation gave the strongest bin. A compass error of 4.5-7.5° leaves the mines within some 115 m of the
    record's centre inside the peak's 12 m (3 × 3 bins) at ±3° on its side, but only those within 57 m at 0°, so
    the strongest bin lies on its side; the outer trials cost two fifths of every record's vote otherwise
    (docs/records-verification-speed.md).
    """
    pick = _evenly(len(rec_x), MAX_VOTING_MINES)
    if len(candidates) > MAX_VOTING_FOUND:
        candidates = candidates[np.linspace(0, len(candidates) - 1, MAX_VOTING_FOUND).astype(np.int64)]
    fx, fy, f_at = found.x[candidates], found.y[candidates], found.is_at[candidates]
    half = int(np.ceil(max_shift_m / VOTE_BIN_M))
    side = 2 * half + 2  # one empty bin on each edge, so that the 3 × 3 sums need no bounds checks
    # Every rotation's pairs binned and summed in one compiled call: kernels.vote, the loop of _vote_numpy compiled.
    # The recorded mines turned by every trial rotation at once: geometry.rotate's arithmetic, term by term (the
    # cosines and sines taken one rotation at a time, as there, so that every position is the same to the bit).
    turn = [np.radians(-float(rotation)) for rotation in TRIAL_ROTATIONS_DEG]
    c = np.array([np.cos(t) for t in turn])[:, None]
    s = np.array([np.sin(t) for t in turn])[:, None]
    px, py = rec_x[pick][None, :] - cx, rec_y[pick][None, :] - cy
    rx = (cx + c * px - s * py + 0.0) / VOTE_BIN_M - half - 1
    ry = (cy + s * px + c * py + 0.0) / VOTE_BIN_M - half - 1
    gx, gy = fx / VOTE_BIN_M, fy / VOTE_BIN_M
    inner = np.arange(1, len(TRIAL_ROTATIONS_DEG) - 1)  # TRIAL_ROTATIONS_DEG ascends symmetrically about 0
    votes, rot_no, flat = kernels.vote(rx[inner], ry[inner], rec_is_at[pick], gx, gy, f_at, half, VOTE_CANDIDATES)
    rot_no = inner[rot_no]
    if len(votes):
        edge = {inner[0]: 0, inner[-1]: len(TRIAL_ROTATIONS_DEG) - 1}.get(int(rot_no[np.argmax(votes)]))
        if edge is not None:
            v2, r2, f2 = kernels.vote(rx[edge:edge + 1], ry[edge:edge + 1], rec_is_at[pick], gx, gy, f_at, half,
                                      VOTE_CANDIDATES)
            votes, rot_no, flat = np.concatenate([votes, v2]), np.concatenate([rot_no, r2 + edge]), \
                np.concatenate([flat, f2])
    bx, by = np.divmod(flat, side)
    return _distinct_peaks(votes, TRIAL_ROTATIONS_DEG[rot_no], (bx - half - 0.5) * VOTE_BIN_M,
                           (by - half - 0.5) * VOTE_BIN_M)


def _vote_numpy(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines,
                candidates: np.ndarray, cx: float, cy: float,
                max_shift_m: float) -> list[tuple[float, float, float]]:
    """The vote in numpy, one histogram per rotation: the reference kernels.vote is tested against."""
    pick = _evenly(len(rec_x), MAX_VOTING_MINES)
    if len(candidates) > MAX_VOTING_FOUND:
        candidates = candidates[np.linspace(0, len(candidates) - 1, MAX_VOTING_FOUND).astype(np.int64)]
    fx, fy, f_at = found.x[candidates], found.y[candidates], found.is_at[candidates]
    half = int(np.ceil(max_shift_m / VOTE_BIN_M))
    side = 2 * half + 2
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

    # Outward from 0, as _vote: ±3° and 0°, then the outer trial rotation on the side of the strongest bin.
    inner = [float(r) for r in TRIAL_ROTATIONS_DEG[1:-1]]
    per_rotation = [vote_at(rotation) for rotation in inner]
    best = [max((v for v, *_ in got), default=-1) for got in per_rotation]
    scored = [entry for got in per_rotation for entry in got]
    if max(best) >= 0:
        first = inner[best.index(max(best))]  # the first rotation to reach the strongest vote, as np.argmax
        if first in (inner[0], inner[-1]):
            scored += vote_at(float(TRIAL_ROTATIONS_DEG[0] if first == inner[0] else TRIAL_ROTATIONS_DEG[-1]))
    scored.sort(reverse=True)
    return _distinct_peaks_of_list(scored)


def _distinct_peaks(votes: np.ndarray, rotation: np.ndarray, dx: np.ndarray,
                    dy: np.ndarray) -> list[tuple[float, float, float]]:
    """The peaks refined, as _distinct_peaks_of_list chooses them, sorted in numpy and chosen in one compiled call
    (kernels.distinct_peaks): some 300 candidate bins a record, whose Python loops cost as much as the compiled vote."""
    if not len(votes):
        return []
    order = np.lexsort((dy, dx, rotation, votes))[::-1]  # best first, as sorted(..., reverse=True) on the tuples
    votes, rotation, dx, dy = votes[order], rotation[order], dx[order], dy[order]
    chosen = kernels.distinct_peaks(votes.astype(np.float64), dx, dy, PLATEAU_SHARE, PLATEAU_ENDS, PEAKS_REFINED,
                                    PEAK_SEPARATION_M + 1e-6).tolist()
    return [(float(rotation[p]), float(dx[p]), float(dy[p])) for p in chosen]


def _distinct_peaks_of_list(scored: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float]]:
    """From (votes, rotation, dx, dy) sorted best first, the peaks refined (the reference of _distinct_peaks)."""
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


def _fitting_sample(n: int) -> np.ndarray:
    # The iterations and the score run on recorded mines taken evenly along the record (a few hundred pin a rigid
    # fit and estimate a share as well as a thousand); best_fit counts every mine for the fit it keeps.
    return _evenly(n, MAX_FITTING_MINES)


@functools.lru_cache(maxsize=4096)
def _evenly(n: int, most: int) -> np.ndarray:
    """Up to `most` indices of n, taken evenly from first to last (all of them when n is no larger); read-only.

    Kept per (n, most): a record asks for three samples, and records share their sizes (0.28 ms a record uncached).
    """
    picked = np.unique(np.linspace(0, n - 1, min(n, most)).astype(np.int64))
    picked.setflags(write=False)
    return picked


def _refine(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, cx: float, cy: float,
            start: tuple[float, float, float], worked: WorkedMask, *,
            pick: np.ndarray | None = None) -> tuple[float, RigidFit] | None:
    """Iterative closest point from a peak of the vote, and the fit's score: the share of the recorded mines on
    worked land that it pairs with a found mine, shrunk by PRIOR_MINES (both over the fitting sample)."""
    rotation, dx, dy = start
    radius = 4 * FIT_RADIUS_M  # wide first: a trial rotation 0.75° off moves the ends of a 1 km field by 6 m
    pick = _fitting_sample(len(rec_x)) if pick is None else pick  # the same for every peak of a record
    px, py, p_at = rec_x[pick], rec_y[pick], rec_is_at[pick]
    grid = found._grid
    answered = False
    if grid is not None:  # the whole iteration in one compiled call (kernels.refine), on the view's grid
        rotation, dx, dy, use_all, answered = kernels.refine(
            px, py, p_at, rec_x, rec_y, rec_is_at, cx, cy, float(rotation), float(dx), float(dy), found.x, found.y,
            *grid, np.asarray(found._window, float), ICP_ITERATIONS, MIN_FITTING_PAIRS, FIT_RADIUS_M, CONVERGED_M,
            RECORD_REACH_M)
        if use_all:
            px, py, p_at = rec_x, rec_y, rec_is_at
        if not answered:  # a query left the view's window: the national index answers, from the start
            rotation, dx, dy = start
            px, py, p_at = rec_x[pick], rec_y[pick], rec_is_at[pick]
    for _ in range(0 if answered else ICP_ITERATIONS):
        x, y = rotate(px, py, rotation, cx, cy, dx, dy)
        index, _ = found.closest(x, y, p_at, radius)
        paired = index >= 0
        if paired.sum() < MIN_FITTING_PAIRS and len(px) < len(rec_x):
            # Little of the record is found: every recorded mine is needed to pin the fit.
            px, py, p_at = rec_x, rec_y, rec_is_at
            continue
        if paired.sum() < 3:
            break
        new = _kabsch(px[paired], py[paired], found.x[index[paired]], found.y[index[paired]], cx, cy)
        moved = np.hypot(new[1] - dx, new[2] - dy) + np.radians(abs(new[0] - rotation)) * RECORD_REACH_M
        rotation, dx, dy = new
        if radius == FIT_RADIUS_M and moved < CONVERGED_M:
            break  # the pairs no longer change the fit
        radius = max(FIT_RADIUS_M, radius / 2)
    if abs(rotation) > MAX_ROTATION_DEG:
        return None  # a turn this large is not how a reference point goes wrong
    n_matched, on_worked, residual = _pair_on_worked(px, py, p_at, found, cx, cy, rotation, dx, dy, worked)
    if n_matched < MIN_PINNING_PAIRS:
        # Two pairs or fewer pin no rotation: the closed form's turn is then rounding noise (the compiled and the
        # numpy iterations may turn the record anywhere), and such a fit could explain nothing anyway.
        return None
    share = _shrunk_share(n_matched, on_worked, len(px), len(rec_x))
    return share, RigidFit(float(dx), float(dy), float(rotation), cx, cy, n_matched, residual)


def _within(scored: tuple[float, RigidFit] | None, max_shift_m: float) -> tuple[float, RigidFit] | None:
    """A scored fit, unless it moves the record farther than the largest reference-point error sought: the vote's
    square grid reaches 1.4 times that on its diagonals, and the iterations and the slides along the rows can carry
    a fit farther still, onto a field of the same pattern that the record does not describe (at 10,000 records, 42
    records were called shifted by fits 600-1,113 m long, 40 of them moved farther than that when spoiled)."""
    return None if scored is None or scored[1].shift_m > max_shift_m else scored


def _shrunk_share(matched: int, on_worked: int, sampled: int, recorded: int) -> float:
    """A fit's score: the share of the sampled recorded mines on worked land that it pairs, shrunk by PRIOR_MINES
    (the prior in mines of the whole record, whatever the sample)."""
    return matched / (max(on_worked, matched) + PRIOR_MINES * sampled / recorded)


def _pair_on_worked(px: np.ndarray, py: np.ndarray, p_at: np.ndarray, found: FoundMines, cx: float, cy: float,
                    rotation: float, dx: float, dy: float, worked: WorkedMask) -> tuple[int, int, float]:
    """The recorded mines (px, py) moved by a fit: how many pair with a found mine, how many lie on worked land, and
    the RMS distance of the pairs."""
    scored = False
    grid = found._grid
    rings = getattr(worked, "rings", None)  # metrics.WorkedNear: its polygons go to the compiled scoring
    if grid is not None and rings is not None:
        # The moving, pairing and worked-land count in one compiled call (kernels.score_peak), with the turn's
        # cosine and sine taken as geometry.rotate takes them, so that the positions are the same to the bit.
        t = np.radians(-rotation)
        index, distance, on_worked, scored = kernels.score_peak(
            px, py, p_at, np.cos(t), np.sin(t), cx, cy, float(dx), float(dy), FIT_RADIUS_M, PAIRING_CANDIDATES,
            found.x, found.y, *grid, np.asarray(found._window, float), worked.hits, rings.xs, rings.ys,
            rings.ring_starts, rings.geom_rings, rings.bounds, worked.box)
    if not scored:  # beyond the record's surroundings (or no compiled polygons): the wider indexes answer
        x, y = rotate(px, py, rotation, cx, cy, dx, dy)
        index, distance = found.nearest(x, y, p_at, FIT_RADIUS_M)
        on_worked = int(worked(x, y).sum())
    matched = index >= 0
    residual = float(np.sqrt(np.mean(distance[matched] ** 2))) if matched.any() else float("nan")
    return int(matched.sum()), int(on_worked), residual


def _kabsch(px: np.ndarray, py: np.ndarray, qx: np.ndarray, qy: np.ndarray, cx: float,
            cy: float) -> tuple[float, float, float]:
    """Least-squares rotation (about the record's centre) and translation taking points p onto points q."""
    ax, ay = px - cx, py - cy
    mx, my = ax.mean(), ay.mean()
    bx, by = qx - cx, qy - cy
    nx, ny = bx.mean(), by.mean()
    sxx = np.sum((ax - mx) * (bx - nx) + (ay - my) * (by - ny))
    sxy = np.sum((ax - mx) * (by - ny) - (ay - my) * (bx - nx))
    theta = np.arctan2(sxy, sxx)  # anticlockwise
    c, s = np.cos(theta), np.sin(theta)
    dx = nx - (c * mx - s * my)
    dy = ny - (s * mx + c * my)
    return float(-np.degrees(theta)), float(dx), float(dy)
