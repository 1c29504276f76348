"""Shared column sets: every register record has a stable code, provenance, a content hash and is retired, not deleted."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, func

from demine.errors import DemineError
from demine.store.geometry import Geometry

# Constraint names fixed by convention so that Alembic migrations are the same on both backends.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def record_columns() -> list[Column]:
    """Identity and provenance of a register record.

    `code` is the identifier people and files use (e.g. "HA-AGD-0042"); `row_hash` is a hash of the imported content,
    so that re-importing the same file is recognised row by row and changes nothing.
    """
    return [
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("code", String(64), nullable=False, unique=True),
        Column("import_batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
        Column("row_hash", BigInteger, nullable=True),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=True),
        Column("retired_at", DateTime(timezone=True), nullable=True),
        Column("retired_reason", Text, nullable=True),
    ]


def spatial_columns(geometry_type: str, *, nullable: bool = False) -> list[Column]:
    """WGS84 geometry plus its bounding box, so both backends filter by extent with a plain indexed query."""
    return [
        Column("geom", Geometry(geometry_type), nullable=nullable),
        Column("min_x", Float, nullable=nullable),
        Column("min_y", Float, nullable=nullable),
        Column("max_x", Float, nullable=nullable),
        Column("max_y", Float, nullable=nullable),
    ]


def bbox_index(table: Table) -> Index:
    """Index the bounding box; on PostGIS the migration adds a GiST index on `geom` as well."""
    return Index(f"ix_{table.name}_bbox", table.c.min_x, table.c.max_x, table.c.min_y, table.c.max_y)


BBox = tuple[float, float, float, float]  # min longitude, min latitude, max longitude, max latitude


def bbox_filter(table: Table, bbox: BBox) -> list:
    """Bounding-box intersection on the stored extent columns: the same indexed query on both backends."""
    if "min_x" not in table.c:
        raise DemineError(f"Records in {table.name} have no geometry to filter by.")
    min_x, min_y, max_x, max_y = bbox
    if min_x > max_x or min_y > max_y:
        raise DemineError("A bounding box is min_lon,min_lat,max_lon,max_lat with min <= max.")
    return [table.c.max_x >= min_x, table.c.min_x <= max_x, table.c.max_y >= min_y, table.c.min_y <= max_y]


__all__ = ["metadata", "record_columns", "spatial_columns", "bbox_index", "bbox_filter", "BBox"]
