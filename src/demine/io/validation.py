"""Validate a whole file against its import format: columns, values, references, geometry and plausibility.

Nothing here writes. The outcome is a `ParsedTable` ready to store, or `ValidationFailed` with every issue found
(file, row, field, reason), so that the user fixes the file once rather than one error per attempt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable, Protocol

import numpy as np
import pandas as pd
import shapely

from demine.domain.geodesy import areas_m2
from demine.errors import Issue, ValidationFailed
from demine.io.fields import FieldReport, parse_field
from demine.io.geometry import WGS84, GeometryResult, check_in_country, parse_crs, read_geometries
from demine.io.readers import RawTable
from demine.io.spec import FieldType, GeometryRule, ImportFormat

GEOMETRY_COLUMNS = {"wkt", "longitude", "latitude", "x", "y", "lon", "lat"}
TABLE_LABELS = {
    "organisations": "organisation",
    "teams": "team",
    "hazard_areas": "hazard area",
    "activities": "activity",
    "progress_reports": "progress report",
    "minefield_records": "minefield record",
    "incidents": "incident",
    "victims": "victim",
}


class RegisterLookup(Protocol):
    """What validation needs to know of the register (implemented in demine.store.lookups)."""

    def ids_by_code(self, table: str, codes: Iterable[str]) -> dict[str, int]: ...

    def country_extent(self) -> tuple[shapely.Geometry | None, str]: ...

    def model_categories(self) -> dict[str, str]: ...

    def activity_facts(self, ids: Iterable[int]) -> pd.DataFrame: ...

    def hazard_geometries(self, ids: Iterable[int]) -> dict[int, shapely.Geometry]: ...

    def admin_areas(self) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass
class ParsedTable:
    fmt: ImportFormat
    file: str
    row_numbers: np.ndarray
    codes: pd.Series
    values: pd.DataFrame  # stored columns, typed, index 0..n-1
    extra: pd.DataFrame  # fields read and checked but not stored
    geometry: GeometryResult | None
    report: FieldReport

    @property
    def issues(self) -> list[Issue]:
        return self.report.issues

    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]


@dataclass
class CheckContext:
    """What a plausibility check sees: the parsed table and the register."""

    table: ParsedTable
    lookup: RegisterLookup
    today: dt.date
    _cache: dict = field(default_factory=dict)

    @property
    def values(self) -> pd.DataFrame:
        return self.table.values

    def flag(self, mask: np.ndarray | pd.Series, field_name: str | None, reason, severity: str = "error") -> None:
        self.table.report.flag(np.asarray(mask, dtype=bool), field_name, reason, severity)

    def activity_facts(self) -> pd.DataFrame:
        """Method, team size and hazard of each row's activity, aligned with the rows."""
        if "activities" not in self._cache:
            ids = self.values["activity_id"]
            facts = self.lookup.activity_facts(ids.dropna().unique().tolist())
            self._cache["activities"] = facts.reindex(ids.to_numpy()).reset_index(drop=True)
        return self._cache["activities"]


def validate(raw: RawTable, fmt: ImportFormat, lookup: RegisterLookup, *, crs: str | None = None,
             today: dt.date | None = None) -> ParsedTable:
    today = today or dt.date.today()
    report = FieldReport(raw.file, raw.row_numbers)
    _check_columns(raw, fmt, report)
    if any(i.severity == "error" for i in report.issues):
        raise ValidationFailed(report.issues)
    codes = _check_keys(raw, fmt, report)
    models = lookup.model_categories()
    typed: dict[str, pd.Series] = {}
    for spec in fmt.fields:
        text = _column(raw, spec.name, spec.aliases)
        typed[spec.name] = parse_field(spec, text, report, today=today, known_models=set(models))
    values = pd.DataFrame({s.target: typed[s.name] for s in fmt.fields if s.stored}, index=range(len(raw)))
    extra = pd.DataFrame({s.name: typed[s.name] for s in fmt.fields if not s.stored}, index=range(len(raw)))
    _resolve_references(fmt, values, typed, lookup, report)
    geometry = None
    if fmt.geometry is not GeometryRule.NONE:
        geometry = read_geometries(raw, fmt.geometry, parse_crs(crs, raw.crs, raw.file), report,
                                   required=fmt.geometry_required)
        extent, country = lookup.country_extent()
        check_in_country(geometry.wgs84, extent, "geometry" if raw.geometries is not None else _geometry_field(fmt),
                         report, country)
    parsed = ParsedTable(fmt, raw.file, raw.row_numbers, codes, values, extra, geometry, report)
    _add_computed(parsed, lookup)
    if not any(i.severity == "error" for i in report.issues):
        context = CheckContext(parsed, lookup, today)
        for check in fmt.checks:
            check(context)
    if any(i.severity == "error" for i in report.issues):
        raise ValidationFailed(report.issues)
    return parsed


def _geometry_field(fmt: ImportFormat) -> str:
    return "longitude/latitude" if fmt.geometry is GeometryRule.POINT else "wkt"


def _column(raw: RawTable, name: str, aliases: tuple[str, ...]) -> pd.Series:
    for candidate in (name, *aliases):
        if candidate in raw.columns:
            return raw.columns[candidate].astype(str).reset_index(drop=True)
    return pd.Series([""] * len(raw), dtype=object)


def _check_columns(raw: RawTable, fmt: ImportFormat, report: FieldReport) -> None:
    present = set(raw.columns.columns)
    if not ({fmt.key, *fmt.key_aliases} & present):
        report.issues.append(Issue(raw.file, 1, fmt.key, f"missing column '{fmt.key}'"))
    known = {fmt.key, *fmt.key_aliases} | GEOMETRY_COLUMNS
    for spec in fmt.fields:
        known |= {spec.name, *spec.aliases}
        if spec.required and spec.default is None and not ({spec.name, *spec.aliases} & present):
            report.issues.append(Issue(raw.file, 1, spec.name, f"missing column '{spec.name}'"))
    if len(raw) == 0:
        report.issues.append(Issue(raw.file, None, None, "the file has no data rows"))
    for name in sorted(present - known):
        report.issues.append(Issue(raw.file, 1, name, "column not part of the format; ignored", "warning"))


def key_codes(raw: RawTable, fmt: ImportFormat) -> pd.Series:
    """Each row's identifier as the format reads it (its column or an alias, trimmed; "" where there is none)."""
    return _column(raw, fmt.key, fmt.key_aliases).str.strip()


def _check_keys(raw: RawTable, fmt: ImportFormat, report: FieldReport) -> pd.Series:
    codes = key_codes(raw, fmt)
    report.flag((codes == "").to_numpy(), fmt.key, "an identifier is required")
    duplicated = codes.duplicated(keep="first") & (codes != "")
    if duplicated.any():
        first_row = dict(zip(codes[~duplicated], raw.row_numbers[~duplicated.to_numpy()]))
        report.flag(duplicated.to_numpy(), fmt.key,
                    lambda i: f"duplicate identifier '{codes.iat[i]}' (first on row {first_row[codes.iat[i]]})")
    return codes


def _resolve_references(fmt: ImportFormat, values: pd.DataFrame, typed: dict[str, pd.Series],
                        lookup: RegisterLookup, report: FieldReport) -> None:
    for spec in fmt.fields:
        if spec.type is not FieldType.REFERENCE or spec.references is None:
            continue
        codes = typed[spec.name]
        wanted = codes.dropna().unique().tolist()
        found = lookup.ids_by_code(spec.references, wanted) if wanted else {}
        ids = codes.map(found)
        missing = (codes.notna() & ids.isna()).to_numpy()
        label = TABLE_LABELS.get(spec.references, spec.references)
        report.flag(missing, spec.name, lambda i: f"no {label} with code '{codes.iat[i]}' in the register")
        values[spec.target] = ids.astype("Int64")


def _add_computed(parsed: ParsedTable, lookup: RegisterLookup) -> None:
    """Area, bounding box, administrative area and the record as supplied, computed once here."""
    if parsed.geometry is None:
        return
    geoms = parsed.geometry.wgs84
    values = parsed.values
    present = ~shapely.is_missing(geoms)
    bounds = shapely.bounds(np.where(present, geoms, None))
    values["min_x"], values["min_y"], values["max_x"], values["max_y"] = bounds.T
    if parsed.fmt.table.c.geom.type.geometry_type == "MULTIPOLYGON":  # PostGIS types the column strictly
        polygons = shapely.get_type_id(geoms) == 3
        geoms[polygons] = shapely.multipolygons(geoms[polygons, np.newaxis])
    if parsed.fmt.geometry is GeometryRule.POINT and "longitude" in parsed.fmt.table.c:
        values["longitude"], values["latitude"] = shapely.get_x(geoms), shapely.get_y(geoms)
    if "area_m2" in parsed.fmt.computed:
        values["area_m2"] = areas_m2(geoms)
    if parsed.fmt.assign_admin_area:
        values["admin_area_id"] = admin_area_of(geoms, lookup)
    if "original_crs" in parsed.fmt.computed and parsed.geometry.original is not None:
        values["original_crs"] = parsed.geometry.crs.to_string()
        values["original_wkt"] = shapely.to_wkt(parsed.geometry.original, rounding_precision=-1)


def set_geometry(parsed: ParsedTable, geoms: np.ndarray) -> None:
    """A geometry derived from the row's values (a record row's line from its bearing and length)."""
    parsed.geometry = GeometryResult(geoms, None, WGS84)
    bounds = shapely.bounds(geoms)
    parsed.values["min_x"], parsed.values["min_y"], parsed.values["max_x"], parsed.values["max_y"] = bounds.T


def admin_area_of(geoms: np.ndarray, lookup: RegisterLookup) -> pd.Series:
    """The administrative area holding each geometry's representative point (smallest area wins)."""
    ids, areas = lookup.admin_areas()
    result = pd.Series([pd.NA] * len(geoms), dtype="Int64")
    if len(ids) == 0:
        return result
    present = np.flatnonzero(~shapely.is_missing(geoms))
    points = shapely.point_on_surface(geoms[present])
    tree = shapely.STRtree(areas)
    point_index, area_index = tree.query(points, predicate="within")
    # Areas are ordered smallest first, so the first match per point is the finest area.
    order = np.lexsort((area_index, point_index))
    point_index, area_index = point_index[order], area_index[order]
    first = np.unique(point_index, return_index=True)[1]
    result.iloc[present[point_index[first]]] = ids[area_index[first]]
    return result
