"""The spatial index behind every viewport: kept in step with the tables by the database itself, and exact.

On SQLite an R*Tree per spatial table (migration 0007) is filled by triggers whatever writes the rows, the bulk
import's raw executemany included; on PostGIS the GiST index on `geom`. Either way a viewport query must return
exactly the features a brute-force shapely test over every stored extent returns.
"""

from __future__ import annotations

import numpy as np
import shapely
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, update

from demine.store.tables import metadata
from demine.store.tables.base import bbox_filter, rtree_of
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import items_found

from .viewport_data import BASE_LAT, BASE_LON, SPREAD


SPATIAL = sorted(t.name for t in metadata.sorted_tables if "min_x" in t.c)


def _rtree_matches_table(register) -> None:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        for name in SPATIAL:
            table = metadata.tables[name]
            held = connection.execute(select(func.count()).select_from(table).where(table.c.min_x.isnot(None)))
            indexed = connection.execute(select(func.count()).select_from(rtree_of(table)))
            assert indexed.scalar_one() == held.scalar_one(), name
        extents = connection.execute(select(items_found.c.id, items_found.c.min_x, items_found.c.max_y)).all()
        stored = dict(connection.execute(select(rtree_of(items_found).c.id, rtree_of(items_found).c.min_x)).all())
    # The R*Tree holds 32-bit floats rounded outward: never inside the stored extent.
    assert all(stored[i] <= min_x for i, min_x, _ in extents)


def _extents(register, table) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """Codes and the extent of each stored geometry (as shapely boxes), read once per register and table state."""
    with register.reading() as connection:
        rows = connection.execute(select(table.c.code, table.c.geom)).all()
    codes = np.array([r.code for r in rows], dtype=object)
    return codes, shapely.box(*np.array([r.geom.bounds for r in rows]).T)  # the feature's extent, as the map means it


def _brute_force(register, table, box, extents=None) -> set[str]:  # type: ignore[no-untyped-def]
    codes, bounds = extents or _extents(register, table)
    return set(codes[shapely.intersects(bounds, shapely.box(*box))])


def _indexed(register, table, box) -> set[str]:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        return set(connection.execute(select(table.c.code).where(*bbox_filter(table, box))).scalars())


def test_bulk_import_fills_the_index_and_analyses(scattered):
    if scattered.backend == "sqlite":
        _rtree_matches_table(scattered)
        with scattered.reading() as connection:
            triggers = set(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                           .scalars())
            assert {f"rtree_{t}_{e}" for t in SPATIAL for e in ("insert", "update", "delete")} <= triggers
            stats = connection.exec_driver_sql("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'items_found'")
            assert stats.scalar_one() > 0  # the bulk path analysed the table it grew
    else:  # the clone has no statistics views of its own; the catalogue's row estimate comes from the ANALYZE
        with scattered.reading() as connection:
            estimate = connection.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'items_found'")
            assert estimate.scalar_one() > 10_000


BOXES = st.tuples(st.floats(-SPREAD * 1.2, SPREAD * 1.2), st.floats(-SPREAD * 1.2, SPREAD * 1.2),
                  st.floats(0, SPREAD), st.floats(0, SPREAD))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(box=BOXES)
def test_viewport_equals_brute_force(scattered, box):
    dx, dy, width, height = box
    viewport = (BASE_LON + dx, BASE_LAT + dy, BASE_LON + dx + width, BASE_LAT + dy + height)
    known = scattered.__dict__.setdefault("extents", {})  # nothing writes during this test: read the extents once
    for table in (items_found, hazard_areas):
        extents = known.setdefault(table.name, _extents(scattered, table))
        assert _indexed(scattered, table, viewport) == _brute_force(scattered, table, viewport, extents)


def test_index_follows_updates_and_deletes(scattered):
    moved = (BASE_LON + 1.0, BASE_LAT + 1.0)  # far outside everything else
    with scattered.writing() as connection:
        connection.execute(update(items_found).where(items_found.c.code == "SC-7").values(
            geom=shapely.Point(*moved), longitude=moved[0], latitude=moved[1], min_x=moved[0], max_x=moved[0],
            min_y=moved[1], max_y=moved[1]))
        connection.execute(delete(items_found).where(items_found.c.code.in_(["SC-8", "SC-9"])))
        connection.execute(update(items_found).where(items_found.c.code == "SC-10").values(quantity=9))
    around = (moved[0] - 1e-4, moved[1] - 1e-4, moved[0] + 1e-4, moved[1] + 1e-4)
    assert _indexed(scattered, items_found, around) == {"SC-7"}
    everything = (BASE_LON - 1, BASE_LAT - 1, BASE_LON + 2, BASE_LAT + 2)
    assert _indexed(scattered, items_found, everything) == _brute_force(scattered, items_found, everything)
    assert not {"SC-8", "SC-9"} & _indexed(scattered, items_found, everything)
    if scattered.backend == "sqlite":
        _rtree_matches_table(scattered)


def test_map_layer_returns_the_brute_force_features(scattered):
    from demine.api.app import create_app
    from demine.settings import Settings

    from .conftest import sign_in

    app = create_app(Settings(database_url=scattered.location))
    viewport = (BASE_LON - 0.01, BASE_LAT - 0.01, BASE_LON + 0.01, BASE_LAT + 0.01)
    with TestClient(app) as client:
        sign_in(client, "analyst")
        layer = client.get("/map/layers/hazards", params={"bbox": ",".join(map(str, viewport)), "zoom": 15}).json()
    app.state.register.close()
    assert not layer["truncated"]
    assert {f["properties"]["code"] for f in layer["features"]} == _brute_force(scattered, hazard_areas, viewport)


def test_migration_indexes_the_rows_already_held(tmp_path):
    """A register made before migration 0007 gets every existing row into the R*Trees when it is upgraded."""
    from register_files import write_programme

    from demine.cli import shipped_gazetteer
    from demine.domain.ordnance import SEED_CATALOGUE
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register
    from demine.store.migrate import upgrade
    from demine.store.tables.core import ordnance_models

    register = open_register(str(tmp_path / "before.db"))
    upgrade(register.engine, "0006")
    with register.writing() as connection:  # what initialise seeds, without going to head
        connection.execute(insert(ordnance_models), [{"code": m.code, "category": m.category.value, "description":
                                                      m.description, "charge_g": m.charge_g} for m in SEED_CATALOGUE])
    import_file(register, "gazetteer", shipped_gazetteer(), actor="test")
    for kind, path in write_programme(tmp_path / "files").items():
        import_file(register, kind, path, actor="test")
    initialise(register)  # to head: 0007 creates and fills the R*Trees
    _rtree_matches_table(register)
    with register.reading() as connection:
        assert connection.execute(select(func.count()).select_from(rtree_of(hazard_areas))).scalar_one() == 2
    register.close()
