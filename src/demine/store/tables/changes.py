"""How many writes each register table has seen, so that a cached aggregate knows exactly whether it still holds.

The counts are kept by triggers in the database (migration 0007), not by the services: imports, the bulk path, the
web forms and anyone editing the tables directly (QGIS on PostGIS) all move them. A count only grows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table

from demine.store.tables.base import metadata

register_changes = Table(
    "register_changes",
    metadata,
    Column("table_name", String(64), primary_key=True),
    Column("changes", BigInteger, nullable=False, server_default="0"),
)
