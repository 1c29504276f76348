"""Compiled loops of the record fit: a record's whole vote, whole refinement and pairing in one call each.

A record cost some 10,000 small numpy, shapely and k-d tree calls, and their number, not their size, set the time
(docs/records-verification-speed.md). These kernels do the same arithmetic in one loop per call:

- a grid (cell hash) of the mines found near one record, per category, in place of the k-d trees of its view: the
  mines near a record are already local, so a query reads the few cells within its radius;
- the closest found mine within a radius and the one-to-one pairing (closest first, rounds of mutual best choices,
  as found_mines._one_to_one) read from that grid;
- the iterations of the fit (closest pairs, closed-form rotation) from one peak to convergence;
- the scoring of a refined peak (the sample moved, paired one to one, counted on worked land);
- the translation vote over trial rotations × recorded × found pairs, binned into one histogram per rotation.

Compiled once per machine (`cache=True` keeps the machine code beside the module); the first call of a fresh
checkout compiles for some seconds.

Two habits of the inner loops, each worth 5-25% of a kernel's time with the same results to the bit
(docs/records-verification-speed.md, tenth sitting): arrays are indexed with unsigned integers there, since numba
tests every signed index for a negative value to wrap it around; and `error_model="numpy"` drops the test for a zero
divisor before each division (none of these divides by zero: a test would only have raised).
"""

from __future__ import annotations

import numba
import numpy as np

from demine.analysis.records.pairing import mutual_best
from demine.analysis.records.rings import _covered

GRID_CELL_M = 16.0  # the widest radius the fit asks (4 × FIT_RADIUS_M): a query reads at most 3 × 3 cells


@numba.njit(cache=True, nogil=True, error_model="numpy")
def build_grid(x: np.ndarray, y: np.ndarray, is_at: np.ndarray, own: np.ndarray, minx: float, miny: float,
               cell: float, nx: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """The found mines `own` (national indices) bucketed by (category, cell) by a counting sort: `order[starts[b]:
    starts[b + 1]]` are the mines of bucket b = category × nx × ny + column × ny + row."""
    n = len(own)
    key = np.empty(n, np.int64)
    starts = np.zeros(2 * nx * ny + 1, np.int64)
    for t in range(n):
        j = own[t]
        cx = _cell(x[j], minx, cell, nx)
        cy = _cell(y[j], miny, cell, ny)
        b = (nx * ny if is_at[j] else 0) + cx * ny + cy
        key[t] = b
        starts[b + 1] += 1
    for b in range(2 * nx * ny):
        starts[b + 1] += starts[b]
    fill = starts[:-1].copy()
    order = np.empty(n, np.int64)
    for t in range(n):  # own is sorted, so each bucket keeps national order
        order[fill[key[t]]] = own[t]
        fill[key[t]] += 1
    return order, starts


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _cell(v: float, lo: float, cell: float, n: int) -> int:
    """The cell (0 to n - 1) of a coordinate on an axis of n cells from lo, clamped at the edges: every grid and box
    query here indexes its cells so, which is what makes a mine's cell monotonic in its position."""
    return min(max(int(np.floor((v - lo) / cell)), 0), n - 1)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _cells(q: float, r: float, lo: float, cell: float, n: int) -> tuple[int, int]:
    return _cell(q - r, lo, cell, n), _cell(q + r, lo, cell, n)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def closest(qx: np.ndarray, qy: np.ndarray, q_at: np.ndarray, within: float, x: np.ndarray, y: np.ndarray,
            order: np.ndarray, starts: np.ndarray, minx: float, miny: float, cell: float, nx: int,
            ny: int) -> tuple[np.ndarray, np.ndarray]:
    """Each point's closest found mine of its category within `within` (-1 and inf: none), as FoundMines.closest."""
    n = len(qx)
    index = np.full(n, -1, np.int64)
    distance = np.full(n, np.inf)
    bound = within * (1 + 1e-9)
    for i in range(n):
        best, bd2 = _closest_one(qx[i], qy[i], q_at[i], bound, x, y, order, starts, minx, miny, cell, nx, ny)
        if best >= 0:
            index[i], distance[i] = best, np.sqrt(bd2)
    return index, distance


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _closest_one(px: float, py: float, at: bool, bound: float, x: np.ndarray, y: np.ndarray, order: np.ndarray,
                 starts: np.ndarray, minx: float, miny: float, cell: float, nx: int, ny: int) -> tuple[int, float]:
    base = nx * ny if at else 0
    c0, c1 = _cells(px, bound, minx, cell, nx)
    r0, r1 = _cells(py, bound, miny, cell, ny)
    best, bd2 = -1, bound * bound
    for cx in range(c0, c1 + 1):
        for cy in range(r0, r1 + 1):
            b = base + cx * ny + cy
            for t in range(starts[b], starts[b + 1]):
                j = order[np.uint64(t)]
                uj = np.uint64(j)
                ddx, ddy = x[uj] - px, y[uj] - py
                d2 = ddx * ddx + ddy * ddy
                if d2 < bd2 or (d2 == bd2 and best >= 0 and j < best):
                    best, bd2 = j, d2
    return best, bd2


@numba.njit(cache=True, nogil=True, error_model="numpy")
def nearest_one_to_one(qx: np.ndarray, qy: np.ndarray, q_at: np.ndarray, within: float, k: int, x: np.ndarray,
                       y: np.ndarray, order: np.ndarray, starts: np.ndarray, minx: float, miny: float, cell: float,
                       nx: int, ny: int) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one pairing as FoundMines.nearest: up to k candidates per point within `within`, taken closest first in
    rounds of mutual best choices (found_mines._one_to_one), each point and each found mine used once."""
    n = len(qx)
    bound = within * (1 + 1e-9)
    skip2 = (bound * (1 + 1e-12)) ** 2  # its square root is above the bound whatever the rounding
    src = np.empty(n * k, np.int64)
    dst = np.empty(n * k, np.int64)  # position in `order` (a local id), national index by order[dst]
    dist = np.empty(n * k)
    m = 0
    cand_t = np.empty(k, np.int64)
    cand_d = np.empty(k)
    for flag in (False, True):  # AP points first, then AT, as the k-d tree path lists them
        base = nx * ny if flag else 0
        for i in range(n):
            if q_at[i] != flag:
                continue
            got = 0
            c0, c1 = _cells(qx[i], bound, minx, cell, nx)
            r0, r1 = _cells(qy[i], bound, miny, cell, ny)
            for cx in range(c0, c1 + 1):
                for cy in range(r0, r1 + 1):
                    b = base + cx * ny + cy
                    for t in range(starts[b], starts[b + 1]):
                        uj = np.uint64(order[np.uint64(t)])
                        ddx, ddy = x[uj] - qx[i], y[uj] - qy[i]
                        d2 = ddx * ddx + ddy * ddy
                        if d2 > skip2:  # surely beyond the bound: no square root
                            continue
                        d = np.sqrt(d2)
                        if d >= bound:
                            continue
                        if got == k and d >= cand_d[k - 1]:
                            continue
                        pos = got if got < k else k - 1  # insert sorted, dropping the farthest when full
                        while pos > 0 and cand_d[pos - 1] > d:
                            if pos < k:
                                cand_d[pos], cand_t[pos] = cand_d[pos - 1], cand_t[pos - 1]
                            pos -= 1
                        cand_d[pos], cand_t[pos] = d, t
                        if got < k:
                            got += 1
            for g in range(got):
                src[m], dst[m], dist[m] = i, cand_t[g], cand_d[g]
                m += 1
    return mutual_best(src[:m], dst[:m], dist[:m], n, order)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _rotate_one(x: float, y: float, c: float, s: float, cx: float, cy: float, dx: float,
                dy: float) -> tuple[float, float]:
    px, py = x - cx, y - cy  # as geometry.rotate, term by term
    return cx + c * px - s * py + dx, cy + s * px + c * py + dy


@numba.njit(cache=True, nogil=True, error_model="numpy")
def refine(sx: np.ndarray, sy: np.ndarray, s_at: np.ndarray, ax: np.ndarray, ay: np.ndarray, a_at: np.ndarray,
           cx: float, cy: float, rotation: float, dx: float, dy: float, x: np.ndarray, y: np.ndarray,
           order: np.ndarray, starts: np.ndarray, minx: float, miny: float, cell: float, nx: int, ny: int,
           window: np.ndarray, iterations: int, min_pairs: int, fit_radius: float, converged: float,
           reach: float) -> tuple[float, float, float, bool, bool]:
    """The iterations of fit._refine from one peak: (rotation, dx, dy, all mines used, answered). Pairs closest
    within a radius halving from 4 × fit_radius, closed-form rotation (Kabsch) about (cx, cy); the sample (sx, sy)
    gives way to every recorded mine (ax, ay) when fewer than min_pairs pair. Not answered (False) when a query would
    reach beyond the grid's window: the caller then asks the national index."""
    use_all = False
    radius = 4 * fit_radius
    n_all = len(ax)
    for _ in range(iterations):
        px, py, p_at = (ax, ay, a_at) if use_all else (sx, sy, s_at)
        n = len(px)
        t = np.radians(-rotation)
        c, s = np.cos(t), np.sin(t)
        qx = np.empty(n)
        qy = np.empty(n)
        for i in range(n):
            qx[i], qy[i] = _rotate_one(px[i], py[i], c, s, cx, cy, dx, dy)
        if n and (qx.min() - radius < window[0] or qy.min() - radius < window[1] or qx.max() + radius > window[2]
                  or qy.max() + radius > window[3]):
            return rotation, dx, dy, use_all, False
        bound = radius * (1 + 1e-9)
        # Closest pairs and the sums of the closed-form fit, accumulated in one pass.
        paired = 0
        sax = say = sbx = sby = 0.0
        pj = np.empty(n, np.int64)
        for i in range(n):
            best, _ = _closest_one(qx[i], qy[i], p_at[i], bound, x, y, order, starts, minx, miny, cell, nx, ny)
            pj[i] = best
            if best >= 0:
                paired += 1
                sax += px[i] - cx
                say += py[i] - cy
                sbx += x[best] - cx
                sby += y[best] - cy
        if paired < min_pairs and n < n_all:
            use_all = True  # little of the record is found: every recorded mine is needed to pin the fit
            continue
        if paired < 3:
            break
        mx, my, nmx, nmy = sax / paired, say / paired, sbx / paired, sby / paired
        sxx = sxy = 0.0
        for i in range(n):
            j = pj[i]
            if j >= 0:
                ex, ey = px[i] - cx - mx, py[i] - cy - my
                fx, fy = x[j] - cx - nmx, y[j] - cy - nmy
                sxx += ex * fx + ey * fy
                sxy += ex * fy - ey * fx
        theta = np.arctan2(sxy, sxx)
        ct, st = np.cos(theta), np.sin(theta)
        new_dx = nmx - (ct * mx - st * my)
        new_dy = nmy - (st * mx + ct * my)
        new_rot = -np.degrees(theta)
        moved = np.hypot(new_dx - dx, new_dy - dy) + np.radians(abs(new_rot - rotation)) * reach
        rotation, dx, dy = new_rot, new_dx, new_dy
        if radius == fit_radius and moved < converged:
            break  # the pairs no longer change the fit
        radius = max(fit_radius, radius / 2)
    return rotation, dx, dy, use_all, True


@numba.njit(cache=True, nogil=True, error_model="numpy")
def distinct_peaks(votes: np.ndarray, dx: np.ndarray, dy: np.ndarray, plateau_share: float, plateau_ends: int,
                   peaks: int, separation: float) -> np.ndarray:
    """vote.distinct_peaks_of_list's choice over candidates sorted best first: the strongest, the ends of the run
    tied with it (the farthest from those chosen, first of equals), then the first candidates apart from every peak
    chosen. Positions (indices) of the peaks chosen, in order."""
    n = len(votes)
    n_tied = 0
    while n_tied < n and votes[n_tied] >= plateau_share * votes[0]:  # a prefix: votes descend
        n_tied += 1
    chosen = np.empty(peaks, np.int64)
    chosen[0] = 0
    m = 1
    gap = np.empty(n_tied)
    for _ in range(plateau_ends):
        best, best_gap = 0, -1.0
        for i in range(n_tied):
            g = np.inf
            for q in range(m):
                g = min(g, np.hypot(dx[i] - dx[chosen[q]], dy[i] - dy[chosen[q]]))
            gap[i] = g
            if g > best_gap:  # the first of equal gaps, as np.argmax
                best, best_gap = i, g
        if best_gap <= separation or m == peaks:
            break
        chosen[m] = best
        m += 1
    for i in range(n):
        if m == peaks:
            break
        apart = True
        for q in range(m):
            if not np.hypot(dx[i] - dx[chosen[q]], dy[i] - dy[chosen[q]]) > separation:
                apart = False
                break
        if apart:
            chosen[m] = i
            m += 1
    return chosen[:m]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def score_peak(px: np.ndarray, py: np.ndarray, p_at: np.ndarray, c: float, s: float, cx: float, cy: float, dx: float,
               dy: float, within: float, k: int, x: np.ndarray, y: np.ndarray, order: np.ndarray, starts: np.ndarray,
               minx: float, miny: float, cell: float, nx: int, ny: int, window: np.ndarray, hits: np.ndarray,
               xs: np.ndarray, ys: np.ndarray, ring_starts: np.ndarray, geom_rings: np.ndarray, bounds: np.ndarray,
               box: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """The scoring of one refined peak in one call (fit._refine): the recorded mines moved by the fit (c, s: the
    cosine and sine of its turn, taken as geometry.rotate takes them), paired one to one with the found mines
    (nearest_one_to_one) and counted on worked land (rings._covered over the released polygons `hits`). Not
    answered (False) when the moved mines reach beyond the grid's window or the worked land's box: the caller then
    scores on the wider indexes, as before."""
    n = len(px)
    qx = np.empty(n)
    qy = np.empty(n)
    for i in range(n):
        qx[i], qy[i] = _rotate_one(px[i], py[i], c, s, cx, cy, dx, dy)
    none_i = np.empty(0, np.int64)
    none_d = np.empty(0)
    if n == 0:
        return none_i, none_d, 0, False
    x0, y0, x1, y1 = qx.min(), qy.min(), qx.max(), qy.max()
    if x0 - within < window[0] or y0 - within < window[1] or x1 + within > window[2] or y1 + within > window[3]:
        return none_i, none_d, 0, False
    if not (x0 >= box[0] and x1 <= box[2] and y0 >= box[1] and y1 <= box[3]):
        return none_i, none_d, 0, False
    index, distance = nearest_one_to_one(qx, qy, p_at, within, k, x, y, order, starts, minx, miny, cell, nx, ny)
    on_worked = 0
    if len(hits):
        on_worked = int(_covered(hits, qx, qy, xs, ys, ring_starts, geom_rings, bounds).sum())
    return index, distance, on_worked, True


@numba.njit(cache=True, nogil=True, error_model="numpy")
def vote(rx: np.ndarray, ry: np.ndarray, r_at: np.ndarray, gx: np.ndarray, gy: np.ndarray, g_at: np.ndarray,
         half: int, keep: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The translation vote of vote.translation_peaks_numpy for every trial rotation in one call.

    rx, ry (rotations × recorded mines): recorded positions turned by each trial rotation, in bins and offset by
    half + 1; gx, gy: found mines in bins. Every same-category pair votes for the bin of its offset (truncation, as
    vote.translation_peaks_numpy), each held bin is summed with its 8 neighbours, and per rotation the `keep` best
    held bins (by votes × held + position in flat order, as there) are returned as (votes, rotation number, flat bin
    index on a side of 2 × half + 2).
    """
    side = 2 * half + 2
    uside, one = np.uint64(side), np.uint64(1)
    hist = np.zeros(side * side, np.int32)  # 4 bytes a bin: the grid stays in cache
    n_rot, n_rec = rx.shape
    votes_out = np.empty(n_rot * keep, np.int64)
    rot_out = np.empty(n_rot * keep, np.int64)
    bin_out = np.empty(n_rot * keep, np.int64)
    m = 0
    limit = 2 * half
    # found mines split by category once, so that the pair loop has no category test
    ap = np.flatnonzero(~g_at)
    at = np.flatnonzero(g_at)
    fx_cat = (gx[ap], gx[at])
    fy_cat = (gy[ap], gy[at])
    best_key = np.empty(keep, np.int64)
    best_pos = np.empty(keep, np.int64)
    for r in range(n_rot):
        h = 0
        for i in range(n_rec):
            a, b = rx[r, i], ry[r, i]
            c = 1 if r_at[i] else 0
            fxs, fys = fx_cat[c], fy_cat[c]
            for j in range(len(fxs)):
                bx = np.intp(fxs[j] - a)
                by = np.intp(fys[j] - b)
                if bx < 1 or bx > limit or by < 1 or by > limit:
                    continue
                f = np.uint64(bx * side + by)
                hist[f] += 1
        # The held bins counted in one pass over the grid, which the compiler vectorises, not tested at every vote:
        # the increments then need no test of the bin before it (4% of the vote's time, the votes of every 10th
        # record).
        for q in range(len(hist)):
            h += hist[q] != 0
        if h == 0:
            continue
        # Held bins in flat order (a scan of the grid's inner part), 3 × 3 sums, and the `keep` best by
        # votes × h + position kept in a small sorted buffer (ascending keys).
        kept = 0
        pos = 0
        for ix in range(1, limit + 1):
            row = ix * side
            for iy in range(1, limit + 1):
                f = np.uint64(row + iy)
                if hist[f] == 0:
                    continue
                v = (hist[f - uside - one] + hist[f - uside] + hist[f - uside + one] + hist[f - one] + hist[f]
                     + hist[f + one] + hist[f + uside - one] + hist[f + uside] + hist[f + uside + one])
                key = np.int64(v) * h + pos
                pos += 1
                if kept == keep and key <= best_key[0]:
                    continue
                if kept < keep:
                    q = kept
                    kept += 1
                    while q > 0 and best_key[q - 1] > key:
                        best_key[q], best_pos[q] = best_key[q - 1], best_pos[q - 1]
                        q -= 1
                else:  # drop the smallest, insert in order
                    q = 0
                    while q + 1 < keep and best_key[q + 1] < key:
                        best_key[q], best_pos[q] = best_key[q + 1], best_pos[q + 1]
                        q += 1
                best_key[q], best_pos[q] = key, f
        for q in range(kept):
            votes_out[m], rot_out[m], bin_out[m] = best_key[q] // h, r, best_pos[q]
            m += 1
        for ix in range(1, limit + 1):  # clear for the next rotation (only the inner part was written)
            hist[ix * side + 1:ix * side + limit + 1] = 0
    return votes_out[:m], rot_out[:m], bin_out[:m]


# --- the national index of the mines found: coarse cells, so that the mines of a box are a few slices -------------

@numba.njit(cache=True, nogil=True, error_model="numpy")
def build_cells(x: np.ndarray, y: np.ndarray, minx: float, miny: float, cell: float, nx: int,
                ny: int) -> tuple[np.ndarray, np.ndarray]:
    """Every mine bucketed by cell (column-major: bucket = column × ny + row) by a counting sort, index order kept
    within a bucket: `order[starts[b]:starts[b + 1]]`. A mine without coordinates goes to a last bucket that no box
    reads (a box never held it either)."""
    n = len(x)
    last = nx * ny
    key = np.empty(n, np.int64)
    starts = np.zeros(last + 2, np.int64)
    for j in range(n):
        if np.isfinite(x[j]) and np.isfinite(y[j]):
            b = _cell(x[j], minx, cell, nx) * ny + _cell(y[j], miny, cell, ny)
        else:
            b = last
        key[j] = b
        starts[b + 1] += 1
    for b in range(last + 1):
        starts[b + 1] += starts[b]
    fill = starts[:-1].copy()
    order = np.empty(n, np.int64)
    for j in range(n):
        order[fill[key[j]]] = j
        fill[key[j]] += 1
    return order, starts


@numba.njit(cache=True, nogil=True, error_model="numpy")
def in_box(x: np.ndarray, y: np.ndarray, order: np.ndarray, starts: np.ndarray, minx: float, miny: float,
           cell: float, nx: int, ny: int, categories: int, bx0: float, by0: float, bx1: float,
           by1: float) -> np.ndarray:
    """Indices (ascending) of the mines with bx0 <= x <= bx1 and by0 <= y <= by1, read from the cells the box reaches
    (a mine's cell is monotonic in its position, clamped as the buckets clamp it), then tested exactly: one slice of
    `order` per column of cells and category. The buckets are category × nx × ny + column × ny + row: the national
    cells (build_cells) have one category, a view's grid (build_grid) two; the grid is built for a view's first
    query anyway, so its box queries need no order of their own."""
    a0, a1 = _cell(bx0, minx, cell, nx), _cell(bx1, minx, cell, nx)
    b0, b1 = _cell(by0, miny, cell, ny), _cell(by1, miny, cell, ny)
    total = 0
    for c in range(categories):
        for cx in range(a0, a1 + 1):
            base = c * nx * ny + cx * ny
            total += starts[base + b1 + 1] - starts[base + b0]
    out = np.empty(total, np.int64)
    m = 0
    for c in range(categories):
        for cx in range(a0, a1 + 1):
            base = c * nx * ny + cx * ny
            for t in range(starts[base + b0], starts[base + b1 + 1]):
                j = order[t]
                if x[j] >= bx0 and x[j] <= bx1 and y[j] >= by0 and y[j] <= by1:
                    out[m] = j
                    m += 1
    return np.sort(out[:m])


@numba.njit(cache=True, nogil=True, error_model="numpy")
def extent(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) in one pass, as x.min(), y.min(), x.max(), y.max() give them (NaN if any
    coordinate is NaN); four numpy reductions cost a query more than its compiled answer. Not for empty arrays."""
    x0, y0, x1, y1 = x[0], y[0], x[0], y[0]
    for i in range(len(x)):
        a, b = x[i], y[i]
        if a != a or b != b:
            return np.nan, np.nan, np.nan, np.nan
        x0, x1 = min(x0, a), max(x1, a)
        y0, y1 = min(y0, b), max(y1, b)
    return x0, y0, x1, y1


@numba.njit(cache=True, nogil=True, error_model="numpy")
def finite_extent(x: np.ndarray, y: np.ndarray) -> tuple[int, float, float, float, float]:
    """(how many points have both coordinates finite, and their min x, min y, max x, max y) in one pass: the national
    index's bounds without the four masked copies of 10 million coordinates numpy takes them through (0.2 s)."""
    n = 0
    x0 = y0 = np.inf
    x1 = y1 = -np.inf
    for i in range(len(x)):
        a, b = x[i], y[i]
        if np.isfinite(a) and np.isfinite(b):
            n += 1
            x0, x1 = min(x0, a), max(x1, a)
            y0, y1 = min(y0, b), max(y1, b)
    return n, x0, y0, x1, y1
