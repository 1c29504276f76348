"""The map's data: one layer at a time, limited to the viewport, simplified for the zoom, capped.

Each request reads only rows whose stored extent meets the viewport (the indexed min_x..max_y columns, the same
query on both backends). Polygons are simplified to about one screen pixel at the requested zoom, so a national
view does not ship every vertex. Points (items found, incidents) come as individual features when few, and as
counts on a grid of the viewport when many or when the reader may only see aggregates (the public).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Integer, Table, and_, cast, exists, func, or_, select

from demine.errors import DemineError
from demine.store.tables.base import BBox, bbox_filter
from demine.services.register import Register
from demine.store.tables.core import admin_areas
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import items_found, land_release_outputs, progress_reports
from demine.store.tables.people import incidents
from demine.store.tables.projects import development_projects
from demine.store.tables.records import minefield_records, record_verifications

MAX_FEATURES = 2000  # beyond this the layer says `truncated` and the user zooms in
MAX_POINTS = 500  # more points than this in view are sent as grid counts
GRID_CELLS = 24  # grid cells across the viewport when points are aggregated


@dataclass(frozen=True, slots=True)
class Layer:
    table: Table
    properties: tuple[str, ...]
    kind: str | None  # the register kind for /api/{kind}/{code}, when features may be opened
    points: bool = False  # lon/lat columns, aggregated when many
    weight: str | None = None  # column summed when aggregating (quantity of items)
    date: str | None = None  # the column the map's time filter applies to
    public: bool = True  # False: only readers of the register see the layer at all


LAYERS: dict[str, Layer] = {
    "districts": Layer(admin_areas, ("code", "name"), None),
    "hazards": Layer(hazard_areas, ("code", "name", "hazard_class", "work_status", "area_m2"), "hazards"),
    "outputs": Layer(land_release_outputs, ("code", "outcome", "release_date", "area_m2"), "outputs",
                     date="release_date"),
    "items": Layer(items_found, ("code", "category", "model", "found_date", "quantity"), "items", True, "quantity",
                   date="found_date"),
    "incidents": Layer(incidents, ("code", "kind", "incident_date", "category", "killed", "injured"), "incidents",
                       True, "killed", date="incident_date"),
    "projects": Layer(development_projects, ("code", "name", "project_type", "funded"), "projects"),
    # Supplied minefield records, with the class of their latest verification (none yet: "unverified").
    "records": Layer(minefield_records, ("code", "name", "pattern", "ap_count", "at_count"), "records",
                     public=False),
}
UNVERIFIED = "unverified"


def verification_class() -> Any:
    """The latest verification's class of each record, as a correlated subquery (one indexed lookup per record)."""
    v = record_verifications.c
    return (select(v.verification_class).where(v.record_id == minefield_records.c.id)
            .order_by(v.run_at.desc(), v.id.desc()).limit(1).scalar_subquery())


def approved_only(table: Table) -> Any:
    """Outputs and items count when their progress report is approved, or when they came without one.

    A correlated EXISTS (a primary-key probe per row), not `IN (SELECT ...)`: with the IN list SQLite drives the
    query from the report index and reads every approved report's items before the viewport's bbox narrows them
    (measured in bench/web_map.py: an empty field viewport 30 ms with IN, 1 ms with EXISTS; dashboard 637 -> 302 ms).
    """
    return or_(table.c.progress_report_id.is_(None),
               exists().where(progress_reports.c.id == table.c.progress_report_id,
                              progress_reports.c.review_status == "approved"))


def pixel_degrees(zoom: int) -> float:
    """Degrees of longitude per 256-pixel-tile pixel at this zoom (Web Mercator, at the equator)."""
    return 360.0 / (256 * 2 ** max(0, min(zoom, 22)))


def layer_geojson(register: Register, name: str, bbox: BBox, zoom: int, *, individual_points: bool,
                  since: dt.date | None = None, until: dt.date | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of one layer in the viewport; `individual_points` False forces aggregates (and
    hides layers that are not public). `since`/`until` keep the dated layers' features of that period (inclusive)."""
    layer = LAYERS.get(name)
    if layer is None:
        raise DemineError(f"Unknown map layer {name!r}; use one of: {', '.join(LAYERS)}.")
    if not layer.public and not individual_points:
        return {"type": "FeatureCollection", "layer": name, "aggregated": False, "truncated": False,
                "restricted": True, "features": []}
    table = layer.table
    where = [table.c.retired_at.is_(None), *bbox_filter(table, bbox)]
    if "progress_report_id" in table.c:
        where.append(approved_only(table))
    if layer.date is not None and since is not None:
        where.append(table.c[layer.date] >= since)
    if layer.date is not None and until is not None:
        where.append(table.c[layer.date] <= until)
    with register.reading() as connection:
        columns = [table.c[p] for p in layer.properties]
        names = list(layer.properties)
        if name == "records":
            columns.append(func.coalesce(verification_class(), UNVERIFIED).label("verification_class"))
            names.append("verification_class")
        # No ORDER BY: with one, SQLite walks the whole table in id order instead of using the bbox index (an empty
        # field viewport over 200,000 items: 92 ms against 24 ms). A truncated layer says so and the user zooms in.
        query = select(*columns, table.c.geom).where(*where)
        if layer.points and not individual_points:
            return _aggregated(connection, name, layer, where, bbox)
        if layer.points:
            # The first MAX_POINTS + 1 rows tell whether to aggregate: no count of everything in view first.
            rows = connection.execute(query.limit(MAX_POINTS + 1)).all()
            if len(rows) > MAX_POINTS:
                return _aggregated(connection, name, layer, where, bbox)
        else:
            rows = connection.execute(query.limit(MAX_FEATURES + 1)).all()
    truncated = len(rows) > MAX_FEATURES
    rows = rows[:MAX_FEATURES]
    geometries = shapely.simplify(np.array([r.geom for r in rows], dtype=object), pixel_degrees(zoom),
                                  preserve_topology=True)
    # Coordinates to 1e-6 degrees (~10 cm) in one vectorised pass: set_precision per geometry cost 0.25 s per 2,000.
    texts = shapely.to_geojson(shapely.transform(geometries, lambda xy: np.round(xy, 6))) if rows else []
    features = [_feature(text, dict(zip(names, r[:-1])), layer.kind) for text, r in zip(texts, rows)]
    return {"type": "FeatureCollection", "layer": name, "aggregated": False, "truncated": truncated,
            "features": features}


def _aggregated(connection: Any, name: str, layer: Layer, where: list, bbox: BBox) -> dict[str, Any]:
    """Counts on a grid over the viewport, each placed at the mean position of what it holds."""
    table = layer.table
    min_x, min_y, max_x, max_y = bbox
    cell = max(max_x - min_x, max_y - min_y, 1e-9) / GRID_CELLS
    # CAST truncates toward zero; inside the viewport the offsets are >= 0, so it is floor on both backends.
    inside = and_(table.c.longitude >= min_x, table.c.latitude >= min_y)
    gx = cast((table.c.longitude - min_x) / cell, Integer).label("gx")
    gy = cast((table.c.latitude - min_y) / cell, Integer).label("gy")
    weight = table.c[layer.weight] if layer.weight else None
    measures = [func.count().label("records"), func.avg(table.c.longitude).label("lon"),
                func.avg(table.c.latitude).label("lat")]
    if layer.kind == "incidents":
        measures += [func.sum(table.c.killed).label("killed"), func.sum(table.c.injured).label("injured")]
    elif weight is not None:
        measures.append(func.sum(weight).label("quantity"))
    rows = connection.execute(select(gx, gy, *measures).where(*where, inside).group_by(gx, gy)).mappings().all()
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(r["lon"], 6),
                                                                                  round(r["lat"], 6)]},
                 "properties": {k: (int(v) if v is not None else 0) for k, v in r.items()
                                if k not in ("gx", "gy", "lon", "lat")}} for r in rows]
    return {"type": "FeatureCollection", "layer": name, "aggregated": True, "truncated": False,
            "total": sum(f["properties"]["records"] for f in features), "features": features}


def _feature(geometry: str, properties: dict[str, Any], kind: str | None) -> dict[str, Any]:
    plain = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in properties.items()}
    if kind:
        plain["register_kind"] = kind  # the client opens /api/{register_kind}/{code} for details and history
    return {"type": "Feature", "geometry": json.loads(geometry), "properties": plain}
