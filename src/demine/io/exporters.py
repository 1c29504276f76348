"""Export the register: a GeoPackage with one layer per record kind, or GeoJSON / CSV files per kind.

Columns are those of the import formats (references as codes, geometry as the layer's geometry or, in CSV, as `wkt`
or `longitude`/`latitude`), plus the computed columns, so an exported file can be imported again as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, select

from demine.errors import DemineError
from demine.io.formats import FORMATS
from demine.io.spec import FieldType, GeometryRule, ImportFormat
from demine.store.tables import metadata

if TYPE_CHECKING:
    import geopandas as gpd

EXPORT_FORMATS = ("gpkg", "geojson", "csv")
PERSONAL_KINDS = {"victims"}
# Layers computed by the analyses and stored beside the register (not import kinds): layer name -> "module:function"
# taking a connection and giving a GeoDataFrame. Written with a whole-register export, when they hold anything.
# Imported by name so that exporting does not load every analysis.
DERIVED_LAYERS = {
    "record_verifications": "demine.analysis.records.layers:verification_layer",
    "record_corrections": "demine.analysis.records.layers:correction_layer",
    "risk_cells": "demine.risk.published:export_layer",  # the published risk map, when it came from this register
}


def read_kind(connection: Connection, fmt: ImportFormat) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The live records of one kind as import-format columns, and their geometries."""
    table = fmt.table
    columns = [table.c.code.label("code")]
    joins = table
    for spec in fmt.fields:
        if not spec.stored:
            continue
        if spec.type is FieldType.REFERENCE and spec.references:
            target = metadata.tables[spec.references].alias(f"ref_{spec.name}")
            joins = joins.outerjoin(target, target.c.id == table.c[spec.target])
            columns.append(target.c.code.label(spec.name))
        else:
            columns.append(table.c[spec.target].label(spec.name))
    for name in fmt.computed:
        if name == "admin_area_id":
            areas = metadata.tables["admin_areas"].alias("area")
            joins = joins.outerjoin(areas, areas.c.id == table.c.admin_area_id)
            columns.append(areas.c.name.label("admin_area"))
        elif name in table.c:
            columns.append(table.c[name])
    if "quality_flags" in table.c:
        columns.append(table.c.quality_flags)
    has_geometry = "geom" in table.c
    if has_geometry:
        columns.append(table.c.geom.label("geom"))
    query = select(*columns).select_from(joins).where(table.c.retired_at.is_(None)).order_by(table.c.id)
    rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    geoms = None
    if has_geometry:
        geoms = frame.pop("geom").to_numpy(dtype=object)
    return frame, geoms


def export_register(connection: Connection, out: Path, export_format: str, *, kinds: Iterable[str] | None = None,
                    include_personal_data: bool = False, progress: Callable[[str, int], None] | None = None) -> dict:
    if export_format not in EXPORT_FORMATS:
        raise DemineError(f"Unknown export format {export_format!r}; use one of: {', '.join(EXPORT_FORMATS)}.")
    chosen = list(kinds) if kinds else [k for k in FORMATS if include_personal_data or k not in PERSONAL_KINDS]
    if not include_personal_data and PERSONAL_KINDS & set(chosen):
        raise DemineError("Victims hold personal data: add --include-personal-data to export them.")
    if export_format == "gpkg":
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.exists():
            out.unlink()
    else:
        out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind in chosen:
        fmt = FORMATS[kind]
        frame, geoms = read_kind(connection, fmt)
        counts[kind] = len(frame)
        _write(frame, geoms, fmt, out, export_format)
        if progress:
            progress(kind, len(frame))
    if kinds is None:
        for name, reader in DERIVED_LAYERS.items():
            data = _derived(reader)(connection)
            if len(data):
                counts[name] = len(data)
                _write_layer(data, name, out, export_format)
                if progress:
                    progress(name, len(data))
    return counts


def _derived(reader: str) -> Callable[[Connection], "gpd.GeoDataFrame"]:
    import importlib

    module, function = reader.split(":")
    return getattr(importlib.import_module(module), function)


def _write(frame: pd.DataFrame, geoms: np.ndarray | None, fmt: ImportFormat, out: Path, export_format: str) -> None:
    layer = fmt.kind.replace("-", "_")
    if export_format == "csv":
        if geoms is not None and len(frame):
            if fmt.geometry is GeometryRule.POINT:
                frame["longitude"], frame["latitude"] = shapely.get_x(geoms), shapely.get_y(geoms)
            else:
                frame["wkt"] = shapely.to_wkt(geoms, rounding_precision=-1)
        frame.to_csv(out / f"{fmt.kind}.csv", index=False)
        return
    import geopandas as gpd

    geometry = gpd.GeoSeries(geoms if geoms is not None else [None] * len(frame), crs="EPSG:4326")
    _write_layer(gpd.GeoDataFrame(_writable(frame), geometry=geometry, crs="EPSG:4326"), layer, out, export_format,
                 file_stem=fmt.kind)


def _write_layer(data: "gpd.GeoDataFrame", layer: str, out: Path, export_format: str,
                 file_stem: str | None = None) -> None:
    import pyogrio

    stem = file_stem or layer
    if export_format == "csv":
        frame = data.drop(columns="geometry")
        frame["wkt"] = shapely.to_wkt(data.geometry.to_numpy(), rounding_precision=-1)
        frame.to_csv(out / f"{stem}.csv", index=False)
    elif export_format == "gpkg":
        pyogrio.write_dataframe(data, out, layer=layer, driver="GPKG", promote_to_multi=False)
    else:
        pyogrio.write_dataframe(data, out / f"{stem}.geojson", driver="GeoJSON")


def _writable(frame: pd.DataFrame) -> pd.DataFrame:
    """GDAL wants dates as datetime64 and no Python objects it cannot type."""
    result = frame.copy()
    for name in result.columns:
        column = result[name]
        if column.dtype == object and column.map(lambda v: hasattr(v, "isoformat")).any():
            result[name] = pd.to_datetime(column)
    return result
