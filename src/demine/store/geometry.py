"""A geometry column that is native PostGIS `geometry` on PostgreSQL and WKB in a BLOB on SQLite.

GeoAlchemy2 would need SpatiaLite on SQLite, which this Python's sqlite3 cannot load, so the type is ours: values are
shapely geometries in WGS84 (EPSG:4326). On PostGIS, hex EWKB is sent as text, which PostgreSQL casts to geometry
itself; so QGIS opens the tables directly. Bulk paths bypass this type and send WKB arrays (see store.bulk).
"""

from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, UserDefinedType

WGS84_SRID = 4326


class PostGISGeometry(UserDefinedType):
    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY", srid: int = WGS84_SRID) -> None:
        self.geometry_type = geometry_type
        self.srid = srid

    def get_col_spec(self, **_: Any) -> str:
        return f"geometry({self.geometry_type},{self.srid})"


class Geometry(TypeDecorator):
    """Shapely geometry stored as PostGIS geometry or SQLite WKB."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY") -> None:
        super().__init__()
        self.geometry_type = geometry_type

    def __repr__(self) -> str:  # rendered into Alembic migrations
        return f"Geometry({self.geometry_type!r})"

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PostGISGeometry(self.geometry_type))
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return encode_geometries([value], dialect.name)[0]

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return decode_geometry(value)


def encode_geometries(geometries: Any, dialect_name: str) -> list[Any]:
    """Vectorised encoding of shapely geometries for one backend (hex EWKB for PostGIS, WKB bytes for SQLite)."""
    array = shapely.from_wkb(geometries) if _are_wkb(geometries) else geometries
    if dialect_name == "postgresql":
        with_srid = shapely.set_srid(array, WGS84_SRID)
        return list(shapely.to_wkb(with_srid, hex=True, include_srid=True))
    return list(shapely.to_wkb(array))


def decode_geometry(value: Any) -> shapely.Geometry:
    if isinstance(value, memoryview):
        value = bytes(value)
    return shapely.from_wkb(value)


def _are_wkb(values: Any) -> bool:
    return len(values) > 0 and isinstance(values[0], (bytes, str))
