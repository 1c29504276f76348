"""The counts kept by triggers as rows are written (migration 0008) equal a recount of the rows after every kind of
write: an import of a report's items, a form, a review (approve, reject), a retirement, a moved item, an activity
moved to another district, a hazard closed, a deleted row; and random sequences of such writes (hypothesis). What the
map serves from them (the server's cells, brought up to date from the changed rows only) and the dashboard's figures
equal the same recount."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
import pytest
import shapely
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update

from demine.domain.roles import Role
from demine.services import review
from demine.services.accounts import User
from demine.services.dashboard import compute_dashboard, dashboard
from demine.services.data_entry import ItemLine, ProgressForm, save_progress_report
from demine.services.imports import import_file
from demine.services.feature_texts import FEATURE_TEXTS
from demine.services.map_layers import POINT_LAYERS, approved_only, layer_geojson
from demine.services.point_grid import FINE_CELLS, FINE_LEVEL, FineCellCache, cell_degrees
from demine.store.migrate import alembic_config, upgrade
from demine.store.tables.core import admin_areas
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.kept_counts import dashboard_item_days, dashboard_item_districts, dashboard_open_hazards
from demine.store.tables.kept_counts import dashboard_output_days, dashboard_output_districts, map_point_cells
from demine.store.tables.operations import activities, items_found, land_release_outputs, progress_reports
from demine.store.tables.people import incidents

from .viewport_data import BASE_LAT, BASE_LON, SPREAD, write_csv

WIDE = (BASE_LON - 2 * SPREAD, BASE_LAT - 2 * SPREAD, BASE_LON + 2 * SPREAD, BASE_LAT + 2 * SPREAD)
OFFICER = User(0, "officer", Role.INFORMATION_OFFICER, None, None)
SECOND_OFFICER = User(0, "second officer", Role.INFORMATION_OFFICER, None, None)


def _official(rows, approved: dict) -> list:  # type: ignore[no-untyped-def]
    return [r for r in rows if r.retired_at is None
            and (r.progress_report_id is None or approved.get(r.progress_report_id) == "approved")]


def _recount(register) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Every kept table's content counted in Python from the rows read plainly (no SQL grouping or filtering)."""
    size = cell_degrees(FINE_LEVEL)
    with register.reading() as connection:
        status = dict(connection.execute(select(progress_reports.c.id, progress_reports.c.review_status)).all())
        district = dict(connection.execute(select(activities.c.id, activities.c.admin_area_id)).all())
        i, o, n, h = items_found.c, land_release_outputs.c, incidents.c, hazard_areas.c  # no geometry: not needed
        items = _official(connection.execute(select(
            i.retired_at, i.progress_report_id, i.activity_id, i.longitude, i.latitude, i.category, i.quantity,
            i.found_date)).all(), status)
        outputs = _official(connection.execute(select(
            o.retired_at, o.progress_report_id, o.activity_id, o.release_date, o.outcome, o.area_m2)).all(), status)
        points = [r for r in connection.execute(select(n.retired_at, n.longitude, n.latitude, n.killed, n.injured))
                  if r.retired_at is None]
        hazards = [r for r in connection.execute(select(h.retired_at, h.work_status, h.admin_area_id, h.area_m2))
                   if r.retired_at is None and r.work_status != "closed"]
    cells: dict = defaultdict(lambda: np.zeros(5))
    for layer, rows in (("items", items), ("incidents", points)):
        for r in rows:
            key = (layer, int(np.floor((r.longitude + 180.0) / size)), int(np.floor((r.latitude + 90.0) / size)),
                   r.category if layer == "items" else "")
            a, b = (r.quantity, 0) if layer == "items" else (r.killed, r.injured)
            cells[key] += (1, a, b, r.longitude, r.latitude)
    item_days: dict = defaultdict(lambda: np.zeros(2))
    for r in items:
        item_days[(r.found_date, district[r.activity_id] or -1, r.category)] += (1, r.quantity)
    output_days: dict = defaultdict(lambda: np.zeros(2))
    for r in outputs:
        output_days[(r.release_date, district[r.activity_id] or -1, r.outcome)] += (1, r.area_m2)
    item_districts = _summed(item_days, lambda key: key[1:])
    output_districts = _summed(output_days, lambda key: key[1:])
    open_hazards: dict = defaultdict(lambda: np.zeros(2))
    for r in hazards:
        open_hazards[(r.admin_area_id or -1,)] += (1, r.area_m2)
    return {"cells": cells, "item_days": item_days, "output_days": output_days, "item_districts": item_districts,
            "output_districts": output_districts, "hazards": open_hazards}


def _summed(groups: dict, key) -> dict:  # type: ignore[no-untyped-def]
    summed: dict = defaultdict(lambda: np.zeros(2))
    for k, v in groups.items():
        summed[key(k)] += v
    return summed


def _kept(register) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    tables = {"cells": (map_point_cells, 4), "item_days": (dashboard_item_days, 3),
              "output_days": (dashboard_output_days, 3), "item_districts": (dashboard_item_districts, 2),
              "output_districts": (dashboard_output_districts, 2), "hazards": (dashboard_open_hazards, 1)}
    kept = {}
    with register.reading() as connection:
        for name, (table, keys) in tables.items():
            rows = connection.execute(select(table).where(table.c.records > 0)).all()
            kept[name] = {tuple(r[:keys]): np.array(r[keys:keys + (5 if name == "cells" else 2)], dtype=float)
                          for r in rows}
    return kept


def _assert_kept_equal_recount(register) -> None:  # type: ignore[no-untyped-def]
    kept, expected = _kept(register), _recount(register)
    for name in expected:
        assert set(kept[name]) == set(expected[name]), name
        for key, values in expected[name].items():
            assert kept[name][key] == pytest.approx(values, rel=1e-9, abs=1e-6), (name, key)
    # The server's cells, brought up to date from the changed rows, equal cells read afresh and the recount.
    for layer in ("items", "incidents"):
        served, fresh = FINE_CELLS.cells(register, layer, POINT_LAYERS[layer]), \
            FineCellCache().cells(register, layer, POINT_LAYERS[layer])
        assert _cell_dict(served) == _cell_dict(fresh)
        recount = {k[1:]: v for k, v in expected["cells"].items() if k[0] == layer}
        assert {k: v[:2] for k, v in _cell_dict(served).items()} == \
            {(x, y, g): (int(v[0]), int(v[1])) for (x, y, g), v in recount.items()}
    with register.reading() as connection:
        assert compute_dashboard(connection, kept=True) == compute_dashboard(connection)
        assert compute_dashboard(connection, kept=True, day=dt.date(2024, 8, 7)) == \
            compute_dashboard(connection, day=dt.date(2024, 8, 7))
    assert dashboard(register) == compute_dashboard_fresh(register)


def compute_dashboard_fresh(register):  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        return compute_dashboard(connection)


def _cell_dict(cells) -> dict:  # type: ignore[no-untyped-def]
    first = next(iter(cells.sums.values()))
    return {(int(x), int(y), cells.groups[g]): (int(n), int(a), round(float(lon), 6), round(float(lat), 6))
            for x, y, g, n, a, lon, lat in zip(cells.gx, cells.gy, cells.group, cells.records, first, cells.sum_lon,
                                                cells.sum_lat)}


def test_the_upgrade_fills_what_the_rows_hold(scattered):
    """A register written at 0007 (no kept counts), then upgraded: 0008 fills them from the rows, in SQL."""
    _assert_kept_equal_recount(scattered)  # kept by the triggers while the programme was imported
    config = alembic_config()
    with scattered.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007")
    with scattered.writing() as connection:  # writes that no trigger of 0008 sees
        connection.execute(update(progress_reports).where(progress_reports.c.code == "PR-3")
                           .values(review_status="approved"))
        connection.execute(update(items_found).where(items_found.c.code.in_(["SC-1", "SC-2"]))
                           .values(retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))
        connection.execute(update(hazard_areas).where(hazard_areas.c.code == "HS-2").values(work_status="closed"))
    upgrade(scattered.engine)
    _assert_kept_equal_recount(scattered)


def test_every_kind_of_write_keeps_the_counts(scattered, tmp_path):
    FINE_CELLS.cells(scattered, "items", POINT_LAYERS["items"])  # held before the writes: brought up to date after
    # A team's report entered by form with its items, submitted, then a file of more items for it, then approval.
    form = ProgressForm("ACT-1", "2024-08-12", "2024-08-18", "1500", "5", "8",
                        [ItemLine("ap_mine", "PMN-2", "3", "2024-08-13", f"{BASE_LON + 0.011:.7f}",
                                  f"{BASE_LAT + 0.012:.7f}"), ItemLine("uxo", "", "2", "", "", "")])
    code = save_progress_report(scattered, OFFICER, form).code
    _assert_kept_equal_recount(scattered)
    rows = [{"code": f"NEW-{k}", "activity_code": "ACT-1", "progress_report_code": code, "category": "at_mine",
             "model": "TM-62M", "found_date": "2024-08-14", "quantity": "1", "depth_cm": "", "condition": "",
             "disposal": "", "longitude": round(BASE_LON + 0.001 * k, 7), "latitude": round(BASE_LAT - 0.001 * k, 7)}
            for k in range(40)]
    import_file(scattered, "items", write_csv(tmp_path / "new-items.csv", rows), actor="test")
    review.submit(scattered, OFFICER, code)
    read = FINE_CELLS.rows_read(scattered.location, "items")
    review.approve(scattered, SECOND_OFFICER, code)
    _assert_kept_equal_recount(scattered)
    assert FINE_CELLS.rows_read(scattered.location, "items") - read <= 42  # the report's cells only
    # Approval taken away by a correction (edited, so saved again), then rejected after submission.
    with scattered.writing() as connection:
        connection.execute(update(progress_reports).where(progress_reports.c.code == code)
                           .values(review_status="submitted"))
    review.reject(scattered, SECOND_OFFICER, code, comment="wrong period")
    _assert_kept_equal_recount(scattered)
    # A retirement, a moved item, a changed quantity and category, a deleted row, a new reportless item.
    with scattered.writing() as connection:
        connection.execute(update(items_found).where(items_found.c.code == "SC-1")
                           .values(retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))
        connection.execute(update(items_found).where(items_found.c.code.in_(["SC-2", "SC-3"]))
                           .values(longitude=BASE_LON + 0.05, latitude=BASE_LAT - 0.05, quantity=7,
                                   category="axo"))
        connection.execute(delete(items_found).where(items_found.c.code == "SC-4"))
        activity = connection.execute(select(items_found.c.activity_id)
                                      .where(items_found.c.code == "SC-5")).scalar_one()
        connection.execute(insert(items_found).values(
            code="LOOSE-1", activity_id=activity, category="ap_mine", found_date=dt.date(2024, 8, 9), quantity=2,
            longitude=BASE_LON, latitude=BASE_LAT, geom=shapely.Point(BASE_LON, BASE_LAT), min_x=BASE_LON,
            max_x=BASE_LON, min_y=BASE_LAT, max_y=BASE_LAT))
    _assert_kept_equal_recount(scattered)
    # An activity moved to another district; a hazard closed; an incident corrected; an output retired.
    with scattered.writing() as connection:
        other = connection.execute(select(admin_areas.c.id).order_by(admin_areas.c.id.desc())).scalars().first()
        connection.execute(update(activities).where(activities.c.code == "ACT-1").values(admin_area_id=other))
        connection.execute(update(hazard_areas).where(hazard_areas.c.code == "HS-3").values(work_status="closed"))
        connection.execute(update(incidents).where(incidents.c.code == "INS-3").values(killed=4, injured=1))
        connection.execute(update(land_release_outputs).where(land_release_outputs.c.code == "OUT-1")
                           .values(retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))
    _assert_kept_equal_recount(scattered)
    served = layer_geojson(scattered, "items", WIDE, 9, individual_points=False)
    assert served["total"] == sum(int(v[0]) for k, v in _recount(scattered)["cells"].items() if k[0] == "items")


WRITES = st.lists(st.tuples(st.sampled_from(["approve", "unapprove", "retire", "revive", "move", "quantity",
                                             "category", "delete", "reassign"]),
                            st.integers(0, 11_999), st.integers(0, 4)), min_size=1, max_size=6)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES)
def test_random_writes_keep_the_counts(scattered, writes):
    """Any sequence of writes, each its own transaction, leaves the kept counts equal to a recount (the register
    carries over from one example to the next: the invariant holds for whatever state it is in)."""
    FINE_CELLS.cells(scattered, "items", POINT_LAYERS["items"])
    reports = ["PR-2", "PR-3", "PR-4", "PR-5", "PR-6"]
    for action, item, choice in writes:
        code = f"SC-{item}"
        with scattered.writing() as connection:
            row = items_found.c.code == code
            if action in ("approve", "unapprove"):
                connection.execute(update(progress_reports).where(progress_reports.c.code == reports[choice])
                                   .values(review_status="approved" if action == "approve" else "submitted"))
            elif action == "retire":
                connection.execute(update(items_found).where(row).values(
                    retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))
            elif action == "revive":
                connection.execute(update(items_found).where(row).values(retired_at=None))
            elif action == "move":
                connection.execute(update(items_found).where(row).values(
                    longitude=BASE_LON + 0.01 * choice, latitude=BASE_LAT + 0.003 * choice))
            elif action == "quantity":
                connection.execute(update(items_found).where(row).values(quantity=items_found.c.quantity + choice))
            elif action == "category":
                connection.execute(update(items_found).where(row).values(
                    category=("ap_mine", "at_mine", "uxo", "axo", "submunition")[choice]))
            elif action == "delete":
                connection.execute(delete(items_found).where(row))
            else:
                report = connection.execute(select(progress_reports.c.id).where(
                    progress_reports.c.code == reports[choice])).scalar_one()
                connection.execute(update(items_found).where(row).values(progress_report_id=report))
    _assert_kept_equal_recount(scattered)


def test_counts_of_rows_not_touched_are_not_read_again(scattered):
    FINE_CELLS.cells(scattered, "items", POINT_LAYERS["items"])
    read = FINE_CELLS.rows_read(scattered.location, "items")
    with scattered.writing() as connection:  # a write to another table: nothing of the items' cells is read
        connection.execute(update(hazard_areas).where(hazard_areas.c.code == "HS-1").values(work_status="closed"))
    FINE_CELLS.cells(scattered, "items", POINT_LAYERS["items"])
    assert FINE_CELLS.rows_read(scattered.location, "items") == read
    with scattered.reading() as connection:
        live = connection.execute(select(func.count()).select_from(items_found)).scalar_one()
    assert read < live  # the layer's cells, not its items


def test_a_write_drops_the_kept_texts_of_the_written_features_only(scattered):
    layer_geojson(scattered, "hazards", WIDE, 12, individual_points=True)
    key = (scattered.location, "hazards")
    before = dict(FEATURE_TEXTS._held[key][1][12])
    with scattered.reading() as connection:
        ids = dict(connection.execute(select(hazard_areas.c.code, hazard_areas.c.id)
                                      .where(hazard_areas.c.code.in_(["HS-3", "HS-4"]))).all())
    with scattered.writing() as connection:
        connection.execute(update(hazard_areas).where(hazard_areas.c.code == "HS-3").values(work_status="closed"))
    served = layer_geojson(scattered, "hazards", WIDE, 12, individual_points=True)
    after = FEATURE_TEXTS._held[key][1][12]
    assert [f for f in served["features"] if f["properties"]["code"] == "HS-3"][0]["properties"]["work_status"] \
        == "closed"
    assert after[ids["HS-3"]] != before[ids["HS-3"]]
    assert all(after[i] is before[i] for i in before if i != ids["HS-3"])  # not made again
    assert ids["HS-4"] in before


def test_individual_points_follow_an_update(scattered):
    """Items are not in the feature log: a write to them drops the layer's kept texts, so a changed item shows."""
    with scattered.reading() as connection:
        code, lon, lat = connection.execute(select(items_found.c.code, items_found.c.longitude, items_found.c.latitude)
                                            .where(items_found.c.code.like("SC-%"), approved_only(items_found))
                                            .order_by(items_found.c.id).limit(1)).one()
    tiny = (lon - 0.0002, lat - 0.0002, lon + 0.0002, lat + 0.0002)

    def quantity() -> int:
        layer = layer_geojson(scattered, "items", tiny, 17, individual_points=True)
        assert layer["aggregated"] is False
        return [f["properties"]["quantity"] for f in layer["features"] if f["properties"]["code"] == code][0]

    first = quantity()
    with scattered.writing() as connection:
        connection.execute(update(items_found).where(items_found.c.code == code).values(quantity=first + 5))
    assert quantity() == first + 5
