"""The register's layers as OGC API - Features collections: extents, and pages of features by bbox and period.

One query per page: references come as codes through scalar subqueries, the bounding box uses the indexed extent
columns (the same query on both backends), and the page is ordered by id so offsets are stable. Items found and
land released count only when approved, as everywhere else that figures are official.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Table, func, select

from demine.errors import DemineError, NotFound
from demine.io.formats import format_for
from demine.io.spec import FieldType
from demine.services.map_layers import UNVERIFIED, verification_class, approved_only
from demine.store.tables.base import BBox, bbox_filter
from demine.services.register import Register
from demine.store.tables import metadata
from demine.store.tables.core import admin_areas

MAX_LIMIT = 10_000
INTERNAL = {"id", "row_hash", "min_x", "min_y", "max_x", "max_y", "geom", "import_batch_id", "retired_at",
            "retired_reason", "admin_area_id"}


@dataclass(frozen=True, slots=True)
class Collection:
    id: str  # the register kind
    title: str
    description: str
    date: str  # column of the temporal extent and the datetime filter
    public: bool  # False: readers of the register only (individual items and incidents, records)


COLLECTIONS: dict[str, Collection] = {c.id: c for c in (
    Collection("hazards", "Hazard areas", "Suspected (SHA) and confirmed (CHA) hazardous areas with their "
               "classification and work status.", "reported_date", True),
    Collection("outputs", "Land released", "Cancelled, reduced and cleared land of approved reports.",
               "release_date", True),
    Collection("items", "Items found", "Explosive ordnance found, of approved reports.", "found_date", False),
    Collection("incidents", "Incidents and accidents", "Civilian incidents and demining accidents with casualty "
               "counts (victims' personal data is not part of this collection).", "incident_date", False),
    Collection("records", "Minefield records", "Supplied minefield records with the class of their latest "
               "verification.", "received_date", False),
)}


def collection(collection_id: str) -> Collection:
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise NotFound(f"No collection {collection_id!r}; the collections are {', '.join(COLLECTIONS)}.")
    return found


def _table(c: Collection) -> Table:
    return format_for(c.id).table


def _live(c: Collection, table: Table) -> list:
    where = [table.c.retired_at.is_(None)]
    if "progress_report_id" in table.c:
        where.append(approved_only(table))
    return where


def extent(register: Register, c: Collection) -> dict[str, Any]:
    """Spatial (CRS84 bbox) and temporal extent of what the collection holds now."""
    table = _table(c)
    date = table.c[c.date]
    with register.reading() as connection:
        row = connection.execute(select(func.min(table.c.min_x), func.min(table.c.min_y), func.max(table.c.max_x),
                                        func.max(table.c.max_y), func.min(date), func.max(date))
                                 .where(*_live(c, table))).one()
    bbox = [list(row[:4])] if row[0] is not None else [[-180.0, -90.0, 180.0, 90.0]]
    interval = [[_iso(row[4]), _iso(row[5])]]
    return {"spatial": {"bbox": bbox, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
            "temporal": {"interval": interval, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def parse_datetime(text: str | None) -> tuple[dt.date | None, dt.date | None]:
    """OGC datetime: an instant, or an interval start/end with '..' (or empty) for an open end. Dates are compared
    by day, the register's resolution."""
    if not text:
        return None, None
    parts = text.split("/")
    if len(parts) > 2:
        raise DemineError(f"datetime {text!r} is an instant or start/end")
    try:
        days = [None if p in ("", "..") else dt.date.fromisoformat(p[:10]) for p in parts]
    except ValueError:
        raise DemineError(f"datetime {text!r} is not RFC 3339 (e.g. 2024-08-01 or 2024-07-29/2024-08-04)") from None
    start, end = (days[0], days[0]) if len(days) == 1 else (days[0], days[1])
    if start is not None and end is not None and start > end:
        raise DemineError(f"datetime {text!r} ends before it starts")
    return start, end


def _columns(c: Collection, table: Table) -> list:
    """Stored columns people read, with references as the codes of what they point to."""
    columns = []
    references = {f.target: f for f in format_for(c.id).fields if f.type is FieldType.REFERENCE and f.references}
    for column in table.c:
        if column.name in INTERNAL or column.name == "code":
            continue
        spec = references.get(column.name)
        if spec is not None:
            target = metadata.tables[spec.references]
            columns.append(select(target.c.code).where(target.c.id == column).scalar_subquery().label(spec.name))
        else:
            columns.append(column)
    if "admin_area_id" in table.c:
        columns.append(select(admin_areas.c.name).where(admin_areas.c.id == table.c.admin_area_id)
                       .scalar_subquery().label("district"))
    if c.id == "records":
        columns.append(func.coalesce(verification_class(), UNVERIFIED).label("verification_class"))
    return columns


def features(register: Register, c: Collection, *, bbox: BBox | None, start: dt.date | None, end: dt.date | None,
             limit: int, offset: int, code: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """A page of GeoJSON features and the number matched by the filters."""
    table = _table(c)
    where = _live(c, table)
    if bbox is not None:
        where += bbox_filter(table, bbox)
    if start is not None:
        where.append(table.c[c.date] >= start)
    if end is not None:
        where.append(table.c[c.date] <= end)
    if code is not None:
        where.append(table.c.code == code)
    with register.reading() as connection:
        matched = connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        rows = connection.execute(select(table.c.code, table.c.geom, *_columns(c, table)).where(*where)
                                  .order_by(table.c.id).limit(min(limit, MAX_LIMIT)).offset(offset)).mappings().all()
    return [_feature(row) for row in rows], matched


def feature(register: Register, c: Collection, code: str) -> dict[str, Any]:
    found, _ = features(register, c, bbox=None, start=None, end=None, limit=1, offset=0, code=code)
    if not found:
        raise NotFound(f"No feature {code!r} in {c.id}.")
    return found[0]


def _feature(row: Any) -> dict[str, Any]:
    properties = {k: _plain(v) for k, v in row.items() if k not in ("code", "geom")}
    geometry = json.loads(shapely.to_geojson(row["geom"])) if row["geom"] is not None else None
    return {"type": "Feature", "id": row["code"], "geometry": geometry, "properties": {"code": row["code"],
                                                                                       **properties}}


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
