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

from collections.abc import Callable
from typing import TypeAlias

import numpy as np

from demine.analysis.records import kernels, peak_refinement, vote
from demine.analysis.records.found_mines import PAIRING_CANDIDATES, FoundMines
from demine.analysis.records.geometry import IDENTITY, RigidFit, rotate
from demine.analysis.records.row_ends import RowEnds, slide_peaks
from demine.analysis.records.vote import evenly

ICP_ITERATIONS = 5  # 16 m, 8 m, then 4 m until converged (six before the fifteenth sitting: vote.py)
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
PROFILE_MINES = 120  # the vote's sample before the fifteenth sitting: the profile's cost is small (vote.py)

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
        for peak in vote.translation_peaks(rec_x, rec_y, rec_is_at, found, candidates, cx, cy, max_shift_m):
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
    sample = evenly(len(rec_x), PROFILE_MINES)
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


def _fitting_sample(n: int) -> np.ndarray:
    # The iterations and the score run on recorded mines taken evenly along the record (a few hundred pin a rigid
    # fit and estimate a share as well as a thousand); best_fit counts every mine for the fit it keeps.
    return evenly(n, MAX_FITTING_MINES)


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
    rings = getattr(worked, "rings", None)  # metrics.WorkedNear: its polygons go to the compiled scoring
    answered = False
    if grid is not None and rings is not None:
        # The iterations and the scoring in one compiled call, on the view's grid and the worked land around it.
        status, rotation, dx, dy, use_all, n_matched, on_worked, residual = peak_refinement.refine_and_score(
            px, py, p_at, rec_x, rec_y, rec_is_at, cx, cy, float(rotation), float(dx), float(dy), found.x, found.y,
            *grid, np.asarray(found._window, float), ICP_ITERATIONS, MIN_FITTING_PAIRS, FIT_RADIUS_M, CONVERGED_M,
            RECORD_REACH_M, MAX_ROTATION_DEG, PAIRING_CANDIDATES, worked.hits, rings.xs, rings.ys, rings.ring_starts,
            rings.geom_rings, rings.bounds, worked.box)
        if use_all:
            px, py, p_at = rec_x, rec_y, rec_is_at
        if status == peak_refinement.SCORED:
            return _scored(n_matched, on_worked, residual, len(px), len(rec_x), rotation, dx, dy, cx, cy)
        if status == peak_refinement.TURNED:
            return None
        answered = status == peak_refinement.SCORE_UNANSWERED  # else: the iterations again, nationally
    elif grid is not None:  # the iterations in one compiled call (kernels.refine), on the view's grid
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
    return _scored(n_matched, on_worked, residual, len(px), len(rec_x), rotation, dx, dy, cx, cy)


def _scored(n_matched: int, on_worked: int, residual: float, sampled: int, recorded: int, rotation: float, dx: float,
            dy: float, cx: float, cy: float) -> tuple[float, RigidFit] | None:
    """A refined fit with its score (_shrunk_share), or None when it pins too few pairs."""
    if n_matched < MIN_PINNING_PAIRS:
        # Two pairs or fewer pin no rotation: the closed form's turn is then rounding noise (the compiled and the
        # numpy iterations may turn the record anywhere), and such a fit could explain nothing anyway.
        return None
    share = _shrunk_share(n_matched, on_worked, sampled, recorded)
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
