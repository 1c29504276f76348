"""The location string picks the backend; every connection rule lives in one engine factory per backend.

A file path (or `sqlite:///path`) is the embedded SQLite database; `postgresql://...` is a PostgreSQL/PostGIS
server. The PostgreSQL driver is imported only when that backend is used.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from demine.errors import ConfigurationError

WRITER_OPTION = "demine_writer"
ACCEPTED_FORMS = "a file path such as demine.db, sqlite:///path/to/demine.db, or postgresql://user@host:port/dbname"


class Backend(StrEnum):
    SQLITE = "sqlite"
    POSTGIS = "postgis"


def backend_of(location: str) -> Backend:
    if location.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        return Backend.POSTGIS
    if location.startswith("sqlite:///") or "://" not in location:
        return Backend.SQLITE
    raise ConfigurationError(f"Unknown database location {location!r}: use {ACCEPTED_FORMS}.")


def sqlite_path(location: str) -> Path:
    return Path(location.removeprefix("sqlite:///"))


def create_engine_for(location: str) -> Engine:
    """One engine per process and location; callers keep it (see services.register.Register)."""
    if backend_of(location) is Backend.POSTGIS:
        return _postgis_engine(location)
    return _sqlite_engine(sqlite_path(location))


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, say when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while the single writer writes; foreign keys are off by default in SQLite.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A writer takes the write lock at once, so that what it validated is still true when it writes;
        # readers begin deferred and never block it (WAL).
        immediate = connection.get_execution_options().get(WRITER_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgis_engine(location: str) -> Engine:
    url = make_url(location)
    url = url.set(drivername="postgresql+psycopg")
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"application_name": "demine", "options": "-c timezone=UTC"},
    )
