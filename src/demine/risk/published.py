"""The published risk map: the latest prediction over the register's grid, kept as a GeoPackage for the web map.

A GeoPackage carries its own spatial index, so a viewport query reads only the cells in view; QGIS opens the same file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from demine.errors import NotFound

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from sqlalchemy import Connection

    from demine.risk.register_cells import RegisterCells

MAX_FEATURES = 20_000  # a browser draws this many squares without pain; beyond that, the riskiest are sent
# The published layer names the register it was predicted from, so that exporting another register never carries it.
REGISTER_KEY = "DEMINE_REGISTER"
EXPORT_COLUMNS = ("cell", "district", "label", "risk", "risk_explained")


def read_published(path: Path | str, bbox: tuple[float, float, float, float] | None, *,
                   limit: int = MAX_FEATURES, zoom: int | None = None) -> dict[str, Any]:
    """The published cells in the box as GeoJSON, the riskiest first when there are more than `limit`.

    With `zoom`, cells drawn smaller than BLOCK_PX pixels are merged into square blocks of that size on screen, each
    carrying the highest risk of its cells (`risk`), their mean (`mean_risk`) and their number (`cells`): a national
    view then shows where the riskiest land is, in a few thousand features instead of millions of specks.
    """
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise NotFound("No risk map has been published yet: run `demine risk predict --model FILE --out FILE "
                       "--publish`.")
    fields = _columns(path)
    block = _block_degrees(zoom) if zoom is not None else 0.0
    if zoom is not None and _blocks_layer(zoom) in _layers(path):  # made when it was published
        frame = pyogrio.read_dataframe(path, layer=_blocks_layer(zoom), bbox=bbox)
        return _document(frame, int(frame["cells"].sum()), True, limit)
    aggregated = block > 0 and _cell_width(path) < block
    if aggregated and {"longitude", "latitude"} <= set(fields):
        # Blocks need each cell's centre and risk only: reading no outline is several times faster.
        centres = pyogrio.read_dataframe(path, layer="risk", bbox=bbox, columns=["longitude", "latitude", "risk"],
                                         read_geometry=False)
        total = len(centres)
        frame = _blocks(centres["longitude"].to_numpy(), centres["latitude"].to_numpy(), centres["risk"].to_numpy(),
                        block)
    else:
        frame = pyogrio.read_dataframe(path, layer="risk", bbox=bbox, columns=["cell", "district", "risk"]
                                       + (["risk_explained"] if "risk_explained" in fields else []))
        total = len(frame)
        if aggregated:
            centres = shapely.centroid(frame.geometry.values)
            frame = _blocks(shapely.get_x(centres), shapely.get_y(centres), frame["risk"].to_numpy(), block)
    return _document(frame, total, aggregated and total > 0, limit)


def _document(frame: "gpd.GeoDataFrame", total: int, aggregated: bool, limit: int) -> dict[str, Any]:
    shown = len(frame)
    if shown > limit:
        frame = frame.iloc[np.argsort(-frame["risk"].to_numpy(), kind="stable")[:limit]]
    frame = frame.set_geometry(shapely.set_precision(frame.geometry.values, 1e-6))  # 0.1 m: smaller answers
    document = json.loads(frame.to_json(drop_id=True))
    document["total_in_view"] = total
    document["aggregated"] = aggregated
    document["truncated"] = shown > limit
    return document


BLOCK_PX = 6  # a cell drawn smaller than this is merged into blocks of this many pixels


def _block_degrees(zoom: int) -> float:
    """Degrees of longitude spanned by BLOCK_PX pixels at a web-map zoom (256-pixel tiles)."""
    return 360.0 / (256 * 2**zoom) * BLOCK_PX


def _cell_width(path: Path) -> float:
    """Degrees of longitude a published cell spans (the median of the first cells: one grid, one size)."""
    import pyogrio

    sample = pyogrio.read_dataframe(path, layer="risk", columns=[], max_features=200)
    if not len(sample):
        return 0.0
    bounds = shapely.bounds(sample.geometry.values)
    return float(np.median(bounds[:, 2] - bounds[:, 0]))


def _blocks(lon: np.ndarray, lat: np.ndarray, risk: np.ndarray, block: float) -> "gpd.GeoDataFrame":
    """Cells (by their centres) merged into blocks of `block` degrees on a fixed lattice: the same blocks however the
    map moves."""
    import geopandas as gpd
    import pandas as pd

    keys = pd.DataFrame({"bx": np.floor(np.asarray(lon) / block).astype(np.int64),
                         "by": np.floor(np.asarray(lat) / block).astype(np.int64), "risk": risk})
    merged = keys.groupby(["bx", "by"], sort=True)["risk"].agg(risk="max", mean_risk="mean", cells="size")
    merged = merged.reset_index()
    west, south = merged["bx"].to_numpy() * block, merged["by"].to_numpy() * block
    return gpd.GeoDataFrame(merged[["risk", "mean_risk", "cells"]],
                            geometry=shapely.box(west, south, west + block, south + block), crs="EPSG:4326")


def _blocks_layer(zoom: int) -> str:
    return f"blocks_z{zoom}"


def _layers(path: Path) -> set[str]:
    import pyogrio

    return {str(name) for name in pyogrio.list_layers(path)[:, 0]}


def write_blocks(path: Path, lon: np.ndarray, lat: np.ndarray, risk: np.ndarray, cell_width: float) -> list[int]:
    """Beside the cells, the blocks of every zoom at which a cell is drawn smaller than BLOCK_PX: a national view then
    reads a few hundred blocks instead of every cell's centre. Returns the zooms written."""
    import pyogrio

    written = []
    for zoom in range(0, 25):
        block = _block_degrees(zoom)
        if block <= cell_width:
            break
        pyogrio.write_dataframe(_blocks(lon, lat, risk, block), path, layer=_blocks_layer(zoom), driver="GPKG")
        written.append(zoom)
    return written


def _columns(path: Path) -> list[str]:
    import pyogrio

    return list(pyogrio.read_info(path, layer="risk")["fields"])


def register_identity(connection: "Connection") -> str:
    """The register behind a connection: the SQLite file's absolute path, or the server URL without its password."""
    url = connection.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        return f"sqlite:{Path(url.database).resolve()}"
    return url.render_as_string(hide_password=True)


def publish(cells: "RegisterCells", columns: "pd.DataFrame", layer: Path | str, register_id: str) -> Path:
    """Write the prediction as the map's risk layer, naming the register it came from."""
    from demine.risk.outputs import write_risk

    layer = Path(layer)
    if layer.suffix.lower() != ".gpkg":
        layer = layer.with_suffix(".gpkg")
    written = write_risk(cells, columns, layer, metadata={REGISTER_KEY: register_id})
    frame = cells.table.frame
    write_blocks(written, frame["longitude"].to_numpy(), frame["latitude"].to_numpy(),
                 columns["risk"].to_numpy(), _cell_width(written))
    return written


def export_layer(connection: "Connection") -> "gpd.GeoDataFrame":
    """`risk_cells` for a whole-register export: the published risk map, when it was published from this register
    (DEMINE_RISK_LAYER); empty otherwise, and the export then leaves the layer out."""
    import geopandas as gpd
    import pyogrio

    from demine.settings import Settings

    path = Path(Settings().risk_layer)
    empty = gpd.GeoDataFrame({"risk": []}, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    if not path.exists():
        return empty
    info = pyogrio.read_info(path, layer="risk")
    if (info.get("layer_metadata") or {}).get(REGISTER_KEY) != register_identity(connection):
        return empty
    columns = [c for c in EXPORT_COLUMNS if c in info["fields"]]
    return pyogrio.read_dataframe(path, layer="risk", columns=columns)
