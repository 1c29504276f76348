"""Cell tables for the risk model's tests: made here, seeded, small; and the real Antioquia grid when present."""

from __future__ import annotations

from pathlib import Path

import shutil
from importlib import resources

import numpy as np
import pandas as pd
import pytest

LINE = Path(str(resources.files("demine.simulate") / "data" / "line_of_contact_approx.geojson"))
ANTIOQUIA = Path(__file__).resolve().parents[3] / "shared" / "data" / "colombia-reland" / "antioquia_grid.csv"


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


@pytest.fixture
def cells_csv(tmp_path: Path) -> Path:
    path = tmp_path / "cells.csv"
    synthetic_cells().to_csv(path, index=False)
    return path


@pytest.fixture
def antioquia() -> Path:
    if not ANTIOQUIA.exists():
        pytest.skip(f"{ANTIOQUIA} is not here (shared data beside the repository)")
    return ANTIOQUIA


@pytest.fixture(scope="session")
def scenario_db(sqlite_register_template, tmp_path_factory) -> str:
    """The small scenario (seed 1: Aghdam, Fuzuli, Kalbajar, five months) imported into a SQLite register, once."""
    folder = tmp_path_factory.mktemp("risk-register")
    db = folder / "register.db"
    shutil.copyfile(sqlite_register_template, db)
    from demine.services.imports import import_file
    from demine.services.register import open_register
    from demine.simulate import generate_scenario

    manifest = generate_scenario(folder / "scenario", scale="small", seed=1)
    register = open_register(str(db))
    for kind, path in manifest.files.items():
        import_file(register, kind, path, actor="risk-test")
    register.close()
    return str(db)


REGISTER_GRID = ["--cell-size", "1000"]


@pytest.fixture(scope="session")
def register_model(scenario_db, tmp_path_factory) -> Path:
    """`demine risk train` on the scenario register (1 km cells, the line of contact), once for the session."""
    from demine.cli import run

    model = tmp_path_factory.mktemp("risk-model") / "model.json"
    assert run(["--db", scenario_db, "risk", "train", *REGISTER_GRID, "--line", str(LINE), "--model", str(model)]) == 0
    return model
