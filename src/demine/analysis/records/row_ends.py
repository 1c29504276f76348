"""Where a record's rows end, read back from its recorded mine positions: what tells a true offset from a slide.

Rows repeat every spacing, so a fit slid by whole spacings along the rows pairs almost as many recorded mines as the
true one. Only the ends of the rows differ: slid one way, the recorded rows run past the found rows' ends onto worked
land where nothing was found (the share of fit.py already counts that); slid the other way, the found rows run past
the recorded ends and their last mines are left unexplained, which a share over the recorded mines cannot see. So the
found mines lying where a fitted row would continue, one or two spacings beyond either end, count against the fit.

The rows are recovered from the positions alone (fit.best_fit receives no row table): recorded mines come row by row
(geometry.recorded_mines walks each row from its start), so a row is a run of consecutive mines of one category whose
steps are all the same vector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np

from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import RigidFit
from demine.analysis.records.kernels import _closest_one, _rotate_one
from demine.analysis.records.rings import _covered

# Steps of one row differ by millimetres (a geodesic in a conformal frame); steps across a row change are metres off.
SAME_STEP_M = 0.05
MIN_SPACING_M = 0.5  # steps shorter than this are not a row's spacing (duplicated positions)
ROW_END_MINES = 2  # positions sought beyond each end: one mine missing there (never laid, not found) is forgiven
# The slide profile: pairs this close across the rows vote for their offset along them, in bins this wide, and the
# profile is read in windows of three bins (a metre and a half: a metre of laying and GPS error either way).
SLIDE_ACROSS_M = 1.5
SLIDE_BIN_M = 0.5
SLIDE_WINDOW_BINS = 3


@dataclass(frozen=True, slots=True)
class RowEnds:
    """The positions where a record's rows would continue beyond their ends (recorded frame), and the rows' steps."""

    x: np.ndarray
    y: np.ndarray
    is_at: np.ndarray
    steps: np.ndarray  # (k, 2): the distinct step vectors of the rows, the one carrying the most mines first
    last: np.ndarray  # indices of the recorded mines at the rows' ends (ROW_END_MINES at each end)

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, *, within_m: float) -> RowEnds:
        """From recorded mines in walking order; continuations within `within_m` of a recorded mine are dropped
        (a found mine there is the record's own, e.g. at the corner where a protective ring turns)."""
        first, stop, ex, ey, e_at, last = _read_rows(np.asarray(x, float), np.asarray(y, float),
                                                     np.asarray(is_at, np.bool_), SAME_STEP_M, MIN_SPACING_M,
                                                     ROW_END_MINES, within_m)
        if not len(first):
            return cls(np.zeros(0), np.zeros(0), np.zeros(0, bool), np.zeros((0, 2)), np.zeros(0, np.int64))
        return cls(ex, ey, e_at, _distinct_steps(x[first], y[first], x[stop], y[stop], stop - first), last)

    def misfits(self, fit: RigidFit, offsets: np.ndarray, rec_x: np.ndarray, rec_y: np.ndarray,
                rec_is_at: np.ndarray, found: FoundMines, worked: Callable[[np.ndarray, np.ndarray], np.ndarray],
                within_m: float) -> np.ndarray:
        """For the fit moved by each of `offsets` (k, 2), how badly its rows' ends sit on the found rows' ends:
        recorded end mines on worked land with no found mine within `within_m` (the record runs past the found row),
        plus found mines where the fitted rows would continue (the found row runs past the record). Every offset is
        asked in one query of each index."""
        n_end = len(self.last)
        # The end mines and the continuations moved by the fit (geometry.rotate's cosine, sine and arithmetic).
        t = np.radians(-fit.rotation_deg)
        bx, by, b_at = _moved(rec_x, rec_y, rec_is_at, self.last, self.x, self.y, self.is_at, float(np.cos(t)),
                              float(np.sin(t)), fit.centre_x, fit.centre_y, fit.dx, fit.dy)
        grid, rings = found._grid, getattr(worked, "rings", None)  # metrics.WorkedNear: its polygons, compiled
        if grid is not None and rings is not None and len(bx):
            # Every offset in one compiled call, when all of them stay within the view's window and the worked
            # land's box (as kernels.score_peak); otherwise the indexes answer as below.
            x0, x1 = float(bx.min() + offsets[:, 0].min()), float(bx.max() + offsets[:, 0].max())
            y0, y1 = float(by.min() + offsets[:, 1].min()), float(by.max() + offsets[:, 1].max())
            wx0, wy0, wx1, wy1 = found._window
            box = worked.box
            if (x0 - within_m >= wx0 and y0 - within_m >= wy0 and x1 + within_m <= wx1 and y1 + within_m <= wy1
                    and x0 >= box[0] and y0 >= box[1] and x1 <= box[2] and y1 <= box[3]):
                return _misfits(bx, by, b_at, n_end, np.ascontiguousarray(offsets, dtype=float), within_m, found.x,
                                found.y, *grid, worked.hits, rings.xs, rings.ys, rings.ring_starts, rings.geom_rings,
                                rings.bounds)
        x = (bx[None, :] + offsets[:, :1]).ravel()
        y = (by[None, :] + offsets[:, 1:]).ravel()
        index, _ = found.closest(x, y, np.tile(b_at, len(offsets)), within_m)
        hit = (index >= 0).reshape(len(offsets), len(b_at))
        end = np.zeros((len(offsets), len(b_at)), bool)
        end[:, :n_end] = True
        on_worked = np.zeros_like(hit)
        on_worked[end] = worked(x[end.ravel()], y[end.ravel()])
        overrun = (on_worked[:, :n_end] & ~hit[:, :n_end]).sum(axis=1)
        underrun = hit[:, n_end:].sum(axis=1)
        return (overrun + underrun).astype(np.int64)


def slide_peaks(x: np.ndarray, y: np.ndarray, is_at: np.ndarray, found: FoundMines, direction: np.ndarray,
                reach_m: float, peaks: int, apart_m: float) -> np.ndarray:
    """The offsets along `direction` (metres, either way up to reach_m, none within apart_m of 0) at which the
    recorded mines (x, y, already moved by a fit) line up with the most found mines of their category: the
    strongest `peaks` of the profile, each at least apart_m from the others.

    A fit that lies along its field but slid by some distance along the rows pairs the part of each row that still
    overlaps the found row; at the true offset every row overlaps at once, and rows of different spacings line up
    only there. The vote's 4 m bins over two dimensions cannot see that; one dimension at half a metre can.
    """
    length = float(np.hypot(direction[0], direction[1]))
    if not len(x) or length == 0 or reach_m <= 0:
        return np.zeros(0)
    ux, uy = float(direction[0]) / length, float(direction[1]) / length
    near = found.in_box(float(x.min()) - reach_m, float(y.min()) - reach_m, float(x.max()) + reach_m,
                        float(y.max()) + reach_m)
    # Only found mines on the lines of the recorded rows can pair (the rows are parallel: a found mine's distance
    # across them, against the sorted recorded ones), which leaves a few hundred of the thousands in the box.
    across = np.sort(y * ux - x * uy)
    f_across = found.y[near] * ux - found.x[near] * uy
    at = np.searchsorted(across, f_across)
    gap = np.minimum(np.abs(f_across - across[np.maximum(at - 1, 0)]),
                     np.abs(across[np.minimum(at, len(across) - 1)] - f_across))
    near = near[gap <= SLIDE_ACROSS_M + 1e-6]  # a hair wide: the kernel's own difference decides at the edge
    profile = _slide_profile(x, y, is_at, found.x[near], found.y[near], found.is_at[near], ux, uy, reach_m,
                             SLIDE_BIN_M, SLIDE_ACROSS_M)
    window = np.convolve(profile, np.ones(SLIDE_WINDOW_BINS, np.int64), mode="same")
    offsets = (np.arange(len(window)) + 0.5) * SLIDE_BIN_M - reach_m
    return _strongest(window, offsets, peaks, apart_m)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _strongest(window: np.ndarray, offsets: np.ndarray, peaks: int, apart_m: float) -> np.ndarray:
    """Up to `peaks` offsets, strongest window first (on a tie the smaller offset), none within apart_m of 0 or of
    one chosen before, and none with an empty window.

    The same as walking the bins by a stable sort of −window and keeping each one apart from those kept: each pick
    is the strongest bin apart from the picks before it (the bins the walk passes before a pick are within apart_m
    of 0 or of an earlier pick, and stay so). A few passes over the bins instead of the walk, which went past the
    bins beside each strong one one by one in Python."""
    chosen = np.empty(peaks)
    m = 0
    while m < peaks:
        best = -1
        for k in range(len(window)):
            if window[k] <= 0 or (best >= 0 and window[k] <= window[best]) or abs(offsets[k]) <= apart_m:
                continue
            apart = True
            for q in range(m):
                if not abs(offsets[k] - chosen[q]) > apart_m:
                    apart = False
                    break
            if apart:
                best = k
        if best < 0:
            break
        chosen[m] = offsets[best]
        m += 1
    return chosen[:m]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _slide_profile(x: np.ndarray, y: np.ndarray, is_at: np.ndarray, fx: np.ndarray, fy: np.ndarray,
                   f_at: np.ndarray, ux: float, uy: float, reach: float, bin_m: float, across: float) -> np.ndarray:
    """Pairs (recorded, found of the same category) within `across` of each other across the direction (ux, uy),
    counted by their offset along it (bins of bin_m over -reach..reach)."""
    n_bins = int(np.ceil(2 * reach / bin_m))
    profile = np.zeros(n_bins, np.int64)
    for i in range(len(x)):
        for j in range(len(fx)):
            if f_at[j] != is_at[i]:
                continue
            dx, dy = fx[j] - x[i], fy[j] - y[i]
            if abs(dy * ux - dx * uy) > across:
                continue
            b = int(np.floor((dx * ux + dy * uy + reach) / bin_m))
            if 0 <= b < n_bins:
                profile[b] += 1
    return profile


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _misfits(bx: np.ndarray, by: np.ndarray, b_at: np.ndarray, n_end: int, offsets: np.ndarray, within: float,
             x: np.ndarray, y: np.ndarray, order: np.ndarray, starts: np.ndarray, minx: float, miny: float,
             cell: float, nx: int, ny: int, hits: np.ndarray, xs: np.ndarray, ys: np.ndarray,
             ring_starts: np.ndarray, geom_rings: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """RowEnds.misfits in one call: the points (the fit's end mines, then its continuations) moved by each offset,
    each point's closest found mine of its category (kernels.closest's rule) and, for the end mines with none, whether
    they lie on worked land (rings._covered over the released polygons `hits`)."""
    n_off, n = len(offsets), len(bx)
    bound = within * (1 + 1e-9)
    out = np.zeros(n_off, np.int64)
    lone_x = np.empty(n_off * n_end)
    lone_y = np.empty(n_off * n_end)
    lone_of = np.empty(n_off * n_end, np.int64)
    m = 0
    for k in range(n_off):
        for i in range(n):
            px, py = bx[i] + offsets[k, 0], by[i] + offsets[k, 1]
            best, _ = _closest_one(px, py, b_at[i], bound, x, y, order, starts, minx, miny, cell, nx, ny)
            if i >= n_end:
                if best >= 0:
                    out[k] += 1  # a found mine where the fitted row would continue
            elif best < 0:
                lone_x[m], lone_y[m], lone_of[m] = px, py, k
                m += 1
    if m and len(hits):
        on_worked = _covered(hits, lone_x[:m], lone_y[:m], xs, ys, ring_starts, geom_rings, bounds)
        for j in range(m):
            if on_worked[j]:
                out[lone_of[j]] += 1  # a recorded end mine on worked land with nothing found
    return out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _moved(rec_x: np.ndarray, rec_y: np.ndarray, rec_is_at: np.ndarray, last: np.ndarray, ex: np.ndarray,
           ey: np.ndarray, e_at: np.ndarray, c: float, s: float, cx: float, cy: float, dx: float,
           dy: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The recorded mines `last` followed by the continuations (ex, ey), turned by (c, s) about (cx, cy) and moved by
    (dx, dy) as geometry.rotate moves points (kernels._rotate_one), with their categories: one call where the
    concatenations and the rotation took a dozen numpy calls."""
    n_end = len(last)
    n = n_end + len(ex)
    bx, by, b_at = np.empty(n), np.empty(n), np.empty(n, np.bool_)
    for i in range(n):
        if i < n_end:
            x, y, at = rec_x[last[i]], rec_y[last[i]], rec_is_at[last[i]]
        else:
            x, y, at = ex[i - n_end], ey[i - n_end], e_at[i - n_end]
        bx[i], by[i] = _rotate_one(x, y, c, s, cx, cy, dx, dy)
        b_at[i] = at
    return bx, by, b_at


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _read_rows(x: np.ndarray, y: np.ndarray, is_at: np.ndarray, same_step: float, min_spacing: float, ends: int,
               within: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rows (first and last mine of each run of at least three mines of one category whose steps are all the
    same vector), the `ends` continuation positions beyond each end of each row (those within `within` of a row end
    mine or of a mine outside every row dropped: rows are parallel lines metres apart, so only another row's end, a
    row continued under another label or the corner where a protective ring turns, or a mine outside every row can
    lie there), and the indices of the `ends` mines at each end of each row. One call: a record's rows are read in
    a few microseconds instead of some forty numpy calls."""
    n = len(x)
    first = np.empty(n, np.int64)
    stop = np.empty(n, np.int64)
    in_row = np.zeros(n, np.bool_)
    rows = 0
    i = 0
    while i < n - 2:
        sx, sy = x[i + 1] - x[i], y[i + 1] - y[i]
        if is_at[i + 1] != is_at[i] or np.hypot(sx, sy) < min_spacing:
            i += 1
            continue
        j = i + 1
        while j < n - 1 and is_at[j + 1] == is_at[j] and np.hypot(x[j + 1] - x[j] - sx, y[j + 1] - y[j] - sy) < same_step:
            j += 1
        if j - i < 2:
            i += 1
            continue
        first[rows], stop[rows] = i, j
        in_row[i:j + 1] = True
        rows += 1
        i = j + 1
    first, stop = first[:rows], stop[:rows]
    last = np.empty(2 * ends * rows, np.int64)
    k = 0
    for r in range(rows):
        for e in range(ends):
            last[k] = min(first[r] + e, stop[r])
            last[k + 1] = max(stop[r] - e, first[r])
            k += 2
    last = np.unique(last)
    own = np.concatenate((last, np.flatnonzero(~in_row)))
    ex = np.empty(2 * ends * rows)
    ey = np.empty(2 * ends * rows)
    e_at = np.empty(2 * ends * rows, np.bool_)
    k = 0
    for r in range(rows):
        a, b = first[r], stop[r]
        vx, vy = (x[b] - x[a]) / (b - a), (y[b] - y[a]) / (b - a)
        for e in range(1, ends + 1):
            for px, py in ((x[a] - e * vx, y[a] - e * vy), (x[b] + e * vx, y[b] + e * vy)):
                free = True
                for o in own:
                    if np.hypot(px - x[o], py - y[o]) <= within:
                        free = False
                        break
                if free:
                    ex[k], ey[k], e_at[k] = px, py, is_at[a]
                    k += 1
    return first, stop, ex[:k], ey[:k], e_at[:k], last


def _distinct_steps(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The rows' steps (rows from (x0, y0) to (x1, y1) in `steps` steps), each counted once (a step and its reverse
    are one direction of slide, tried both ways), the step carrying the most mines first. A few rows: plain Python."""
    groups: dict[tuple[int, int], list[float]] = {}
    for ax, ay, bx, by, m in zip(x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist(), steps.tolist()):
        vx, vy = (bx - ax) / m, (by - ay) / m
        if vx < 0 or (vx == 0 and vy < 0):
            vx, vy = -vx, -vy
        group = groups.setdefault((round(vx / (2 * SAME_STEP_M)), round(vy / (2 * SAME_STEP_M))), [0.0, 0.0, 0.0])
        group[0] += vx * m
        group[1] += vy * m
        group[2] += m
    ranked = sorted(groups.values(), key=lambda g: -g[2])  # stable: the first row's step first on a tie
    return np.array([[g[0] / g[2], g[1] / g[2]] for g in ranked])
