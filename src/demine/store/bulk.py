"""Bulk insertion of validated rows: SQLite executemany on the raw driver, PostgreSQL binary COPY.

The ORM and even SQLAlchemy Core add per-row Python work that dominates at a million rows; here the values are turned
into driver values column by column (vectorised), and only the final row tuples are built one by one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
import sqlalchemy as sa
from sqlalchemy import Connection, Table

from demine.store.geometry import WGS84_SRID, Geometry

# SQLite: page cache while a large insert runs (KiB; the default is 2 MiB, and a million rows touch far more index
# pages than that). Pages are allocated only as used, and the setting is restored afterwards.
BULK_CACHE_KIB = 256 * 1024
# SQLite: from this many rows (and at least as many as the table holds), secondary indexes are dropped and built
# again after the insert, in the same transaction: sorting once is much faster than a million random index inserts.
DEFER_INDEXES_FROM = 10_000


# From this many rows inserted at once, the table's planner statistics are refreshed (see analyse).
ANALYZE_FROM = 10_000
# SQLite: rows sampled per index by ANALYZE (0 would read every row: tens of seconds at ten million items).
ANALYSIS_LIMIT = 2_000

# Rows between two progress reports of a bulk insert: often enough for a smooth bar, rare enough to cost nothing.
PROGRESS_EVERY = 25_000


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame, geometries: np.ndarray | None, *,
                 progress: Callable[[int, int], None] | None = None) -> None:
    """Insert every row of `frame` (columns named as the table's) and its geometries, if any, in the open transaction.

    `progress` hears (rows sent, rows in all) as the rows go to the database.
    """
    if len(frame) == 0:
        return
    columns = {name: frame[name] for name in frame.columns}
    if connection.dialect.name == "postgresql":
        _copy(connection, table, columns, geometries, progress)
    else:
        _executemany(connection, table, columns, geometries, progress)
    if len(frame) >= ANALYZE_FROM:
        analyse(connection, table)


def analyse(connection: Connection, table: Table) -> None:
    """Refresh the planner's statistics of a table that just grew a lot, in the open transaction.

    Without them SQLite picked the bbox B-tree over the R*Tree and full scans over indexes after a large import
    (bench/web_map.py: items in a district 214 -> 159 ms at 200,000 items on ANALYZE alone). SQLite samples
    ANALYSIS_LIMIT rows per index, so this costs milliseconds even at ten million rows; PostgreSQL samples anyway.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"ANALYZE {table.name}")
        return
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute(f"ANALYZE {table.name}")
    finally:
        cursor.close()


def _counted(rows: Iterator[tuple], total: int, progress: Callable[[int, int], None] | None) -> Iterator[tuple]:
    """The rows as they are, telling `progress` every PROGRESS_EVERY rows (and at the end)."""
    return rows if progress is None else _reporting(rows, total, progress)


def _reporting(rows: Iterator[tuple], total: int, progress: Callable[[int, int], None]) -> Iterator[tuple]:
    progress(0, total)
    sent = 0
    for row in rows:
        yield row
        sent += 1
        if sent % PROGRESS_EVERY == 0:
            progress(sent, total)
    progress(sent, total)


def stored_hashes(connection: Connection, table: Table) -> pd.DataFrame:
    """Id and row hash (nullable) of every record of the table, indexed by code: read on the driver, a million rows in
    about a second, for matching a large file against what the register already holds."""
    cursor = connection.connection.driver_connection.cursor()
    try:
        # No NULL reaches pandas, which would turn the 64-bit hashes into floats and lose their last digits.
        cursor.execute(f"SELECT code, id, row_hash IS NULL, COALESCE(row_hash, 0) FROM {table.name}")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    frame = pd.DataFrame(rows, columns=["code", "id", "missing", "row_hash"])
    hashes = pd.arrays.IntegerArray(frame["row_hash"].to_numpy(dtype=np.int64), frame["missing"].to_numpy(dtype=bool))
    return pd.DataFrame({"id": frame["id"].to_numpy(dtype=np.int64), "row_hash": hashes},
                        index=pd.Index(frame["code"], dtype=object, name=None))


# --- SQLite ------------------------------------------------------------------------------------------------------

def _executemany(connection: Connection, table: Table, columns: dict[str, pd.Series],
                 geometries: np.ndarray | None, progress: Callable[[int, int], None] | None = None) -> None:
    values = {name: _sqlite_values(column) for name, column in columns.items()}
    if geometries is not None:
        values["geom"] = shapely.to_wkb(geometries).tolist()  # WKB, as store.geometry.Geometry stores it
    names = list(values)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    rows = len(next(iter(values.values())))
    driver = connection.connection.driver_connection
    cursor = driver.cursor()
    try:
        load = connection.info.get(BULK_LOAD)
        with _sqlite_bulk_settings(cursor, table, rows, explicit_ids="id" in values,
                                   load=load if load is not None and load.table == table.name else None):
            # Tuples made one at a time, never all held at once.
            cursor.executemany(sql, _counted(zip(*values.values()), rows, progress))
    finally:
        cursor.close()


def _sqlite_values(column: pd.Series) -> list:
    """A column as the Python values sqlite3 binds: None where missing, dates and times as SQLAlchemy writes them."""
    if isinstance(column.dtype, pd.DatetimeTZDtype) or str(column.dtype).startswith("datetime64"):
        return column.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object, na_value=None).tolist()
    numpy_kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else None  # not the nullable types
    if numpy_kind in ("i", "u", "b"):
        return column.tolist()
    if numpy_kind == "f":
        values = column.to_numpy()
        missing = np.isnan(values)
        return values.tolist() if not missing.any() else np.where(missing, None, values.astype(object)).tolist()
    if column.dtype != object:  # nullable integers, booleans, strings
        return column.to_numpy(dtype=object, na_value=None).tolist()
    values = column.to_numpy(dtype=object)
    codes, distinct = pd.factorize(values, use_na_sentinel=True)  # missing: -1, taken from the appended None
    if len(distinct) and isinstance(distinct[0], (dt.date, dt.datetime)):  # stored as ISO text
        distinct = np.array([v.isoformat() for v in distinct], dtype=object)
    elif not (codes < 0).any():
        return values.tolist()
    return np.append(np.asarray(distinct, dtype=object), None)[codes].tolist()


@dataclass
class _Deferred:
    """What a large SQLite insert took away for its duration, to be put back over the new rows (ids above held)."""
    held: int
    indexes: list[str]
    rtree_trigger: str | None
    kept_trigger: str | None


@dataclass
class _BulkLoad:
    table: str
    deferred: _Deferred | None = None


@contextmanager
def bulk_load(connection: Connection, table: Table) -> Iterator[None]:
    """Several insert_frame calls into one table as one bulk load (an import read in parts), in the open transaction.

    On SQLite, once an insert is large enough to drop the table's secondary indexes and insert triggers, they stay
    dropped for the later inserts of the load and are put back once at its end over all the new rows: by the rule of
    a single insert (at least the table's size) the third part of a file would otherwise go into live indexes, row
    by row (2 million items in parts of 500,000: 53% more CPU). Nothing changes on PostgreSQL.
    """
    if connection.dialect.name == "postgresql":
        yield
        return
    load = _BulkLoad(table.name)
    connection.info[BULK_LOAD] = load
    try:
        yield
    finally:
        connection.info.pop(BULK_LOAD, None)
    # Only on success: after an error the caller rolls back, and the rollback restores what was dropped.
    if load.deferred is not None:
        cursor = connection.connection.driver_connection.cursor()
        try:
            with _bulk_cache(cursor):
                _restore(cursor, table, load.deferred)
        finally:
            cursor.close()
        analyse(connection, table)  # the indexes built again have no statistics yet


BULK_LOAD = "demine.bulk_load"  # key of the running bulk load in the connection's info


@contextmanager
def _sqlite_bulk_settings(cursor, table: Table, rows: int, *,  # type: ignore[no-untyped-def]
                          explicit_ids: bool = False, load: _BulkLoad | None = None) -> Iterator[None]:
    with _bulk_cache(cursor):
        if load is not None and load.deferred is not None:
            yield  # an earlier insert of the load dropped them; the load puts them back at its end
            return
        deferred = _defer(cursor, table, rows, explicit_ids)
        yield
        # Only on success: after an error the caller rolls back, and the rollback restores what was dropped.
        if deferred is not None and load is not None:
            load.deferred = deferred
        elif deferred is not None:
            _restore(cursor, table, deferred)


@contextmanager
def _bulk_cache(cursor) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """SQLite's page cache at BULK_CACHE_KIB while a large insert or an index rebuild runs, put back after it."""
    cache = cursor.execute("PRAGMA cache_size").fetchone()[0]
    cursor.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {cache}")


def _defer(cursor, table: Table, rows: int, explicit_ids: bool) -> _Deferred | None:  # type: ignore[no-untyped-def]
    """Drop the table's secondary indexes and insert triggers when the insert is large; what was dropped, or None."""
    # Rows are never deleted, so the largest rowid is the table's size without counting it.
    held = cursor.execute(f"SELECT max(rowid) FROM {table.name}").fetchone()[0] or 0
    if rows < max(DEFER_INDEXES_FROM, held):
        return None
    indexes = _drop_secondary_indexes(cursor, table)
    # The R*Tree too: filled from the new rows in one statement after the insert, twice as fast as the trigger's
    # insert per row (500,000 points: 19 s against 39 s). New rows take ids above `held` unless the caller gives
    # ids, and then the trigger stays.
    rtree_trigger = _drop_rtree_insert_trigger(cursor, table) if not explicit_ids else None
    # Likewise the triggers keeping the map's and dashboard's counts (migration 0008): their grouped statements
    # over the new rows run once after the insert, instead of an upsert per row (+48 % on an import).
    kept_trigger = _drop_trigger(cursor, f"kept_{table.name}_insert") if not explicit_ids else None
    return _Deferred(held, indexes, rtree_trigger, kept_trigger)


def _restore(cursor, table: Table, deferred: _Deferred) -> None:  # type: ignore[no-untyped-def]
    for sql in deferred.indexes:
        cursor.execute(sql)
    if deferred.rtree_trigger is not None:
        cursor.execute(f"INSERT INTO rtree_{table.name} (id, min_x, max_x, min_y, max_y) "
                       f"SELECT id, min_x, max_x, min_y, max_y FROM {table.name} "
                       f"WHERE id > ? AND min_x IS NOT NULL", (deferred.held,))
        cursor.execute(deferred.rtree_trigger)
    if deferred.kept_trigger is not None:
        for (statement,) in cursor.execute("SELECT statement FROM kept_catch_up WHERE table_name = ? "
                                           "ORDER BY position", (table.name,)).fetchall():
            cursor.execute(statement, {"held": deferred.held})
        cursor.execute(deferred.kept_trigger)


def _drop_rtree_insert_trigger(cursor, table: Table) -> str | None:  # type: ignore[no-untyped-def]
    """Drop the trigger that copies each new row's extent into the table's R*Tree (migration 0007); its SQL, or None
    when the table has none."""
    found = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                           (f"rtree_{table.name}_insert",)).fetchone()
    if found is None:
        return None
    cursor.execute(f'DROP TRIGGER "rtree_{table.name}_insert"')
    return found[0]


def _drop_trigger(cursor, name: str) -> str | None:  # type: ignore[no-untyped-def]
    """Drop the trigger and return its SQL, or None when there is none."""
    found = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
    if found is None:
        return None
    cursor.execute(f'DROP TRIGGER "{name}"')
    return found[0]


def _drop_secondary_indexes(cursor, table: Table) -> list[str]:  # type: ignore[no-untyped-def]
    """Drop the table's plain (non-unique, CREATE INDEX) indexes and return the SQL that creates them again."""
    plain = [name for _, name, unique, origin, _ in cursor.execute(f"PRAGMA index_list({table.name})").fetchall()
             if origin == "c" and not unique]
    statements = []
    for name in plain:
        sql = cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).fetchone()[0]
        cursor.execute(f'DROP INDEX "{name}"')
        statements.append(sql)
    return statements


# --- PostgreSQL --------------------------------------------------------------------------------------------------

def _copy(connection: Connection, table: Table, columns: dict[str, pd.Series], geometries: np.ndarray | None,
          progress: Callable[[int, int], None] | None = None) -> None:
    types = {name: _copy_type(table.c[name]) for name in [*columns, *(["geom"] if geometries is not None else [])]}
    values = {name: _copy_values(column, types[name]) for name, column in columns.items()}
    if geometries is not None:  # EWKB bytes go straight to PostGIS's binary input of geometry
        values["geom"] = shapely.to_wkb(shapely.set_srid(geometries, WGS84_SRID), include_srid=True).tolist()
    driver = connection.connection.driver_connection
    sql = f"COPY {table.name} ({', '.join(values)}) FROM STDIN (FORMAT BINARY)"
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        copy.set_types([types[name] for name in values])
        for row in _counted(zip(*values.values()), len(next(iter(values.values()))), progress):
            copy.write_row(row)


def _copy_values(column: pd.Series, kind: str) -> list:
    """A column as the Python values psycopg's binary dumper of `kind` takes, None where missing."""
    if kind in ("int2", "int4", "int8"):
        column = column.astype("Int64")  # whole numbers held as floats too; a fraction fails, as COPY would
    elif kind == "float8":
        column = column.astype("Float64")
    elif kind == "date" and column.dtype != object:
        column = pd.to_datetime(column).dt.date
    elif kind == "timestamptz":  # naive times are UTC, the session time zone (store.engine)
        column = pd.Series(pd.to_datetime(column, utc=True).dt.to_pydatetime(), dtype=object)
    elif kind == "text" and pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        column = column.astype(object).where(column.isna(), column.astype(str))
    return column.to_numpy(dtype=object, na_value=None).tolist()


def _copy_type(column) -> str:  # type: ignore[no-untyped-def]
    """The PostgreSQL type a binary COPY sends for a column (geometry: its EWKB, read by PostGIS as bytea)."""
    kind = column.type
    if isinstance(kind, Geometry):
        return "bytea"
    for sqlalchemy_type, name in _COPY_TYPES:
        if isinstance(kind, sqlalchemy_type):
            return "timestamptz" if name == "timestamp" and kind.timezone else name
    raise TypeError(f"no binary COPY type for {column.table.name}.{column.name} ({kind!r})")


_COPY_TYPES = [
    (sa.BigInteger, "int8"), (sa.SmallInteger, "int2"), (sa.Integer, "int4"), (sa.Float, "float8"),
    (sa.Boolean, "bool"), (sa.DateTime, "timestamp"), (sa.Date, "date"),
    (sa.String, "text"), (sa.LargeBinary, "bytea"),
]
