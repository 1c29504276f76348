"""Bulk insertion of validated rows: SQLite executemany on the raw driver, PostgreSQL COPY.

The ORM and even SQLAlchemy Core add per-row Python work that dominates at a million rows; here each row is one
tuple (SQLite) or one CSV line (PostgreSQL), both built column-wise from the typed frame.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table

from demine.store.geometry import encode_geometries


def insert_frame(connection: Connection, table: Table, frame: pd.DataFrame, geometries: np.ndarray | None) -> None:
    """Insert every row of `frame` (columns named as the table's) and its geometries, if any, in the open transaction."""
    if len(frame) == 0:
        return
    frame = frame.copy()
    dialect = connection.dialect.name
    if geometries is not None:
        frame["geom"] = encode_geometries(geometries, dialect)
    columns = list(frame.columns)
    if dialect == "postgresql":
        _copy(connection, table, frame, columns)
    else:
        _executemany(connection, table, frame, columns)


def _executemany(connection: Connection, table: Table, frame: pd.DataFrame, columns: list[str]) -> None:
    prepared = {}
    for name in columns:
        column = frame[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or str(column.dtype).startswith("datetime64"):
            prepared[name] = column.dt.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
        else:
            prepared[name] = column.astype(object).where(column.notna(), None).to_numpy(dtype=object)
    for name, values in prepared.items():  # dates stored by SQLAlchemy on SQLite as ISO text
        if len(values) and hasattr(_first(values), "isoformat"):
            prepared[name] = np.array([v.isoformat() if v is not None else None for v in values], dtype=object)
    rows = list(zip(*(prepared[name] for name in columns)))
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({placeholders})"
    connection.exec_driver_sql(sql, rows)


def _first(values: np.ndarray) -> object:
    for value in values:
        if value is not None:
            return value
    return None


def _copy(connection: Connection, table: Table, frame: pd.DataFrame, columns: list[str]) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="")
    driver = connection.connection.driver_connection
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(buffer.getvalue())
