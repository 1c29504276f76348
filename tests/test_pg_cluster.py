"""The test infrastructure itself: the throwaway PostGIS cluster and the backend fixtures work."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

if TYPE_CHECKING:  # annotation only: keeps this file importable whether or not tests/ is a package
    from pg_cluster import PgCluster


def test_postgis_version(postgis_url: str) -> None:
    with psycopg.connect(postgis_url) as conn:
        row = conn.execute("SELECT postgis_version()").fetchone()
    assert row is not None and row[0][:1].isdigit(), row


def test_server_attributes(postgis_server: PgCluster) -> None:
    assert postgis_server.admin_url == f"postgresql://postgres@127.0.0.1:{postgis_server.port}/postgres"
    with psycopg.connect(postgis_server.admin_url) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        fsync = conn.execute("SHOW fsync").fetchone()
    assert version is not None and version[0].startswith("15")
    assert fsync == ("off",)


# Every database handed out this session; the isolation tests below run in any order.
_seen_urls: list[str] = []


def _probe_then_leave_table(url: str) -> None:
    """Fail if an earlier test's table is visible here, then leave one behind for the next test."""
    assert url not in _seen_urls, "two tests were given the same database"
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('public.leak_probe')").fetchone() == (None,)
        conn.execute("CREATE TABLE leak_probe (id int)")
    _seen_urls.append(url)


def test_isolation_a(postgis_url: str) -> None:
    _probe_then_leave_table(postgis_url)


def test_isolation_b(postgis_url: str) -> None:
    _probe_then_leave_table(postgis_url)


def test_previous_database_dropped(postgis_server: PgCluster, postgis_url: str) -> None:
    with psycopg.connect(postgis_server.admin_url) as conn:
        names = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
    assert "demine_template" in names and postgis_url.rsplit("/", 1)[1] in names
    assert not any(u.rsplit("/", 1)[1] in names for u in _seen_urls)


def test_sqlite_url_in_tmp(sqlite_url: str, tmp_path: Path) -> None:
    path = Path(sqlite_url)
    assert path.parent == tmp_path and path.name == "demine.db"
    assert path.resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())


def test_db_url_backends(db_url: str, request: pytest.FixtureRequest) -> None:
    backend = request.node.callspec.params["db_url"]
    if backend == "postgis":
        assert db_url.startswith("postgresql://postgres@127.0.0.1:")
        assert request.node.get_closest_marker("postgis") is not None
    else:
        assert backend == "sqlite" and not db_url.startswith("postgresql://")
