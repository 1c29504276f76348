"""The risk layer out of Demine: a GeoPackage of cells, a GeoTIFF on the grid, or a CSV of cell centres."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from demine.errors import DemineError
from demine.risk.register_cells import RegisterCells

RASTER_SUFFIXES = (".tif", ".tiff")


def write_risk(cells: RegisterCells, columns: pd.DataFrame, out: Path | str, *,
               metadata: dict[str, str] | None = None) -> Path:
    """`metadata`: GeoPackage layer metadata (the register a published map was predicted from)."""
    out = Path(out)
    suffix = out.suffix.lower()
    tmp = out.with_name(f"{out.stem}.partial{out.suffix}")
    tmp.unlink(missing_ok=True)
    if suffix in RASTER_SUFFIXES:
        if getattr(cells.grid, "kind", "square") == "h3":
            raise DemineError(f"{out}: a GeoTIFF needs the square grid (--grid square); H3 hexagons are written "
                              "as .gpkg or .csv")
        _write_geotiff(cells, columns["risk"].to_numpy(dtype=np.float32), tmp)
    elif suffix == ".gpkg":
        import geopandas as gpd

        frame = pd.concat([cells.table.frame.reset_index(drop=True), columns.reset_index(drop=True)], axis=1)
        layer = gpd.GeoDataFrame(frame, geometry=cells.grid.polygons_wgs84(cells.rows, cells.cols), crs="EPSG:4326")
        layer.to_file(tmp, layer="risk", driver="GPKG", layer_metadata=metadata)
    elif suffix == ".csv":
        pd.concat([cells.table.frame.reset_index(drop=True), columns.reset_index(drop=True)], axis=1).to_csv(
            tmp, index=False)
    else:
        raise DemineError(f"{out}: unknown kind of output '{suffix}': give .gpkg, .tif or .csv")
    tmp.replace(out)
    return out


def _write_geotiff(cells: RegisterCells, risk: np.ndarray, path: Path) -> None:
    import rasterio

    grid = cells.grid
    raster = np.full((grid.rows, grid.cols), np.nan, dtype=np.float32)
    raster[cells.rows, cells.cols] = risk
    with rasterio.open(path, "w", driver="GTiff", height=grid.rows, width=grid.cols, count=1, dtype="float32",
                       crs=grid.crs.to_wkt(), transform=grid.transform, nodata=np.nan, compress="deflate",
                       tiled=True) as target:
        target.write(raster, 1)
        target.set_band_description(1, "risk: probability that the cell holds explosive ordnance")
