"""Shared fixtures: one location string per storage backend (SQLite file path or postgresql:// URL)."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Randomness is seeded: every run draws the same examples for each property test, so that a run on a clean checkout
# passes or fails as the last one did. A new example is found by changing a test, not by chance; one found by chance
# locally (HYPOTHESIS_PROFILE=explore) is then kept with @example.
settings.register_profile("seeded", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "seeded"))

# Works whether or not tests/ becomes a package (with __init__.py pytest puts the repo root on sys.path).
try:
    from .pg_cluster import PgCluster, PgUnavailable, start_cluster
except ImportError:
    from pg_cluster import PgCluster, PgUnavailable, start_cluster  # type: ignore[no-redef]

# Fixtures that start the PostgreSQL cluster; tests using them get the `postgis` marker automatically.
_PG_FIXTURES = frozenset({"postgis_server", "postgis_url", "postgis_register_url", "postgis_register_template"})
_startup_seconds: float | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # tryfirst: the marker must be on the item before `-m "not postgis"` deselects, so a quick
    # local run never starts the cluster even for tests that only request the fixture.
    for item in items:
        if _PG_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgis)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _startup_seconds is not None:
        terminalreporter.write_line(f"postgis cluster: started in {_startup_seconds:.2f} s")


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PgCluster]:
    """The session's throwaway PostgreSQL 15 + PostGIS 3 cluster (.port, .admin_url, .url(db))."""
    global _startup_seconds
    try:
        cluster = start_cluster()
    except PgUnavailable as exc:
        # CI must prove both backends: a missing PostGIS there is a broken setup, not a skip.
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostGIS required under CI=true: {exc}", pytrace=False)
        pytest.skip(f"PostGIS backend not available: {exc}")
    _startup_seconds = cluster.startup_seconds
    # A plain SIGTERM (CI timeout, `kill`) would skip teardown and leave postgres running:
    # turn it into the KeyboardInterrupt pytest already handles by running finalizers.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield cluster
    finally:
        cluster.stop()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture
def postgis_url(postgis_server: PgCluster) -> Iterator[str]:
    """A fresh database cloned from the PostGIS template, dropped after the test."""
    name = postgis_server.new_database()
    try:
        yield postgis_server.url(name)
    finally:
        postgis_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file path in the test's tmp dir (the file itself is not created)."""
    return str(tmp_path / "demine.db")


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgis", id="postgis", marks=pytest.mark.postgis),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """The location string of each backend in turn; getfixturevalue so only postgis params start PG."""
    return str(request.getfixturevalue(f"{request.param}_url"))


def _initialise_register(location: str) -> None:
    from demine.cli import shipped_gazetteer
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register

    opened = open_register(location)
    initialise(opened)
    import_file(opened, "gazetteer", shipped_gazetteer(), actor="test")
    opened.close()


@pytest.fixture(scope="session")
def sqlite_register_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised SQLite register made once per session; tests get a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "register.db"
    _initialise_register(str(path))
    return path


@pytest.fixture(scope="session")
def postgis_register_template(postgis_server: PgCluster) -> str:
    """An initialised PostGIS register database made once per session; tests get a clone."""
    name = postgis_server.new_database()
    _initialise_register(postgis_server.url(name))
    return name


@pytest.fixture
def sqlite_register_url(sqlite_register_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "demine.db"
    shutil.copyfile(sqlite_register_template, target)
    return str(target)


@pytest.fixture
def postgis_register_url(postgis_server: PgCluster, postgis_register_template: str) -> Iterator[str]:
    name = postgis_server.new_database(template=postgis_register_template)
    try:
        yield postgis_server.url(name)
    finally:
        postgis_server.drop_database(name)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgis", id="postgis", marks=pytest.mark.postgis),
    ]
)
def register_url(request: pytest.FixtureRequest) -> str:
    """An initialised register (schema, ordnance catalogue, shipped gazetteer) on each backend in turn."""
    return str(request.getfixturevalue(f"{request.param}_register_url"))


@pytest.fixture
def register(register_url: str):
    from demine.services.register import open_register

    opened = open_register(register_url)
    yield opened
    opened.close()


@pytest.fixture
def programme_files(tmp_path: Path) -> dict[str, Path]:
    """The small Aghdam programme of tests/register_files.py, one CSV per kind, in load order."""
    try:
        from .register_files import write_programme
    except ImportError:
        from register_files import write_programme  # type: ignore[no-redef]
    return write_programme(tmp_path / "programme")
