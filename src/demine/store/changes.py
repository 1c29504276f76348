"""The register's write counts (table register_changes, kept by triggers): an exact stamp for cached aggregates.

An aggregate computed after reading the stamp is still true while the stamp reads the same: every committed write to a
counted table moves its count (migration 0007). Read the stamp before the data, in the same connection: a write that
lands between the two then only costs one needless recomputation, never a stale answer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from sqlalchemy import Connection, select

from demine.store.tables.changes import register_changes


def change_stamp(connection: Connection, tables: Iterable[str]) -> tuple[int, ...]:
    """Which database this is, then the write counts of `tables` in the order given.

    The identity guards a cache keyed by location against another database put at the same location with the same
    counts (a clone of the same template, a restored copy): its PostgreSQL oid, or its SQLite file's inode."""
    names = list(tables)
    identity = _identity(connection)
    counts = dict(connection.execute(select(register_changes.c.table_name, register_changes.c.changes)
                                     .where(register_changes.c.table_name.in_(names))).all())
    missing = [n for n in names if n not in counts]
    if missing:
        raise ValueError(f"no write count is kept for {', '.join(missing)} (see migration 0007)")
    return (identity, *(int(counts[n]) for n in names))


def _identity(connection: Connection) -> int:
    if connection.dialect.name == "postgresql":
        return int(connection.exec_driver_sql(
            "SELECT oid FROM pg_database WHERE datname = current_database()").scalar_one())
    path = connection.exec_driver_sql("PRAGMA database_list").first()[2]
    return os.stat(path).st_ino if path else 0
