"""Seeded cell tables and paths for the risk model's tests (a module of its own: `conftest` is not importable by
name when several test folders have one)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

LINE = Path(str(resources.files("demine.simulate") / "data" / "line_of_contact_approx.geojson"))
# Six municipalities of the RELand Antioquia grid, shipped with the tests (MIT; see tests/data/README.md).
ANTIOQUIA = Path(__file__).resolve().parents[1] / "data" / "antioquia_six_municipalities.csv"


def synthetic_cells(n: int = 1200, groups: int = 6, seed: int = 7) -> pd.DataFrame:
    """Cells whose contamination falls with distance to past finds and is higher on farmland, in `groups` regions.

    About a third of the cells are unlabelled (-1), as in a real register where most land was never worked.
    """
    rng = np.random.default_rng(seed)
    dist = rng.exponential(2.0, n)
    land = rng.choice(["forest", "farm", "town"], n, p=[0.5, 0.4, 0.1])
    elevation = rng.normal(800, 200, n)
    logit = 1.0 - 1.2 * dist + 0.8 * (land == "farm") + rng.normal(0, 0.5, n)
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    label[rng.random(n) < 0.33] = -1
    lon = 46.5 + rng.random(n)
    lat = 39.5 + rng.random(n)
    return pd.DataFrame({
        "cell_id": [f"C{i:05d}" for i in range(n)],
        "district": [f"D{int(g)}" for g in rng.integers(0, groups, n)],
        "dist_find_km": dist.round(3), "elevation": elevation.round(1), "land": land,
        "longitude": lon, "latitude": lat, "outcome": label,
        "geometry": [f"POINT ({x:.5f} {y:.5f})" for x, y in zip(lon, lat)],
    })
