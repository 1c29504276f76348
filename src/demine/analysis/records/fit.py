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

from demine.analysis.records.geometry import IDENTITY, RigidFit, rotate

VOTE_BIN_M = 4.0  # coarse enough that a 1-2° compass error does not split the peak over a short field
TRIAL_ROTATIONS_DEG = np.arange(-6.0, 6.01, 1.5)  # compass and grid/true north errors seen on forms
MAX_VOTING_MINES = 120  # recorded mines sampled for the vote (evenly along the record): cost, not accuracy
MAX_VOTING_FOUND = 1500  # found mines sampled likewise: the true peak keeps its lead, the cost stays bounded
PEAKS_REFINED = 4
ICP_ITERATIONS = 6
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


GRID_CELL_M = 16.0  # the widest pairing radius used; a point's partners lie in its own and the 8 next cells


class FoundMines:
    """Mines found (metric x, y) with their category, on a uniform grid for fast radius queries.

    A hash grid in numpy rather than a shapely STRtree: the fit asks tens of thousands of small radius queries per
    record, where the per-call overhead of the tree dominated (measured 4x slower).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, is_at: np.ndarray) -> None:
        self.x, self.y, self.is_at = np.asarray(x, float), np.asarray(y, float), np.asarray(is_at, bool)
        keys = self._keys(self.x, self.y, self.is_at)
        self._order = np.argsort(keys, kind="stable")
        self._sorted_keys = keys[self._order]

    @staticmethod
    def _keys(x: np.ndarray, y: np.ndarray, is_at: np.ndarray, ox: int = 0, oy: int = 0) -> np.ndarray:
        # Category is part of the key: an AP row pairs with AP mines only, an AT row with AT mines.
        cx = np.floor(x / GRID_CELL_M).astype(np.int64) + ox
        cy = np.floor(y / GRID_CELL_M).astype(np.int64) + oy
        return (cx * 4_000_037 + cy) * 2 + is_at.astype(np.int64)

    def pairs(self, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, within_m: float,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (point, found mine of the same category, distance) closer than within_m (≤ GRID_CELL_M)."""
        src_parts, dst_parts = [], []
        for ox in (-1, 0, 1):
            for oy in (-1, 0, 1):
                keys = self._keys(x, y, is_at, ox, oy)
                lo = np.searchsorted(self._sorted_keys, keys, "left")
                hi = np.searchsorted(self._sorted_keys, keys, "right")
                n = hi - lo
                src = np.repeat(np.arange(len(x)), n)
                within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
                src_parts.append(src)
                dst_parts.append(self._order[np.repeat(lo, n) + within])
        src, dst = np.concatenate(src_parts), np.concatenate(dst_parts)
        dist = np.hypot(x[src] - self.x[dst], y[src] - self.y[dst])
        keep = dist <= within_m
        return src[keep], dst[keep], dist[keep]

    def nearest(self, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, within_m: float) -> tuple[np.ndarray, np.ndarray]:
        """One-to-one pairing: for each point the found mine of the same category it is paired with (-1: none).

        Pairs are taken closest first and each found mine serves once, so that a record with twice the mines of the
        ground (a halved spacing) cannot claim every found mine twice.
        """
        index = np.full(len(x), -1, dtype=np.int64)
        distance = np.full(len(x), np.inf)
        src, dst, dist = self.pairs(np.asarray(x, float), np.asarray(y, float), np.asarray(is_at, bool), within_m)
        src, dst, dist = _one_to_one(src, dst, dist)
        index[src], distance[src] = dst, dist
        return index, distance

    def within(self, area: shapely.Geometry) -> np.ndarray:
        """Indices of the found mines inside an area (either category)."""
        minx, miny, maxx, maxy = shapely.bounds(area)
        box = np.flatnonzero((self.x >= minx) & (self.x <= maxx) & (self.y >= miny) & (self.y <= maxy))
        if not len(box):
            return box
        inside = shapely.contains_xy(area, self.x[box], self.y[box])
        return box[inside]


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
    for peak in peaks:
        fit = _refine(rec_x, rec_y, rec_is_at, found, cx, cy, peak)
        if fit is None:
            continue
        on_worked = int(worked(*fit.apply(rec_x, rec_y)).sum())
        scored.append((fit.matched / (max(on_worked, fit.matched) + PRIOR_MINES), fit))
    if not scored:
        return IDENTITY
    best = max(share for share, _ in scored)
    tied = [(share, fit) for share, fit in scored if share >= best - SHARE_MARGIN]
    near = [fit for _, fit in tied if fit.shift_m <= NEAR_AS_WRITTEN_M]
    if near:  # the record as written (or nearly) is as good as any move: keep it, do not slide it along its rows
        return min(near, key=lambda f: f.shift_m)
    # A real reference-point error: the best-matching fit, not the smallest slide that is almost as good, since a
    # slide of whole spacings along the rows scores nearly the same and would be off by that much.
    return max(tied, key=lambda sf: (sf[0], sf[1].matched, -sf[1].residual_m))[1]


def _vote(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, candidates: np.ndarray,
          cx: float, cy: float, max_shift_m: float) -> list[tuple[float, float, float]]:
    pick = np.unique(np.linspace(0, len(rec_x) - 1, min(len(rec_x), MAX_VOTING_MINES)).astype(np.int64))
    if len(candidates) > MAX_VOTING_FOUND:
        candidates = candidates[np.linspace(0, len(candidates) - 1, MAX_VOTING_FOUND).astype(np.int64)]
    fx, fy, f_at = found.x[candidates], found.y[candidates], found.is_at[candidates]
    scored: list[tuple[int, float, float, float]] = []
    for rotation in TRIAL_ROTATIONS_DEG:
        rx, ry = rotate(rec_x[pick], rec_y[pick], float(rotation), cx, cy)
        dx = fx[None, :] - rx[:, None]
        dy = fy[None, :] - ry[:, None]
        ok = (f_at[None, :] == rec_is_at[pick][:, None]) & (np.abs(dx) <= max_shift_m) & (np.abs(dy) <= max_shift_m)
        if not ok.any():
            continue
        bx = np.floor(dx[ok] / VOTE_BIN_M).astype(np.int64)
        by = np.floor(dy[ok] / VOTE_BIN_M).astype(np.int64)
        keys, counts = np.unique(bx * 100_003 + by, return_counts=True)
        # Sum each bin with its 8 neighbours so that a peak split over a bin edge is not lost.
        lookup = dict(zip(keys.tolist(), counts.tolist()))
        top = keys[np.argsort(counts)[-3 * PEAKS_REFINED:]]
        for key in top.tolist():
            kx, ky = _unkey(key)
            total = sum(lookup.get((kx + i) * 100_003 + (ky + j), 0) for i in (-1, 0, 1) for j in (-1, 0, 1))
            scored.append((total, float(rotation), (kx + 0.5) * VOTE_BIN_M, (ky + 0.5) * VOTE_BIN_M))
    scored.sort(reverse=True)
    return [(rot, dx, dy) for _, rot, dx, dy in scored[:PEAKS_REFINED]]


def _unkey(key: int) -> tuple[int, int]:
    # Inverse of bx * 100_003 + by for |by| < 50_001 bins (200 km at 4 m): far beyond any shift sought.
    kx = round(key / 100_003)
    return kx, key - kx * 100_003


def _refine(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, found: FoundMines, cx: float, cy: float,
            start: tuple[float, float, float]) -> RigidFit | None:
    rotation, dx, dy = start
    radius = 4 * FIT_RADIUS_M  # wide first: a trial rotation 0.75° off moves the ends of a 1 km field by 6 m
    for _ in range(ICP_ITERATIONS):
        x, y = rotate(rec_x, rec_y, rotation, cx, cy, dx, dy)
        index, _ = found.nearest(x, y, rec_is_at, radius)
        paired = index >= 0
        if paired.sum() < 3:
            break
        rotation, dx, dy = _kabsch(rec_x[paired], rec_y[paired], found.x[index[paired]], found.y[index[paired]], cx,
                                   cy)
        radius = max(FIT_RADIUS_M, radius / 2)
    if abs(rotation) > MAX_ROTATION_DEG:
        return None  # a turn this large is not how a reference point goes wrong
    x, y = rotate(rec_x, rec_y, rotation, cx, cy, dx, dy)
    index, distance = found.nearest(x, y, rec_is_at, FIT_RADIUS_M)
    matched = index >= 0
    residual = float(np.sqrt(np.mean(distance[matched] ** 2))) if matched.any() else float("nan")
    return RigidFit(float(dx), float(dy), float(rotation), cx, cy, int(matched.sum()), residual)


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
