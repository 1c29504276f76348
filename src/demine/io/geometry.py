"""Geometry of imported rows: where it comes from, its CRS, its validity and whether it lies in the country."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from demine.domain.geodesy import transform_geometries
from demine.errors import Issue, ValidationFailed
from demine.io.fields import FieldReport
from demine.io.readers import RawTable
from demine.io.spec import GeometryRule

WGS84 = CRS.from_epsg(4326)
POINT_COLUMNS = (("longitude", "latitude"), ("x", "y"), ("lon", "lat"))
# shapely type ids: 0 Point, 1 LineString, 3 Polygon, 5 MultiLineString, 6 MultiPolygon.
TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
              6: "MultiPolygon", 7: "GeometryCollection"}
ACCEPTED_TYPES = {
    GeometryRule.POINT: {0},
    GeometryRule.AREA: {3, 6},
    GeometryRule.LINE: {1, 5},
    GeometryRule.ANY: {0, 1, 3, 5, 6},
}


@dataclass
class GeometryResult:
    wgs84: np.ndarray  # shapely geometries in EPSG:4326, None where missing or invalid
    original: np.ndarray | None  # as supplied, when the CRS was not WGS84
    crs: CRS


def parse_crs(declared: str | None, file_crs: str | None, file: str) -> CRS:
    text = declared or file_crs
    if not text:
        return WGS84
    try:
        return CRS.from_user_input(text)
    except CRSError as error:
        raise ValidationFailed([Issue(file, None, None, f"unknown coordinate reference system '{text}': {error}")])


def read_geometries(raw: RawTable, rule: GeometryRule, crs: CRS, report: FieldReport, *, required: bool) -> GeometryResult:
    if raw.geometries is not None:
        supplied = raw.geometries
        columns_used = "geometry"
    elif rule is GeometryRule.POINT:
        supplied, columns_used = _points_from_columns(raw, report)
    else:
        supplied, columns_used = _from_wkt(raw, report)
    supplied = np.asarray(supplied, dtype=object)
    missing = shapely.is_missing(supplied) | shapely.is_empty(np.where(shapely.is_missing(supplied), None, supplied))
    if required:
        report.flag(missing, columns_used, "a geometry is required")
    _check_types(supplied, missing, rule, columns_used, report)
    if crs != WGS84:
        transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
        wgs84 = transform_geometries(supplied, transformer)
        original = supplied
    else:
        wgs84, original = supplied, None
    _check_coordinates(wgs84, missing, columns_used, report)
    return GeometryResult(wgs84, original, crs)


def _points_from_columns(raw: RawTable, report: FieldReport) -> tuple[np.ndarray, str]:
    for x_name, y_name in POINT_COLUMNS:
        if x_name in raw.columns and y_name in raw.columns:
            x = pd.to_numeric(raw.columns[x_name], errors="coerce")  # "" too becomes NaN: missing, not bad
            y = pd.to_numeric(raw.columns[y_name], errors="coerce")
            for name, text, values in ((x_name, raw.columns[x_name], x), (y_name, raw.columns[y_name], y)):
                # Only the few values that did not parse are looked at again, not a million texts.
                unparsed = np.flatnonzero(values.isna().to_numpy())
                bad = np.zeros(len(text), dtype=bool)
                bad[unparsed] = text.to_numpy(dtype=object)[unparsed] != ""
                report.flag(bad, name, lambda i, t=text: f"'{t.iat[i]}' is not a number")
            points = shapely.points(x.to_numpy(dtype=float), y.to_numpy(dtype=float))
            points = np.where(x.isna().to_numpy() | y.isna().to_numpy(), None, points)
            return points, f"{x_name}/{y_name}"
    report.issues.append(Issue(raw.file, None, "longitude", "no longitude and latitude (or x and y) columns"))
    return np.full(len(raw), None, dtype=object), "longitude/latitude"


def _from_wkt(raw: RawTable, report: FieldReport) -> tuple[np.ndarray, str]:
    if "wkt" not in raw.columns:
        report.issues.append(Issue(raw.file, None, "wkt", "no 'wkt' column with the geometry"))
        return np.full(len(raw), None, dtype=object), "wkt"
    text = raw.columns["wkt"]
    empty = (text == "").to_numpy()
    parsed = shapely.from_wkt(text.mask(empty, None).to_numpy(dtype=object), on_invalid="ignore")
    bad = ~empty & shapely.is_missing(parsed)
    report.flag(bad, "wkt", lambda i: f"not well-known text geometry: '{text.iat[i][:60]}'")
    return parsed, "wkt"


def _check_types(geoms: np.ndarray, missing: np.ndarray, rule: GeometryRule, field: str, report: FieldReport) -> None:
    accepted = ACCEPTED_TYPES[rule]
    kinds = shapely.get_type_id(geoms)
    wrong = ~missing & ~np.isin(kinds, list(accepted))
    expected = " or ".join(TYPE_NAMES[k] for k in sorted(accepted))
    report.flag(wrong, field, lambda i: f"a {TYPE_NAMES.get(int(kinds[i]), 'geometry')} where a {expected} is expected")
    invalid = ~missing & ~wrong & ~shapely.is_valid(np.where(missing, None, geoms))
    # Self-intersections and the like: say where, so the surveyor can fix the polygon at that vertex.
    report.flag(invalid, field, lambda i: f"invalid geometry: {shapely.is_valid_reason(geoms[i])}")


def _check_coordinates(wgs84: np.ndarray, missing: np.ndarray, field: str, report: FieldReport) -> None:
    present = np.where(missing, None, wgs84)
    bounds = shapely.bounds(present)
    with np.errstate(invalid="ignore"):
        outside = ~missing & (
            (bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 1] < -90) | (bounds[:, 3] > 90)
        )
    report.flag(outside, field, "coordinates outside -180..180 longitude, -90..90 latitude")


def check_in_country(wgs84: np.ndarray, extent: shapely.Geometry | None, field: str, report: FieldReport,
                     country: str) -> None:
    """Everything must lie within the country (the gazetteer, plus a margin); say when lat/lon look swapped."""
    if extent is None:
        return
    present = ~shapely.is_missing(wgs84)
    if not present.any():
        return
    shapely.prepare(extent)
    inside = np.ones(len(wgs84), dtype=bool)
    kinds = shapely.get_type_id(wgs84)
    points = present & (kinds == 0)
    if points.any():  # contains_xy skips building point objects: the common case of a million items found
        inside[points] = shapely.contains_xy(extent, shapely.get_x(wgs84[points]), shapely.get_y(wgs84[points]))
    others = present & ~points
    if others.any():
        inside[others] = shapely.covers(extent, wgs84[others])
    outside = present & ~inside
    if not outside.any():
        return
    swapped = np.zeros(len(wgs84), dtype=bool)
    flipped = shapely.transform(wgs84[outside], lambda xy: xy[:, ::-1])
    swapped[np.flatnonzero(outside)] = shapely.covers(extent, flipped)
    report.flag(swapped, field, "latitude and longitude appear swapped: the point lies in the country when exchanged")
    report.flag(outside & ~swapped, field, f"lies outside {country} (the loaded gazetteer, with a 2 km margin)")
