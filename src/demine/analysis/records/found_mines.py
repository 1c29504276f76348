"""The mines found, indexed once for a whole verification run, and the one-to-one pairing of points with them.

A record asks some twenty questions of the mines found around it (which lie inside an area, which is closest to
each of its mines, which pairs one to one); at 10 million mines these must be slices of a national index and compiled
loops over a small grid, not scans (docs/records-verification-speed.md).
"""

from __future__ import annotations

import numba
import numpy as np
import shapely
from scipy.spatial import cKDTree

from demine.analysis.records import kernels

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
            return kernels.in_box(self.x, self.y, *self._cells, 1, float(minx), float(miny), float(maxx), float(maxy))
        return kernels.in_box(self.x, self.y, *self._grid, 2, float(minx), float(miny), float(maxx), float(maxy))

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
        x0, y0, x1, y1 = kernels.extent(x, y)
        return self._covers(x0 - within_m, y0 - within_m, x1 + within_m, y1 + within_m)

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

    def in_box(self, minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
        """Indices (ascending) of the found mines in a box, edges included; a box reaching beyond a view's window is
        answered by its parent, so that a view answers as the national index."""
        if self._parent is not None and not self._covers(minx, miny, maxx, maxy):
            return self._parent.in_box(minx, miny, maxx, maxy)
        return self._box(minx, miny, maxx, maxy)

    def near_box(self, minx: float, miny: float, maxx: float, maxy: float, distance: float) -> np.ndarray:
        """Indices (ascending) of the found mines within `distance` of a box (inside it included): the box widened
        by the distance with round corners, exactly (a buffer polygon cuts its corners by chords)."""
        box = self.in_box(minx - distance, miny - distance, maxx + distance, maxy + distance)
        return _near_box(self.x, self.y, box, float(minx), float(miny), float(maxx), float(maxy), float(distance))

    def within(self, area: shapely.Geometry) -> np.ndarray:
        """Indices of the found mines inside an area (either category)."""
        minx, miny, maxx, maxy = shapely.bounds(area)
        if self._parent is not None and not self._covers(minx, miny, maxx, maxy):
            return self._parent.within(area)
        box = self._box(minx, miny, maxx, maxy)
        if not len(box):
            return box
        return box[shapely.contains_xy(area, self.x[box], self.y[box])]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _near_box(x: np.ndarray, y: np.ndarray, box: np.ndarray, minx: float, miny: float, maxx: float, maxy: float,
              distance: float) -> np.ndarray:
    """Of the mines `box` (in the widened box), those within `distance` of the box: the arithmetic of the numpy
    filter it replaces, term by term, in one call instead of a dozen array operations."""
    out = np.empty(len(box), np.int64)
    m = 0
    for t in range(len(box)):
        j = box[t]
        dx = max(max(minx - x[j], x[j] - maxx), 0.0)
        dy = max(max(miny - y[j], y[j] - maxy), 0.0)
        if dx * dx + dy * dy <= distance * distance:
            out[m] = j
            m += 1
    return out[:m]


NATIONAL_CELL_M = 250.0  # cells of the national index: a record's surroundings (1.5-3 km) span a dozen columns
MAX_NATIONAL_CELLS = 4_000_000  # wider cells over a larger country, so that the offsets stay small (32 MB)


def _national_cells(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float, float, int, int]:
    finite, minx, miny, maxx, maxy = kernels.finite_extent(x, y)
    if not finite:
        return np.zeros(0, np.int64), np.zeros(3, np.int64), 0.0, 0.0, NATIONAL_CELL_M, 1, 1
    cell = max(NATIONAL_CELL_M, float(np.sqrt((maxx - minx + 1) * (maxy - miny + 1) / MAX_NATIONAL_CELLS)))
    nx, ny = int((maxx - minx) // cell) + 1, int((maxy - miny) // cell) + 1
    order, starts = kernels.build_cells(x, y, minx, miny, cell, nx, ny)
    return order, starts, minx, miny, cell, nx, ny


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
