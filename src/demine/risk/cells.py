"""Cell tables in and out: CSV or GeoPackage, the label and the spatial group checked with errors a user can act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from demine.errors import DemineError, Issue, NotFound, ValidationFailed

GEOPACKAGE_SUFFIXES = (".gpkg",)
CSV_SUFFIXES = (".csv", ".txt")


@dataclass
class CellTable:
    """The cells as read: every column kept (predict writes them back), geometry apart when the file had one."""

    path: Path
    frame: pd.DataFrame  # attribute columns only
    geometry: object | None = None  # a GeoSeries when read from a GeoPackage or a WKT `geometry` column
    crs: object | None = None

    def require_column(self, name: str, role: str) -> pd.Series:
        if name not in self.frame.columns:
            close = [c for c in self.frame.columns if c.lower() == name.lower()]
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValidationFailed([Issue(str(self.path), None, name,
                                          f"no {role} column '{name}' in the cells{hint}; columns are: "
                                          + ", ".join(map(str, self.frame.columns[:30])))])
        return self.frame[name]


def read_cells(path: Path | str) -> CellTable:
    """Read a cell table; a WKT `geometry` column in a CSV becomes the geometry (kept for GeoPackage output)."""
    path = Path(path)
    if not path.exists():
        raise NotFound(f"{path}: no such file of cells")
    suffix = path.suffix.lower()
    if suffix in GEOPACKAGE_SUFFIXES:
        import geopandas as gpd

        try:
            layer = gpd.read_file(path)
        except Exception as error:  # pyogrio raises its own types for unreadable files
            raise ValidationFailed([Issue(str(path), None, None, f"not a readable GeoPackage: {error}")]) from error
        frame = pd.DataFrame(layer.drop(columns=layer.geometry.name))
        return CellTable(path, frame, layer.geometry, layer.crs)
    if suffix in CSV_SUFFIXES:
        try:
            frame = pd.read_csv(path, low_memory=False)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
            raise ValidationFailed([Issue(str(path), None, None, f"not a readable CSV: {error}")]) from error
        geometry = None
        if "geometry" in frame.columns:
            geometry = _wkt_geometry(path, frame.pop("geometry"))
        return CellTable(path, frame, geometry, "EPSG:4326" if geometry is not None else None)
    raise ValidationFailed([Issue(str(path), None, None,
                                  f"unknown kind of cell file '{suffix}': give a .csv or a .gpkg")])


def _wkt_geometry(path: Path, column: pd.Series):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    import shapely

    text = column.astype("string")
    geometries = shapely.from_wkt(text.fillna("").to_numpy(dtype=object), on_invalid="ignore")
    bad = np.flatnonzero(pd.isna(geometries) & text.notna().to_numpy() & (text.fillna("") != "").to_numpy())
    if len(bad):
        raise ValidationFailed([Issue(str(path), int(i) + 2, "geometry", "not a WKT geometry") for i in bad[:20]])
    return gpd.GeoSeries(geometries, crs="EPSG:4326")


def labels_of(table: CellTable, column: str) -> np.ndarray:
    """1 and 0 are labels; anything else (-1, blank, 'unknown') means the cell is unlabelled (NaN)."""
    values = pd.to_numeric(table.require_column(column, "label"), errors="coerce").to_numpy(dtype=float)
    labels = np.full(len(values), np.nan)
    labels[values == 1] = 1.0
    labels[values == 0] = 0.0
    return labels


def groups_of(table: CellTable, column: str) -> np.ndarray:
    """The spatial group of each cell as text; a blank group is an error (the cell could not be left out honestly)."""
    raw = table.require_column(column, "group")
    blank = np.flatnonzero(raw.isna().to_numpy())
    if len(blank):
        raise ValidationFailed([Issue(str(table.path), int(i) + 2, column, "blank spatial group") for i in blank[:20]])
    return raw.astype(str).to_numpy()


def check_trainable(table: CellTable, labels: np.ndarray, label_column: str) -> None:
    labelled = labels[~np.isnan(labels)]
    if len(labelled) == 0:
        raise ValidationFailed([Issue(str(table.path), None, label_column,
                                      "no labelled cell: the label must be 1 (explosive ordnance) or 0 (none found) "
                                      "on some rows; other values mean unlabelled")])
    if len(np.unique(labelled)) < 2:
        only = int(labelled[0])
        raise ValidationFailed([Issue(str(table.path), None, label_column,
                                      f"every labelled cell is {only}: the model needs both 1 and 0 labels")])


def write_cells(table: CellTable, extra: pd.DataFrame, out: Path | str) -> Path:
    """The input cells with the new columns, as CSV or GeoPackage (chosen by the suffix of `out`)."""
    out = Path(out)
    frame = pd.concat([table.frame.reset_index(drop=True), extra.reset_index(drop=True)], axis=1)
    suffix = out.suffix.lower()
    if suffix in GEOPACKAGE_SUFFIXES:
        import geopandas as gpd

        if table.geometry is None:
            raise DemineError(f"{table.path}: the cells have no geometry (a GeoPackage layer or a WKT 'geometry' "
                              "column), so they cannot be written to a GeoPackage; write a .csv instead")
        layer = gpd.GeoDataFrame(frame, geometry=table.geometry.reset_index(drop=True).values, crs=table.crs)
        tmp = out.with_name(f"{out.stem}.partial{out.suffix}")
        tmp.unlink(missing_ok=True)
        layer.to_file(tmp, layer="risk", driver="GPKG")
        tmp.replace(out)  # nothing half-written under the real name
        return out
    if suffix in CSV_SUFFIXES:
        if table.geometry is not None and "geometry" not in frame.columns:
            frame["geometry"] = table.geometry.to_wkt().values
        tmp = out.with_name(out.name + ".partial")
        frame.to_csv(tmp, index=False)
        tmp.replace(out)
        return out
    raise DemineError(f"{out}: unknown kind of output '{suffix}': give a .csv or a .gpkg")
