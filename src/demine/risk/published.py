"""The published risk map: the latest prediction over the register's grid, kept as a GeoPackage for the web map.

A GeoPackage carries its own spatial index, so a viewport query reads only the cells in view; QGIS opens the same file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from demine.errors import NotFound

MAX_FEATURES = 20_000  # a browser draws this many squares without pain; beyond that, the riskiest are sent


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
