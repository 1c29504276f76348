"""Items found and incidents counted on the map's lattice: the cached fine cells and the direct SQL count give, cell
for cell, what a count in Python over every row gives; approved-only stays approved-only; a write moves the counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from sqlalchemy import func, select, update

from demine.services.map_layers import POINT_LAYERS, approved_only, layer_geojson
from demine.services.point_grid import FINE_CELLS, FINE_LEVEL, cell_degrees, cell_range, count_cells, level_for, roll_up
from demine.store.tables.operations import items_found, progress_reports
from demine.store.tables.people import incidents

from .viewport_data import BASE_LAT, BASE_LON, SPREAD

WIDE = (BASE_LON - 2 * SPREAD, BASE_LAT - 2 * SPREAD, BASE_LON + 2 * SPREAD, BASE_LAT + 2 * SPREAD)
NEAR = (BASE_LON - 0.01, BASE_LAT - 0.01, BASE_LON + 0.012, BASE_LAT + 0.011)


def _items_in_python(register, since: dt.date | None = None) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Every live item with its report's status read by a plain outer join, filtered here, not in SQL."""
    with register.reading() as connection:
        rows = connection.execute(
            select(items_found.c.longitude, items_found.c.latitude, items_found.c.category, items_found.c.quantity,
                   items_found.c.found_date, items_found.c.retired_at, items_found.c.progress_report_id,
                   progress_reports.c.review_status)
            .select_from(items_found.outerjoin(progress_reports,
                                               progress_reports.c.id == items_found.c.progress_report_id))).all()
    return [r for r in rows if r.retired_at is None and (r.progress_report_id is None or r.review_status == "approved")
            and (since is None or r.found_date >= since)]


def _expected(rows: list[tuple], level: int, bbox) -> dict:  # type: ignore[no-untyped-def]
    x0, y0, x1, y1 = cell_range(bbox, level)
    size = cell_degrees(level)
    cells: dict = defaultdict(lambda: [0, 0, defaultdict(int)])
    for r in rows:
        cell = (int(np.floor((r.longitude + 180.0) / size)), int(np.floor((r.latitude + 90.0) / size)))
        if x0 <= cell[0] <= x1 and y0 <= cell[1] <= y1:
            cells[cell][0] += 1
            cells[cell][1] += r.quantity
            cells[cell][2][r.category] += r.quantity
    return {cell: (n, q, dict(by)) for cell, (n, q, by) in cells.items()}


def _served(layer: dict) -> dict:
    return {tuple(f["properties"]["cell"][1:]): (f["properties"]["records"], f["properties"]["quantity"],
                                                 f["properties"]["categories"]) for f in layer["features"]}


def test_cells_equal_a_count_in_python(scattered):
    rows = _items_in_python(scattered)
    for zoom, bbox in ((5, WIDE), (9, WIDE), (11, NEAR), (13, NEAR), (13, WIDE), (15, NEAR), (17, NEAR)):
        layer = layer_geojson(scattered, "items", bbox, zoom, individual_points=False)
        assert layer["aggregated"]
        assert _served(layer) == _expected(rows, level_for(zoom), bbox), (zoom, bbox)
        assert layer["total"] == sum(n for n, _, _ in _expected(rows, level_for(zoom), bbox).values())


def test_cached_fine_cells_roll_up_to_the_direct_count(scattered):
    spec = POINT_LAYERS["items"]
    where = [items_found.c.retired_at.is_(None), approved_only(items_found)]
    fine = FINE_CELLS.cells(scattered, "items", spec)
    assert fine.level == FINE_LEVEL
    for level in (8, 12, 14, FINE_LEVEL):
        view = cell_range(NEAR, level)
        with scattered.reading() as connection:
            direct = count_cells(connection, spec, where, level, view)
        assert roll_up(fine, level, view) == roll_up(direct, level, view)
        summed = FINE_CELLS.cells(scattered, "items", spec, level)  # summed once per level and kept
        assert summed.level == level and roll_up(summed, level, view) == roll_up(direct, level, view)


def test_a_period_is_counted_directly_and_exactly(scattered):
    since = dt.date(2024, 8, 5)  # the scattered items (7 August), not the programme's three (1 August)
    layer = layer_geojson(scattered, "items", WIDE, 9, individual_points=False, since=since)
    assert _served(layer) == _expected(_items_in_python(scattered, since), level_for(9), WIDE)


def test_approval_and_retirement_move_the_cached_counts(scattered):
    before = layer_geojson(scattered, "items", WIDE, 8, individual_points=False)
    read = FINE_CELLS.rows_read(scattered.location, "items")
    with scattered.writing() as connection:
        connection.execute(update(progress_reports).where(progress_reports.c.code == "PR-3")
                           .values(review_status="approved"))
        cells = connection.execute(select(func.count()).select_from(
            select(items_found.c.longitude, items_found.c.latitude, items_found.c.category).join(
                progress_reports, progress_reports.c.id == items_found.c.progress_report_id)
            .where(progress_reports.c.code == "PR-3").distinct().subquery())).scalar_one()
    reviewed = layer_geojson(scattered, "items", WIDE, 8, individual_points=False)
    # The review's cells only are read again (at most one per item of the report), not the layer's.
    assert 0 < FINE_CELLS.rows_read(scattered.location, "items") - read <= cells
    assert _served(reviewed) == _expected(_items_in_python(scattered), level_for(8), WIDE)
    with scattered.writing() as connection:
        pending = connection.execute(select(items_found.c.quantity).join(
            progress_reports, progress_reports.c.id == items_found.c.progress_report_id)
            .where(progress_reports.c.code == "PR-3")).scalars().all()
        connection.execute(update(items_found).where(items_found.c.code == "IT-1")
                           .values(retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))
    after = layer_geojson(scattered, "items", WIDE, 8, individual_points=False)
    assert after["total"] == before["total"] + len(pending) - 1
    assert _served(after) == _expected(_items_in_python(scattered), level_for(8), WIDE)


def test_incidents_with_their_casualties(scattered):
    layer = layer_geojson(scattered, "incidents", WIDE, 10, individual_points=False)
    with scattered.reading() as connection:
        rows = connection.execute(select(incidents.c.killed, incidents.c.injured)
                                  .where(incidents.c.retired_at.is_(None))).all()
    assert sum(f["properties"]["killed"] for f in layer["features"]) == sum(r.killed for r in rows)
    assert sum(f["properties"]["injured"] for f in layer["features"]) == sum(r.injured for r in rows)
    assert layer["total"] == len(rows)


def test_readers_get_points_when_few_cells_hold_few(scattered):
    tiny = (BASE_LON + 0.0001, BASE_LAT + 0.0001, BASE_LON + 0.0002, BASE_LAT + 0.0002)
    layer = layer_geojson(scattered, "items", tiny, 13, individual_points=True)
    assert layer["aggregated"] is False
    wide = layer_geojson(scattered, "items", WIDE, 8, individual_points=True)
    assert wide["aggregated"] is True and wide["total"] > 500
