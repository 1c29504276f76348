"""Mines found at a record's field that it does not explain: another field's rows crossing it, or its own rows left
out (crossing.py). Metric coordinates, built here."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from demine.analysis.records.crossing import _runs_inside, across_rows, row_directions


def _row(x0: float, y0: float, bearing_deg: float, spacing: float, count: int, noise: float = 0.0,
         seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A row walked from (x0, y0) at a bearing (clockwise from north), with laying and GPS noise."""
    b = np.radians(bearing_deg)
    k = np.arange(count)
    rng = np.random.default_rng(seed)
    return (x0 + k * spacing * np.sin(b) + rng.normal(0, noise, count),
            y0 + k * spacing * np.cos(b) + rng.normal(0, noise, count))


def _belt(bearing_deg: float = 90.0, rows: int = 4, gap: float = 20.0, spacing: float = 5.0,
          count: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Recorded mines, row after row, `gap` apart across the bearing."""
    across = np.radians(bearing_deg + 90)
    parts = [_row(j * gap * np.sin(across), j * gap * np.cos(across), bearing_deg, spacing, count)
             for j in range(rows)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def test_row_directions_are_read_from_the_steps_of_the_rows() -> None:
    x, y = _belt(bearing_deg=90.0)  # rows towards the east: along the x axis
    directions = np.degrees(row_directions(x, y))
    assert len(directions) >= 1 and np.all(np.abs(((directions + 90) % 180) - 90) < 1.5)


def test_rows_of_another_field_crossing_the_belt_lie_across_it() -> None:
    rec_x, rec_y = _belt()  # 295 m east, 60 m of rows north to south
    parts = [_row(100.0 + 20 * j, -80.0, 30.0, 5.0, 40, noise=1.0, seed=j) for j in range(3)]
    ux, uy = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    at_field = (ux > -40) & (ux < 335) & (uy > -100) & (uy < 40)
    across = across_rows(ux[at_field], uy[at_field], rec_x, rec_y)
    between_rows = (uy[at_field] < -5) & (uy[at_field] > -55)
    assert across[between_rows].mean() > 0.8


def test_rows_of_another_field_passing_the_end_of_the_belt_lie_across_it() -> None:
    """Another field's rows run past the belt's east end, 10-40 m beyond it, at 35° to its rows: not the record's
    (its rows would run on parallel), though they never run between its rows."""
    rec_x, rec_y = _belt()  # rows from x 0 to 295
    parts = [_row(320.0 + 20 * j, -120.0, 325.0, 5.0, 40, noise=1.0, seed=j) for j in range(3)]
    ux, uy = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    at_end = (ux > 305) & (ux < 335) & (uy > -100) & (uy < 40)
    assert at_end.sum() >= 10
    # All but the last mine or two of each stretch (too few neighbours on their line to read it).
    assert across_rows(ux[at_end], uy[at_end], rec_x, rec_y).mean() > 0.7


def test_a_row_the_record_left_out_is_not_across_it() -> None:
    rec_x, rec_y = _belt()
    ux, uy = _row(0.0, -80.0, 90.0, 5.0, 60, noise=1.0, seed=1)  # a fifth row, parallel, 20 m beyond the fourth
    assert not across_rows(ux, uy, rec_x, rec_y).any()


def test_the_closing_side_of_a_ring_is_not_across_it() -> None:
    """Two sides of a protective ring recorded, the third (joining their ends, at a right angle) left out."""
    a, b = _row(0.0, 0.0, 90.0, 5.0, 41), _row(0.0, -200.0, 90.0, 5.0, 41)
    rec_x, rec_y = np.concatenate([a[0], b[0]]), np.concatenate([a[1], b[1]])
    ux, uy = _row(201.0, -5.0, 180.0, 5.0, 39, noise=1.0, seed=2)  # down the east end
    assert not across_rows(ux, uy, rec_x, rec_y).any()


def test_scattered_mines_are_not_a_crossing_field() -> None:
    rec_x, rec_y = _belt()
    rng = np.random.default_rng(3)
    ux, uy = rng.uniform(0, 295, 40), rng.uniform(-60, 0, 40)
    assert across_rows(ux, uy, rec_x, rec_y).sum() < 8


@settings(max_examples=40, deadline=None)
@given(bearing=st.floats(0, 180), offset=st.floats(-80, 80), spacing=st.floats(3, 12), seed=st.integers(0, 1000))
def test_no_row_parallel_to_the_record_is_ever_across_it(bearing: float, offset: float, spacing: float,
                                                          seed: int) -> None:
    rec_x, rec_y = _belt(bearing_deg=bearing)
    across = np.radians(bearing + 90)
    ux, uy = _row(offset * np.sin(across), offset * np.cos(across), bearing, spacing, 50, noise=1.0, seed=seed)
    assert not across_rows(ux, uy, rec_x, rec_y).any()


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 10_000), angle=st.floats(0, np.pi), inside=st.floats(0, 20))
def test_a_line_runs_inside_the_hull_as_shapely_sees_it(seed: int, angle: float, inside: float) -> None:
    """_runs_inside (half-planes clipped) against shapely: the segment within the reach meets the hull shrunk by
    `inside` (an erosion of a convex polygon is the intersection of its edges' half-planes moved inwards)."""
    rng = np.random.default_rng(seed)
    hull = shapely.convex_hull(shapely.multipoints(rng.uniform(-100, 100, (12, 2))))
    x, y = rng.uniform(-150, 150, 2)
    got = _runs_inside(np.asarray(hull.exterior.coords), np.array([x]), np.array([y]), np.array([angle]), 60.0,
                       inside)[0]
    d = np.array([np.cos(angle), np.sin(angle)]) * 60.0
    segment = shapely.LineString([(x - d[0], y - d[1]), (x + d[0], y + d[1])])
    if shapely.intersects(shapely.buffer(hull, -(inside + 0.01), join_style="mitre"), segment):
        assert got
    if not shapely.intersects(shapely.buffer(hull, -(inside - 0.01), join_style="mitre"), segment):
        assert not got
