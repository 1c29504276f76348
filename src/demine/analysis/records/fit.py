"""The best rigid shift and rotation from recorded mine positions onto the mines found, robust to missing mines.

Most recorded mines have not been found (the land is not cleared yet) and most mines found nearby belong to other
fields, so a least-squares fit over everything would be pulled anywhere. Instead:

1. Vote: for a few trial rotations, every pair (recorded mine, found mine of the same category, AP or AT) within the
   largest shift sought votes for the translation between them; rows repeat every spacing, but rows of different
   spacing (AP and AT) only agree at the true offset, so the peak is the reference-point error.
2. Refine the best peaks by iterative closest point with a trimmed loss (only pairs within the tolerance count) and a
   closed-form rotation (Kabsch), and keep the one that matches the most recorded mines, then the smallest residual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import shapely
from scipy.spatial import cKDTree

from demine.analysis.records import kernels
from demine.analysis.records.geometry import IDENTITY, RigidFit, rotate

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

# Whether each (x, y) in the local metric frame lies on land already worked (released).
WorkedMask: TypeAlias = Callable[[np.ndarray, np.ndarray], np.ndarray]


# Candidates asked of the k-d tree per point for one-to-one pairing: on rows 3-10 m apart a 10 m tolerance holds
# at most a few same-category mines, and later pairing rounds only settle the contested ones.
PAIRING_CANDIDATES = 4


class FoundMines:
    """Mines found (metric x, y) with their category, indexed once for the whole run.

    Nationally: one k-d tree per category (an AP row pairs with AP mines only, an AT row with AT mines), built only
    if asked, and the mines bucketed by coarse cells, so that the mines in an area are a few slices, not a scan of
    every mine. `near` gives the mines of one record's surroundings as a view with a fine grid of its own
    (kernels.build_grid): a record asks some twenty queries, and the grid of a few thousand mines answers them in
    compiled loops. A query reaching beyond a view's window is answered by a wider view, with the same answer.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, *, ids: np.ndarray | None = None,
                 parent: FoundMines | None = None, window: tuple[float, float, float, float] | None = None) -> None:
        self.x, self.y, self.is_at = np.asarray(x, float), np.asarray(y, float), np.asarray(is_at, bool)
        # A view of the mines near one record: the national arrays, but a grid over `ids` only, which answers exactly
        # for queries inside `window`; any other query goes to a wider view.
        self._ids, self._parent, self._window = ids, parent, window
        own = np.arange(len(self.x)) if ids is None else ids
        self._own = own
        # The national trees are built on first use only: every record asks its own view, and a query reaching beyond
        # a view's window goes to a wider view, so at 10 million mines the trees (seconds to build) are not needed.
        self._trees: list[tuple[np.ndarray, cKDTree | None]] | None = None
        self._grid_cache: tuple[np.ndarray, np.ndarray, float, float, float, int, int] | None = None
        self._wider: FoundMines | None = None  # a view's wider sibling, for queries reaching beyond its window
        if ids is None:
            # Nationally, the mines bucketed by coarse cells (a counting sort): the mines of a record's surroundings
            # are a few slices of that order, not a scan of a strip across the country (measured 4 ms a record at
            # 10 million mines).
            self._cells = _national_cells(self.x, self.y)
        else:
            self._cells = None
            self._x_order = own[np.argsort(self.x[own], kind="stable")]
            self._x_sorted = self.x[self._x_order]

    @property
    def _categories(self) -> list[tuple[np.ndarray, cKDTree | None]]:
        if self._trees is None:
            self._trees = []
            for flag in (False, True):
                idx = self._own[self.is_at[self._own] == flag]
                tree = cKDTree(np.column_stack([self.x[idx], self.y[idx]]), balanced_tree=False,
                               compact_nodes=False) if len(idx) else None
                self._trees.append((idx, tree))
        return self._trees

    @property
    def _grid(self) -> tuple[np.ndarray, np.ndarray, float, float, float, int, int] | None:
        """A view's mines bucketed by category and cell (kernels.build_grid), built on first use; None for the
        national index, which keeps its k-d trees."""
        if self._window is None:
            return None
        if self._grid_cache is None:
            minx, miny, maxx, maxy = self._window
            cell = kernels.GRID_CELL_M
            nx, ny = max(1, int(np.ceil((maxx - minx) / cell))), max(1, int(np.ceil((maxy - miny) / cell)))
            order, starts = kernels.build_grid(self.x, self.y, self.is_at, self._own.astype(np.int64), minx, miny,
                                               cell, nx, ny)
            self._grid_cache = (order, starts, minx, miny, cell, nx, ny)
        return self._grid_cache

    def near(self, minx: float, miny: float, maxx: float, maxy: float) -> FoundMines:
        """The mines found in a box, as a FoundMines answering with the same (national) indices."""
        return FoundMines(self.x, self.y, self.is_at, ids=self._box(minx, miny, maxx, maxy), parent=self,
                          window=(minx, miny, maxx, maxy))

    def _box(self, minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
        """Indices (ascending) of this index's mines inside a box, edges included."""
        if self._cells is not None:
            return kernels.in_box(self.x, self.y, *self._cells, float(minx), float(miny), float(maxx), float(maxy))
        lo = np.searchsorted(self._x_sorted, minx, side="left")
        hi = np.searchsorted(self._x_sorted, maxx, side="right")
        strip = self._x_order[lo:hi]
        return np.sort(strip[(self.y[strip] >= miny) & (self.y[strip] <= maxy)])

    def _answering(self, x: np.ndarray, y: np.ndarray, within_m: float) -> FoundMines:
        """The index whose grid answers queries at these points exactly: this view, or, for a query reaching beyond
        its window (rare: a fit wandering far), a wider view of the parent (kept for the next such query). The
        national index answers from its k-d trees."""
        if self._window is None or self._parent is None or self._answers(x, y, within_m):
            return self
        if self._wider is not None and self._wider._answers(x, y, within_m):
            return self._wider
        wx0, wy0, wx1, wy1 = self._window
        reach = within_m + 1.0
        self._wider = self._parent.near(min(wx0, float(x.min()) - reach), min(wy0, float(y.min()) - reach),
                                        max(wx1, float(x.max()) + reach), max(wy1, float(y.max()) + reach))
        return self._wider

    def _covers(self, minx: float, miny: float, maxx: float, maxy: float) -> bool:
        if self._window is None:
            return True
        wx0, wy0, wx1, wy1 = self._window
        return minx >= wx0 and miny >= wy0 and maxx <= wx1 and maxy <= wy1

    def _answers(self, x: np.ndarray, y: np.ndarray, within_m: float) -> bool:
        """Whether every mine within within_m of the points lies in this view's window (then its trees are exact)."""
        if self._window is None or not len(x):
            return True
        return self._covers(float(x.min()) - within_m, float(y.min()) - within_m, float(x.max()) + within_m,
                            float(y.max()) + within_m)

    def _candidates(self, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, within_m: float,
                    k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(point, found mine of the same category, distance) for up to k nearest found mines within within_m."""
        if self._parent is not None and not self._answers(x, y, within_m):
            return self._parent._candidates(x, y, is_at, within_m, k)
        src_parts, dst_parts, dist_parts = [], [], []
        bound = within_m * (1 + 1e-9)  # the tree's bound is strict; a pair at exactly within_m counts
        for flag, (idx, tree) in zip((False, True), self._categories):
            sel = np.flatnonzero(is_at == flag)
            if tree is None or not len(sel):
                continue
            dist, j = tree.query(np.column_stack([x[sel], y[sel]]), k=k, distance_upper_bound=bound)
            if k == 1:
                dist, j = dist[:, None], j[:, None]
            ok = np.isfinite(dist)
            src_parts.append(np.broadcast_to(sel[:, None], dist.shape)[ok])
            dst_parts.append(idx[j[ok]])
            dist_parts.append(dist[ok])
        if not src_parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0)
        return np.concatenate(src_parts), np.concatenate(dst_parts), np.concatenate(dist_parts)

    def nearest(self, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, within_m: float) -> tuple[np.ndarray, np.ndarray]:
        """One-to-one pairing: for each point the found mine of the same category it is paired with (-1: none).

        Pairs are taken closest first and each found mine serves once, so that a record with twice the mines of the
        ground (a halved spacing) cannot claim every found mine twice.
        """
        x, y, is_at = np.asarray(x, float), np.asarray(y, float), np.asarray(is_at, bool)
        grid = self._answering(x, y, within_m)._grid
        if grid is not None:
            return kernels.nearest_one_to_one(x, y, is_at, within_m, PAIRING_CANDIDATES, self.x, self.y, *grid)
        index = np.full(len(x), -1, dtype=np.int64)
        distance = np.full(len(x), np.inf)
        src, dst, dist = self._candidates(np.asarray(x, float), np.asarray(y, float), np.asarray(is_at, bool),
                                          within_m, PAIRING_CANDIDATES)
        src, dst, dist = _one_to_one(src, dst, dist)
        index[src], distance[src] = dst, dist
        return index, distance

    def closest(self, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, within_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Each point's closest found mine of its category within within_m (-1, inf: none), shared: the cheap pairing of
        the iterations of the fit, whose trimmed loss does not need one-to-one pairs."""
        x, y, is_at = np.asarray(x, float), np.asarray(y, float), np.asarray(is_at, bool)
        grid = self._answering(x, y, within_m)._grid
        if grid is not None:
            return kernels.closest(x, y, is_at, within_m, self.x, self.y, *grid)
        index = np.full(len(x), -1, dtype=np.int64)
        distance = np.full(len(x), np.inf)
        src, dst, dist = self._candidates(x, y, is_at, within_m, 1)
        index[src], distance[src] = dst, dist
        return index, distance

    def within(self, area: shapely.Geometry) -> np.ndarray:
        """Indices of the found mines inside an area (either category)."""
        minx, miny, maxx, maxy = shapely.bounds(area)
        if self._parent is not None and not self._covers(minx, miny, maxx, maxy):
            return self._parent.within(area)
        box = self._box(minx, miny, maxx, maxy)
        if not len(box):
            return box
        return box[shapely.contains_xy(area, self.x[box], self.y[box])]


NATIONAL_CELL_M = 250.0  # cells of the national index: a record's surroundings (1.5-3 km) span a dozen columns
MAX_NATIONAL_CELLS = 4_000_000  # wider cells over a larger country, so that the offsets stay small (32 MB)


def _national_cells(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float, float, int, int]:
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return np.zeros(0, np.int64), np.zeros(3, np.int64), 0.0, 0.0, NATIONAL_CELL_M, 1, 1
    minx, maxx = float(x[finite].min()), float(x[finite].max())
    miny, maxy = float(y[finite].min()), float(y[finite].max())
    cell = max(NATIONAL_CELL_M, float(np.sqrt((maxx - minx + 1) * (maxy - miny + 1) / MAX_NATIONAL_CELLS)))
    nx, ny = int((maxx - minx) // cell) + 1, int((maxy - miny) // cell) + 1
    order, starts = kernels.build_cells(x, y, minx, miny, cell, nx, ny)
    return order, starts, minx, miny, cell, nx, ny


def best_fit(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, candidates: np.ndarray,
             worked: WorkedMask, *, max_shift_m: float) -> RigidFit:
    """The rigid transform mapping the recorded mines onto the found ones (`candidates`: found mines in reach).

    Fits are compared by the share of the recorded mines on worked land that they pair with a found mine (a fit is not
    better for moving the record onto more cleared land), shrunk towards zero when little is worked.
    """
    if len(rec_x) == 0 or len(candidates) == 0:
        return IDENTITY
    cx, cy = float(rec_x.mean()), float(rec_y.mean())
    peaks = _vote(rec_x, rec_y, rec_is_at, found, candidates, cx, cy, max_shift_m)
    peaks.append((0.0, 0.0, 0.0))  # the record as written always competes
    scored = []
    pick = _fitting_sample(len(rec_x))
    for peak in peaks:
        refined = _refine(rec_x, rec_y, rec_is_at, found, cx, cy, peak, worked, pick=pick)
        if refined is not None:
            scored.append(refined)
    if not scored:
        return IDENTITY
    best = max(share for share, _ in scored)
    tied = [(share, fit) for share, fit in scored if share >= best - SHARE_MARGIN]
    near = [fit for _, fit in tied if fit.shift_m <= NEAR_AS_WRITTEN_M]
    if near:  # the record as written (or nearly) is as good as any move: keep it, do not slide it along its rows
        chosen = min(near, key=lambda f: f.shift_m)
    else:
        # A real reference-point error: the best-matching fit, not the smallest slide that is almost as good, since a
        # slide of whole spacings along the rows scores nearly the same and would be off by that much.
        chosen = max(tied, key=lambda sf: (sf[0], sf[1].matched, -sf[1].residual_m))[1]
    # Fits were scored on the fitting sample; the chosen one's match and residual are counted over every mine.
    x, y = chosen.apply(rec_x, rec_y)
    index, distance = found.nearest(x, y, rec_is_at, FIT_RADIUS_M)
    matched = index >= 0
    residual = float(np.sqrt(np.mean(distance[matched] ** 2))) if matched.any() else float("nan")
    return RigidFit(chosen.dx, chosen.dy, chosen.rotation_deg, cx, cy, int(matched.sum()), residual)


def _vote(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, candidates: np.ndarray,
          cx: float, cy: float, max_shift_m: float) -> list[tuple[float, float, float]]:
    """The strongest translation peaks over the trial rotations, as (rotation, dx, dy), distinct by PEAK_SEPARATION_M.

    Per rotation one histogram (np.bincount on a fixed grid of VOTE_BIN_M bins over ±max_shift_m) of every
    (recorded, found) pair of the same category, AP with AP and AT with AT, then each bin summed with its 8
    neighbours so that a peak split over a bin edge is not lost.
    """
    pick = np.unique(np.linspace(0, len(rec_x) - 1, min(len(rec_x), MAX_VOTING_MINES)).astype(np.int64))
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
    votes, rot_no, flat = kernels.vote(rx, ry, rec_is_at[pick], fx / VOTE_BIN_M, fy / VOTE_BIN_M, f_at, half,
                                       VOTE_CANDIDATES)
    bx, by = np.divmod(flat, side)
    return _distinct_peaks(votes, TRIAL_ROTATIONS_DEG[rot_no], (bx - half - 0.5) * VOTE_BIN_M,
                           (by - half - 0.5) * VOTE_BIN_M)


def _vote_numpy(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines,
                candidates: np.ndarray, cx: float, cy: float,
                max_shift_m: float) -> list[tuple[float, float, float]]:
    """The vote in numpy, one histogram per rotation: the reference kernels.vote is tested against."""
    pick = np.unique(np.linspace(0, len(rec_x) - 1, min(len(rec_x), MAX_VOTING_MINES)).astype(np.int64))
    if len(candidates) > MAX_VOTING_FOUND:
        candidates = candidates[np.linspace(0, len(candidates) - 1, MAX_VOTING_FOUND).astype(np.int64)]
    fx, fy, f_at = found.x[candidates], found.y[candidates], found.is_at[candidates]
    half = int(np.ceil(max_shift_m / VOTE_BIN_M))
    side = 2 * half + 2
    by_category = [(rec_is_at[pick] == flag, f_at == flag) for flag in (False, True)]
    found_of = [(fx[f] / VOTE_BIN_M, fy[f] / VOTE_BIN_M) for _, f in by_category]
    scored: list[tuple[float, float, float, float]] = []
    for rotation in TRIAL_ROTATIONS_DEG:
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
            continue
        hist = np.bincount(np.concatenate(flats), minlength=side * side)
        held = np.flatnonzero(hist)
        if not len(held):
            continue
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
    return np.unique(np.linspace(0, n - 1, min(n, MAX_FITTING_MINES)).astype(np.int64))


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
    scored = False
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
    n_matched = int(matched.sum())
    prior = PRIOR_MINES * len(px) / len(rec_x)  # the prior in mines of the whole record, whatever the sample
    share = n_matched / (max(on_worked, n_matched) + prior)
    return share, RigidFit(float(dx), float(dy), float(rotation), cx, cy, n_matched, residual)


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


def _one_to_one(src: np.ndarray, dst: np.ndarray, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closest-first pairing in which each point and each found mine is used once (rounds of mutual best choices)."""
    order = np.argsort(dist, kind="stable")
    src, dst, dist = src[order], dst[order], dist[order]
    kept_src, kept_dst, kept_dist = [], [], []
    for _ in range(4):  # later rounds only settle the few contested pairs
        if not len(src):
            break
        _, first = np.unique(src, return_index=True)  # each point's closest remaining mine
        proposals = np.sort(first)
        _, won = np.unique(dst[proposals], return_index=True)  # each mine goes to its closest proposer
        accepted = proposals[won]
        kept_src.append(src[accepted])
        kept_dst.append(dst[accepted])
        kept_dist.append(dist[accepted])
        free = ~np.isin(src, src[accepted]) & ~np.isin(dst, dst[accepted])
        src, dst, dist = src[free], dst[free], dist[free]
    if not kept_src:
        return src[:0], dst[:0], dist[:0]
    return np.concatenate(kept_src), np.concatenate(kept_dst), np.concatenate(kept_dist)
