"""One schema, one set of migrations, on both backends; geometry native on PostGIS so QGIS opens the tables."""

from __future__ import annotations

from sqlalchemy import inspect, text

from demine.services.register import initialise, is_current, open_register
from demine.store.migrate import current_revision, head_revision
from demine.store.tables import metadata


def test_migrations_create_every_table_and_rerun_is_a_no_op(db_url):
    register = open_register(db_url)
    assert initialise(register) is True
    assert current_revision(register.engine) == head_revision()
    assert set(metadata.tables) <= set(inspect(register.engine).get_table_names())
    assert initialise(register) is False and is_current(register)
    register.close()


def test_sqlite_is_in_wal_mode_with_foreign_keys(sqlite_url):
    register = open_register(sqlite_url)
    initialise(register)
    with register.reading() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    register.close()


def test_postgis_geometry_columns_are_registered(postgis_url):
    register = open_register(postgis_url)
    initialise(register)
    with register.reading() as connection:
        rows = connection.execute(text(
            "SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_name IN "
            "('hazard_areas', 'items_found', 'admin_areas')")).all()
        indexes = connection.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'items_found' AND indexdef LIKE '%gist%'")).all()
        timezone = connection.execute(text("SHOW timezone")).scalar()
    assert sorted(rows) == [("admin_areas", "MULTIPOLYGON", 4326), ("hazard_areas", "GEOMETRY", 4326),
                            ("items_found", "POINT", 4326)]
    assert indexes, "a GiST index on items_found.geom"
    assert timezone == "UTC"
    register.close()


def test_foreign_keys_hold_on_both_backends(register):
    import pytest
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with register.writing() as connection:
            connection.execute(text(
                "INSERT INTO teams (code, organisation_id, name, method, members) VALUES ('T', 999, 'x', 'manual', 1)"))
