"""Which mines found at a record's field, and not explained by it, lie in another field's rows crossing it.

The explained share (metrics.RecordMetrics.explained_share) asks whether a record accounts for the mines found at
its field: a record that left out a row, or wrote its rows short, leaves the found mines of those rows unexplained,
and is at best partially accurate. But where fields were laid over one another (a front line held by each side in
turn), another field's rows cross the record's footprint, and their mines are unexplained too, without the record
having left anything out: at 10,000 records on the dense bench, 127 truly accurate records were called partially
accurate for it (docs/records-verification.md).

The two differ in direction and in place. The rows a record left out, and the rows it wrote short, are of its own
field: they run parallel to its rows, or close its rows' ends (the missing side of a protective ring, turned a right
angle from the sides the record kept, joins their ends); a crossing field's rows run at their own bearing through
the body of the field. So each unexplained mine's line is read from the unexplained mines around it: the line
through it holding the most of its neighbours within LINE_RADIUS_M, its direction their principal axis (a baseline
of some 30 m; a single neighbour 3-6 m away gives a direction off by some 15° with a metre of noise on each mine).
A mine lies across the record's rows when
- its line is clearly drawn (MIN_ON_LINE, MIN_LINE_SHARE),
- turned more than ACROSS_DEG from every direction of the record's rows,
- runs through the field (within LINE_REACH_M of the mine it passes inside the recorded mines' hull by more than
  INSIDE_M), or beside it at more than ACROSS_DEG to the hull's nearest edge (a neighbouring field's rows passing
  the record's ends or sides at an angle); a ring's closing side runs along the hull's edge, and counts,
- and at least MIN_CROSSING_MINES such mines lie on lines of about its direction (a crossing field brings rows of
  mines, not a few stray lines).
All other unexplained mines count against the record as before.
"""

from __future__ import annotations

import numba
import numpy as np
import shapely

from demine.analysis.records.row_ends import SAME_STEP_M  # steps of one row differ by millimetres
from demine.analysis.records.summation import pairwise_sum

LINE_RADIUS_M = 15.0  # unexplained neighbours read for a mine's line
LINE_STRIP_M = 2.5  # neighbours this close to a line lie on it (a metre of noise on each mine, angles off by 10°)
MIN_ON_LINE = 3  # a line holds at least this many neighbours (fewer: no line, the mine counts against the record)...
MIN_LINE_SHARE = 0.5  # ...and this share of them (a scatter has no line)
ACROSS_DEG = 15.0  # turned more than this from every row of the record: another field's row
ROW_STEP_M = (0.5, 15.0)  # consecutive recorded mines this far apart are steps along a row (spacings are 3-12 m)
MIN_ROW_SHARE = 0.1  # a direction carrying fewer of the record's steps is a turn between rows, not a row
INSIDE_M = 5.0  # within the recorded mines' hull by more than this: among the rows (a metre or two of noise beyond)
LINE_REACH_M = 60.0  # a mine's line is followed this far each way, to see whether it runs through the field
MIN_CROSSING_MINES = 8  # mines across the rows, on lines within ACROSS_DEG / 2 of each other, that make a crossing


def across_rows(ux: np.ndarray, uy: np.ndarray, rec_x: np.ndarray, rec_y: np.ndarray) -> np.ndarray:
    """Which of the unexplained mines (ux, uy) lie on a line crossing the record's rows; rec_x, rec_y: the recorded
    mines (as fitted) in walking order, row after row (geometry.recorded_mines_in), from which the rows'
    directions are read."""
    across = np.zeros(len(ux), dtype=bool)
    if len(ux) < MIN_CROSSING_MINES:
        return across
    order = np.argsort(ux, kind="stable")
    line = np.empty(len(ux))
    clear = np.empty(len(ux), dtype=bool)
    line[order], clear[order] = _lines(ux[order], uy[order], LINE_RADIUS_M, LINE_STRIP_M, MIN_ON_LINE,
                                       MIN_LINE_SHARE)
    directions = row_directions(rec_x, rec_y)
    if clear.sum() < MIN_CROSSING_MINES or not len(directions):
        return across
    # Turned from every row of the record, and alike with enough others: one compiled call (_across_the_rows).
    across = _across_the_rows(line, clear, directions, _ACROSS_RAD, _ALIKE_RAD, MIN_CROSSING_MINES)
    if not across.any():
        return across
    ends = _row_ends(rec_x, rec_y)  # the hull of the rows is the hull of their ends
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([rec_x[ends], rec_y[ends]])))
    if shapely.get_type_id(hull) != shapely.GeometryType.POLYGON:
        return np.zeros(len(ux), dtype=bool)  # the rows lie on one line: nothing lies between them
    ring = np.asarray(hull.exterior.coords)
    # The edges' directions in numpy: its arctan2 is not libm's, which a kernel would call.
    edge_angle = np.arctan2(np.diff(ring[:, 1]), np.diff(ring[:, 0]))
    return _across_the_field(ring, edge_angle, ux, uy, line, across, LINE_REACH_M, INSIDE_M, _ACROSS_RAD, _ALIKE_RAD,
                             MIN_CROSSING_MINES)


_ACROSS_RAD = np.radians(ACROSS_DEG)
_ALIKE_RAD = np.radians(ACROSS_DEG / 2)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _turn(a: float, b: float) -> float:
    """The turn (radians, 0 to π/2) between two line directions (radians, modulo π: a line has no sense)."""
    return abs((a - b + np.pi / 2) % np.pi - np.pi / 2)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _keep_alike(line: np.ndarray, across: np.ndarray, within: float, least: int) -> np.ndarray:
    """`across`, less the mines whose line has fewer than `least` of the lines across (itself included) within
    `within` of its direction: a crossing field brings a line of mines, or several parallel ones; a few stray lines
    (read through a patch of row ends, say) are not one. Counted by binary search in the directions sorted, the
    half turn wrapped by copies shifted by ±π."""
    k = np.flatnonzero(across)
    angles = line[k]
    ordered = np.sort(angles)
    wrapped = np.concatenate((ordered - np.pi, ordered, ordered + np.pi))
    alike = np.searchsorted(wrapped, angles + within, side="right") - \
        np.searchsorted(wrapped, angles - within, side="left")
    kept = across.copy()
    for q in range(len(k)):
        kept[k[q]] = alike[q] >= least
    return kept


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _across_the_rows(line: np.ndarray, clear: np.ndarray, directions: np.ndarray, min_turn: float, within: float,
                     least: int) -> np.ndarray:
    """The mines whose line is clear and turned more than min_turn from every row direction of the record, and
    alike with enough others (_keep_alike; asked before the hull too: fewer mines can only have fewer alike)."""
    across = np.zeros(len(line), np.bool_)
    for i in range(len(line)):
        if clear[i]:
            turn = np.inf
            for d in range(len(directions)):
                turn = min(turn, _turn(line[i], directions[d]))
            across[i] = turn > min_turn
    return _keep_alike(line, across, within, least)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _across_the_field(ring: np.ndarray, edge_angle: np.ndarray, ux: np.ndarray, uy: np.ndarray, line: np.ndarray,
                      across: np.ndarray, reach: float, inside: float, min_turn: float, within: float,
                      least: int) -> np.ndarray:
    """Of the mines `across`, those whose line runs through the field (_runs_inside the recorded mines' hull
    `ring`) or beside it at more than min_turn to the hull's nearest edge (a ring's closing side runs along the
    hull's edge; a neighbouring field's rows passing the record's ends or sides at an angle do not), and alike with
    enough others (_keep_alike). edge_angle: the directions of the ring's edges."""
    k = np.flatnonzero(across)
    x, y, angle = ux[k], uy[k], line[k]
    runs = _runs_inside(ring, x, y, angle, reach, inside)
    turn = _turn_from_nearest_edge(ring, x, y, angle, edge_angle)
    kept = across.copy()
    for q in range(len(k)):
        kept[k[q]] = runs[q] or turn[q] > min_turn
    return _keep_alike(line, kept, within, least)


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _turn_from_nearest_edge(ring: np.ndarray, x: np.ndarray, y: np.ndarray, angle: np.ndarray,
                            edge_angle: np.ndarray) -> np.ndarray:
    """The turn (radians, 0 to π/2) of each point's line (`angle`) from the edge of the closed ring nearest to it
    (the first of equally near edges; edges of no length are passed over); edge_angle: the directions of the
    ring's edges."""
    turn = np.empty(len(x))
    for i in range(len(x)):
        nearest, best = 0, np.inf
        for e in range(len(ring) - 1):
            ax, ay = ring[e, 0], ring[e, 1]
            ex, ey = ring[e + 1, 0] - ax, ring[e + 1, 1] - ay
            squared = ex * ex + ey * ey
            if not squared > 0:
                continue
            t = ((x[i] - ax) * ex + (y[i] - ay) * ey) / squared
            t = t if t > 0.0 else 0.0  # np.clip(t, 0, 1), as numpy takes it
            t = t if t < 1.0 else 1.0
            d = np.hypot(x[i] - ax - t * ex, y[i] - ay - t * ey)
            if d < best:
                nearest, best = e, d
        turn[i] = _turn(angle[i], edge_angle[nearest])
    return turn


@numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _runs_inside(ring: np.ndarray, x: np.ndarray, y: np.ndarray, angle: np.ndarray, reach: float,
                 inside: float) -> np.ndarray:
    """Whether the line through each point (x, y) at `angle`, within `reach` of it, passes more than `inside`
    within the convex polygon `ring` (closed, as shapely gives it). Cyrus-Beck clipping: the line is clipped to
    every edge's half-plane moved inwards by `inside`, whose intersection is the polygon shrunk by `inside` (the
    polygon being convex); what is left of the line must lie within `reach` of the point."""
    m = len(ring) - 1
    nx, ny, qx, qy = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    edges = 0
    for e in range(m):
        ex, ey = ring[e + 1, 0] - ring[e, 0], ring[e + 1, 1] - ring[e, 1]
        length = np.hypot(ex, ey)
        if length > 0:
            # Inward normals, the interior on the left of an anticlockwise ring (turned round below if clockwise).
            nx[edges], ny[edges], qx[edges], qy[edges] = -ey / length, ex / length, ring[e, 0], ring[e, 1]
            edges += 1
    twice_area = np.empty(m)
    for e in range(m):
        twice_area[e] = ring[e, 0] * ring[e + 1, 1] - ring[e + 1, 0] * ring[e, 1]
    if pairwise_sum(twice_area, 0, m) < 0:  # summed as numpy sums it, so that a sliver's sign is numpy's
        nx, ny = -nx, -ny
    runs = np.empty(len(x), np.bool_)
    for i in range(len(x)):
        dx, dy = np.cos(angle[i]), np.sin(angle[i])
        # Along the line x + t d: n·(x - q) + t n·d >= inside, for every edge.
        lo, hi, parallel_out = -np.inf, np.inf, False
        for e in range(edges):
            offset = nx[e] * (x[i] - qx[e]) + ny[e] * (y[i] - qy[e]) - inside
            rate = nx[e] * dx + ny[e] * dy
            if rate > 0:
                lo = max(lo, -offset / rate)
            elif rate < 0:
                hi = min(hi, -offset / rate)
            elif offset < 0:
                parallel_out = True
        runs[i] = not parallel_out and max(lo, -reach) < min(hi, reach)
    return runs


def _row_ends(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which recorded mines end a straight run (a row, or a stretch of one between turns): the others lie on the
    segment between two that do."""
    keep = np.ones(len(x), dtype=bool)
    if len(x) > 2:
        sx, sy = np.diff(x), np.diff(y)
        keep[1:-1] = np.hypot(np.diff(sx), np.diff(sy)) > SAME_STEP_M
    return keep


def row_directions(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Directions (radians from the x axis, modulo π) of the record's rows: the steps between consecutive recorded
    mines of a row's length, grouped by the degree, each direction carrying at least MIN_ROW_SHARE of them."""
    return np.radians(_row_degrees(np.asarray(x, float), np.asarray(y, float), ROW_STEP_M[0], ROW_STEP_M[1],
                                   MIN_ROW_SHARE) + 0.5)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _row_degrees(x: np.ndarray, y: np.ndarray, shortest: float, longest: float, share: float) -> np.ndarray:
    """row_directions in whole degrees (0-179): a histogram of the steps' directions. A row's steps all point the
    same way, up to rounding; a degree's two neighbours are summed with it so that a row lying on a boundary between
    two degrees is not split below the share."""
    counts = np.zeros(180, np.int64)
    steps = 0
    for i in range(len(x) - 1):
        dx, dy = x[i + 1] - x[i], y[i + 1] - y[i]
        length = np.hypot(dx, dy)
        if length < shortest or length > longest:
            continue
        degree = int(np.floor(np.degrees(np.arctan2(dy, dx) % np.pi))) % 180
        counts[degree] += 1
        steps += 1
    held = []
    for d in range(180):
        if counts[d] > 0 and counts[(d + 179) % 180] + counts[d] + counts[(d + 1) % 180] >= share * steps:
            held.append(float(d))
    return np.array(held, dtype=np.float64)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _lines(x: np.ndarray, y: np.ndarray, radius: float, strip: float, min_on_line: int,
           min_share: float) -> tuple[np.ndarray, np.ndarray]:
    """For points sorted by x: the line each lies on, drawn through its neighbours within `radius`, and whether
    that line is clear.

    Of the lines from the point through each neighbour, the one with the most neighbours within `strip` of it wins
    (a row through the point, not the rows beside it: at row gaps of 10-15 m the neighbours within 15 m mix two or
    three rows, and their overall spread has no clear axis); its direction (radians, modulo π) is the principal axis
    of those neighbours' offsets, about the point itself, so that a mine at the end of its row still reads the row.
    Clear: at least min_on_line neighbours on it, and at least min_share of all the neighbours."""
    n = len(x)
    angle = np.zeros(n)
    clear = np.zeros(n, np.bool_)
    r2 = radius * radius
    nx = np.empty(n)
    ny = np.empty(n)
    lo = 0
    for i in range(n):
        while x[lo] < x[i] - radius:
            lo += 1
        k = 0
        j = lo
        while j < n and x[j] <= x[i] + radius:
            if j != i:
                dx, dy = x[j] - x[i], y[j] - y[i]
                if dx * dx + dy * dy <= r2:
                    nx[k], ny[k] = dx, dy
                    k += 1
            j += 1
        if k < min_on_line:
            continue
        best, best_a = 0, 0
        for a in range(k):
            length = np.hypot(nx[a], ny[a])
            if length == 0.0:
                continue
            ux, uy = nx[a] / length, ny[a] / length
            count = 0
            for b in range(k):
                if abs(ux * ny[b] - uy * nx[b]) <= strip:
                    count += 1
            if count > best:
                best, best_a = count, a
        if best < min_on_line or best < min_share * k:
            continue
        length = np.hypot(nx[best_a], ny[best_a])
        ux, uy = nx[best_a] / length, ny[best_a] / length
        sxx = syy = sxy = 0.0
        for b in range(k):
            if abs(ux * ny[b] - uy * nx[b]) <= strip:
                sxx += nx[b] * nx[b]
                syy += ny[b] * ny[b]
                sxy += nx[b] * ny[b]
        angle[i] = (0.5 * np.arctan2(2.0 * sxy, sxx - syy)) % np.pi
        clear[i] = True
    return angle, clear
