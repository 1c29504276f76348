"""The published risk map: the latest prediction over the register's grid, kept as a GeoPackage for the web map.

A GeoPackage carries its own spatial index, so a viewport query reads only the cells in view; QGIS opens the same file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

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
                   limit: int = MAX_FEATURES) -> dict[str, Any]:
    """The published cells in the box as GeoJSON, the riskiest first when there are more than `limit`."""
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise NotFound("No risk map has been published yet: run `demine risk predict --model FILE --out FILE "
                       "--publish`.")
    frame = pyogrio.read_dataframe(path, layer="risk", bbox=bbox, columns=["cell", "district", "risk"]
                                   + (["risk_explained"] if "risk_explained" in _columns(path) else []))
    total = len(frame)
    if total > limit:
        frame = frame.iloc[np.argsort(-frame["risk"].to_numpy(), kind="stable")[:limit]]
    document = json.loads(frame.to_json(drop_id=True))
    document["total_in_view"] = total
    document["truncated"] = total > limit
    return document


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
    return write_risk(cells, columns, layer, metadata={REGISTER_KEY: register_id})


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
