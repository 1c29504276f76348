"""The map's data: one layer at a time, limited to the viewport, simplified for the zoom, capped.

Each request reads only rows whose stored extent meets the viewport (the indexed min_x..max_y columns, the same
query on both backends, narrowed by the R*Tree on SQLite and GiST on PostGIS). Polygons are simplified to about one
screen pixel at the requested zoom, so a national view does not ship every vertex. Points (items found, incidents)
come as individual features when few, and as counts on the map's fixed lattice of cells (services.point_grid) when
many or when the reader may only see aggregates (the public).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Date, DateTime, Table, exists, func, or_, select, type_coerce
from sqlalchemy.types import NullType

from demine.errors import DemineError
from demine.services.feature_texts import FEATURE_TEXTS
from demine.services.point_grid import FINE_CELLS, FINE_LEVEL, PointLayer, cell_range, count_cells, level_for, roll_up
from demine.services.register import Register
from demine.store.changes import change_stamp
from demine.store.tables.base import BBox, bbox_filter
from demine.store.tables.core import admin_areas
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.kept_counts import feature_changes
from demine.store.tables.operations import items_found, land_release_outputs, progress_reports
from demine.store.tables.people import incidents
from demine.store.tables.projects import development_projects
from demine.store.tables.records import minefield_records, record_verifications

MAX_FEATURES = 2000  # beyond this the layer says `truncated` and the user zooms in
MAX_POINTS = 500  # more points than this in view are sent as grid counts


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
# How the point layers are counted on the map's lattice: items by category (quantities), incidents with casualties.
POINT_LAYERS: dict[str, PointLayer] = {
    "items": PointLayer(items_found, ("quantity",), by="category"),
    "incidents": PointLayer(incidents, ("killed", "injured")),
}


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
    return json.loads(layer_json(register, name, bbox, zoom, individual_points=individual_points, since=since,
                                 until=until))


def layer_json(register: Register, name: str, bbox: BBox, zoom: int, *, individual_points: bool,
               since: dt.date | None = None, until: dt.date | None = None) -> str:
    """layer_geojson's collection as JSON text, written as it is built: each geometry's GeoJSON from shapely goes into
    the text as it is, never parsed into dicts and encoded again (that round trip was 40 % of a 2,000-polygon
    national view)."""
    layer = LAYERS.get(name)
    if layer is None:
        raise DemineError(f"Unknown map layer {name!r}; use one of: {', '.join(LAYERS)}.")
    if not layer.public and not individual_points:
        return json.dumps({"type": "FeatureCollection", "layer": name, "aggregated": False, "truncated": False,
                           "restricted": True, "features": []})
    table = layer.table
    where = [table.c.retired_at.is_(None)]
    if "progress_report_id" in table.c:
        where.append(approved_only(table))
    dated = layer.date is not None and (since is not None or until is not None)
    if layer.date is not None and since is not None:
        where.append(table.c[layer.date] >= since)
    if layer.date is not None and until is not None:
        where.append(table.c[layer.date] <= until)
    if layer.points:
        cells = _point_cells(register, name, where, bbox, zoom, dated, individual_points)
        if cells is not None:
            return _counts(name, cells)
    unbounded = list(where)
    where += bbox_filter(table, bbox)
    # The feature texts come from their table (and, for records, their verifications): their write counts stamp them.
    sources = (table.name, record_verifications.name) if name == "records" else (table.name,)
    with register.reading() as connection:
        stamp = change_stamp(connection, sources)  # before the rows (see services.feature_texts)
        # Only the ids are read to choose the view's features; their texts are kept per zoom between requests.
        # No ORDER BY: with one, SQLite walks the whole table in id order instead of using the bbox index (an empty
        # field viewport over 200,000 items: 92 ms against 24 ms). A truncated layer says so and the user zooms in.
        query = select(table.c.id).where(*where)
        if layer.points:
            # The first MAX_POINTS + 1 rows tell whether to aggregate: no count of everything in view first.
            ids = [r[0] for r in connection.execute(query.limit(MAX_POINTS + 1)).all()]
            if len(ids) > MAX_POINTS:
                return _counts(name, _counted_directly(connection, name, unbounded, bbox, zoom))
        else:
            ids = [r[0] for r in connection.execute(query.limit(MAX_FEATURES + 1)).all()]
        truncated = len(ids) > MAX_FEATURES
        ids = ids[:MAX_FEATURES]
        texts = FEATURE_TEXTS.texts(register.location, name, zoom, stamp, ids,
                                    lambda missing: _feature_texts(connection, name, missing, zoom),
                                    lambda: change_stamp(connection, sources),
                                    (lambda held: _written_since(connection, table.name, held, stamp))
                                    if table.name in FEATURES_LOGGED else None)
    # The collection's head by json.dumps, then the features' texts as they are: never parsed and encoded again.
    head = json.dumps({"type": "FeatureCollection", "layer": name, "aggregated": False, "truncated": truncated,
                       "features": []})
    return head[:-2] + ", ".join(texts) + "]}"


# The tables whose updated and deleted rows are logged in feature_changes (migration 0008); for the others (the point
# layers' individual points) a write drops the layer's kept texts.
FEATURES_LOGGED = frozenset({"admin_areas", "hazard_areas", "land_release_outputs", "development_projects",
                             "minefield_records"})


def _written_since(connection: Any, table: str, held: tuple[int, ...], now: tuple[int, ...]) -> set[int] | None:
    """Ids of the table's features updated or deleted since the stamp `held` (feature_changes, migration 0008); None
    when that cannot be told: another database, a count gone back, or a write to a second source table."""
    if held[0] != now[0] or now[1] < held[1] or held[2:] != now[2:]:
        return None
    # seq >= the held count: on SQLite a row's log entry may take the count from just before its own write moved it.
    return set(connection.execute(select(feature_changes.c.feature_id).where(
        feature_changes.c.table_name == table, feature_changes.c.seq >= held[1])).scalars())


def _feature_texts(connection: Any, name: str, ids: list[int], zoom: int) -> dict[int, str]:
    """Each feature's GeoJSON text: its geometry simplified to about one pixel of the zoom with coordinates rounded
    to 1e-6 degrees (~10 cm), and its properties, by id."""
    layer = LAYERS[name]
    table = layer.table
    # Dates as stored (ISO text on SQLite): SQLAlchemy's parsing of each date was a fifth of a 2,000-feature view.
    columns = [type_coerce(table.c[p], NullType()).label(p) if isinstance(table.c[p].type, (Date, DateTime))
               else table.c[p] for p in layer.properties]
    names = list(layer.properties)
    if name == "records":
        columns.append(func.coalesce(verification_class(), UNVERIFIED).label("verification_class"))
        names.append("verification_class")
    # The stored bytes (WKB, or PostGIS's hex EWKB), decoded below in one vectorised call, not row by row.
    query = select(table.c.id, *columns, type_coerce(table.c.geom, NullType()).label("geom"))
    rows = [r for start in range(0, len(ids), ID_BATCH)
            for r in connection.execute(query.where(table.c.id.in_(ids[start:start + ID_BATCH]))).all()]
    stored = np.array([bytes(r.geom) if isinstance(r.geom, memoryview) else r.geom for r in rows], dtype=object)
    geometries = shapely.simplify(shapely.from_wkb(stored), pixel_degrees(zoom), preserve_topology=True)
    # Coordinates in one vectorised pass: set_precision per geometry cost 0.25 s per 2,000.
    geojson = shapely.to_geojson(shapely.transform(geometries, lambda xy: np.round(xy, 6))) if rows else []
    # One json.dumps for all the properties (2,000 calls cost 10-25 ms), cut at a marker between features: the marker
    # comes out as `, "<marker>", ` only between list items, since inside a property string its quotes are escaped.
    listed = [GEOMETRY_MARK] * (2 * len(rows))
    listed[::2] = [_properties(dict(zip(names, r[1:-1])), layer.kind) for r in rows]
    properties = json.dumps(listed)[1:-1].split(", " + json.dumps(GEOMETRY_MARK))
    if len(properties) != len(rows) + 1:
        raise DemineError(f"A property of the {name} layer in this view holds the text {GEOMETRY_MARK!r}.")
    return {r.id: '{"type": "Feature", "geometry": ' + (geojson[k] or "null") + ', "properties": '
            + properties[k].removeprefix(", ") + "}" for k, r in enumerate(rows)}


def _counts(name: str, cells: list[dict[str, Any]]) -> str:
    return json.dumps({"type": "FeatureCollection", "layer": name, "aggregated": True, "truncated": False,
                       "total": sum(f["properties"]["records"] for f in cells), "features": cells})


def _point_cells(register: Register, name: str, where: list, bbox: BBox, zoom: int, dated: bool,
                 individual_points: bool) -> list[dict[str, Any]] | None:
    """The viewport's lattice cells with their counts, or None when the reader gets the points themselves.

    Undated views at zoom 13 and coarser are rolled up from the in-memory fine cells (services.point_grid): a national
    view of ten million items costs a few milliseconds, not a scan. There, a reader sees individual points when the
    cells meeting the viewport hold at most MAX_POINTS (the viewport then holds no more). Other views are decided by
    reading up to MAX_POINTS + 1 of the viewport's points (the caller) and counted in SQL when there are more.
    """
    level = level_for(zoom)
    if dated or level > FINE_LEVEL:
        if individual_points:
            return None
        with register.reading() as connection:
            return _counted_directly(connection, name, where, bbox, zoom)
    view = cell_range(bbox, level)
    features = roll_up(FINE_CELLS.cells(register, name, POINT_LAYERS[name], level), level, view)
    if individual_points and sum(f["properties"]["records"] for f in features) <= MAX_POINTS:
        return None
    return features


def _counted_directly(connection: Any, name: str, where: list, bbox: BBox, zoom: int) -> list[dict[str, Any]]:
    """The viewport's cells counted in SQL over the rows of those cells (finer zooms, or a period)."""
    level = level_for(zoom)
    view = cell_range(bbox, level)
    return roll_up(count_cells(connection, POINT_LAYERS[name], where, level, view), level, view)


def _properties(properties: dict[str, Any], kind: str | None) -> dict[str, Any]:
    plain = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in properties.items()}
    if kind:
        plain["register_kind"] = kind  # the client opens /api/{register_kind}/{code} for details and history
    return plain


ID_BATCH = 1000  # ids per IN list: well within SQLite's limit of bound parameters
GEOMETRY_MARK = "\u0001feature"  # between the features' properties in one JSON text (see _feature_texts)
