"""Shared column sets: every register record has a stable code, provenance, a content hash and is retired, not deleted."""

from __future__ import annotations

from functools import cache

from sqlalchemy import (BigInteger, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, column, func, select, table as table_clause, true)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from demine.errors import DemineError
from demine.store.geometry import WGS84_SRID, Geometry

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
    """Index the bounding box; on PostGIS the migration adds a GiST index on `geom` as well, and on SQLite an R*Tree
    (see rtree_of), which is what viewport queries use there."""
    return Index(f"ix_{table.name}_bbox", table.c.min_x, table.c.max_x, table.c.min_y, table.c.max_y)


BBox = tuple[float, float, float, float]  # min longitude, min latitude, max longitude, max latitude
# SQLite: a viewport larger than this (square degrees; ~90 km x 60 km at 40 N, a zoom 9 screen) is not looked up in
# the R*Tree (see bbox_filter).
WIDE_VIEW_DEG2 = 0.5


@cache  # one clause object per table, so that two mentions in a statement are the same FROM
def rtree_of(table: Table):  # type: ignore[no-untyped-def]
    """The SQLite R*Tree virtual table holding each row's extent under its id (migration 0006; triggers keep it)."""
    return table_clause(f"rtree_{table.name}", column("id"), column("min_x"), column("max_x"), column("min_y"),
                        column("max_y"))


def bbox_filter(table: Table, bbox: BBox) -> list:
    """Bounding-box intersection: the backend's spatial index narrows the rows (the R*Tree on SQLite, the GiST index
    on PostGIS), then the stored extent columns decide exactly (both indexes round extents outward to 32-bit floats,
    so they may let through a row that only touches the box within float error)."""
    if "min_x" not in table.c:
        raise DemineError(f"Records in {table.name} have no geometry to filter by.")
    min_x, min_y, max_x, max_y = bbox
    if min_x > max_x or min_y > max_y:
        raise DemineError("A bounding box is min_lon,min_lat,max_lon,max_lat with min <= max.")
    rtree = rtree_of(table)
    # SQLite lists every id the R*Tree finds before reading a row, so a country-wide view listed 100,000 hazards to
    # send 2,000 of them (250 ms in bench/web_map.py); over such a view the rows mostly match and a plain scan meets
    # the cap within a few thousand rows.
    wide = (max_x - min_x) * (max_y - min_y) > WIDE_VIEW_DEG2
    in_rtree = true() if wide else table.c.id.in_(
        select(rtree.c.id).where(rtree.c.max_x >= min_x, rtree.c.min_x <= max_x, rtree.c.max_y >= min_y,
                                 rtree.c.min_y <= max_y))
    in_gist = table.c.geom.op("&&", is_comparison=True)(func.ST_MakeEnvelope(min_x, min_y, max_x, max_y,
                                                                              WGS84_SRID))
    return [_SpatialIndexProbe(in_rtree, in_gist),
            table.c.max_x >= min_x, table.c.min_x <= max_x, table.c.max_y >= min_y, table.c.min_y <= max_y]


class _SpatialIndexProbe(ColumnElement):
    """One condition written per backend: the R*Tree subquery on SQLite, `geom && envelope` on PostGIS.

    Both forms are children of the element, so SQLAlchemy's statement cache keys on them and takes the bounding box's
    values from whichever one the backend renders."""

    inherit_cache = True  # typeless: as a Boolean, SQLite would render it "(... IN ...) = 1", which no index serves
    _traverse_internals = [("sqlite", InternalTraversal.dp_clauseelement),
                           ("postgresql", InternalTraversal.dp_clauseelement)]

    def __init__(self, sqlite: ColumnElement, postgresql: ColumnElement) -> None:
        self.sqlite = sqlite
        self.postgresql = postgresql


@compiles(_SpatialIndexProbe, "sqlite")
def _probe_sqlite(element: _SpatialIndexProbe, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    return compiler.process(element.sqlite, **kw)


@compiles(_SpatialIndexProbe, "postgresql")
def _probe_postgresql(element: _SpatialIndexProbe, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    return compiler.process(element.postgresql, **kw)


@compiles(_SpatialIndexProbe)
def _probe_other(element: _SpatialIndexProbe, compiler, **kw) -> str:  # type: ignore[no-untyped-def]
    return compiler.process(true(), **kw)  # no spatial index known: the extent comparisons alone


__all__ = ["metadata", "record_columns", "spatial_columns", "bbox_index", "bbox_filter", "rtree_of", "BBox"]
