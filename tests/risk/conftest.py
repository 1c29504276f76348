"""Cell tables for the risk model's tests: made here, seeded, small; and the real Antioquia grid when present."""

from __future__ import annotations

from dataclasses import dataclass

from pathlib import Path

import shutil

import pytest

from risk_cells import ANTIOQUIA, LINE, synthetic_cells  # noqa: F401  (fixtures below use them)


@pytest.fixture
def cells_csv(tmp_path: Path) -> Path:
    path = tmp_path / "cells.csv"
    synthetic_cells().to_csv(path, index=False)
    return path


@pytest.fixture
def antioquia() -> Path:
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


@dataclass(frozen=True)
class Published:
    db: Path  # a copy of the scenario register, so tests that add users or exports leave scenario_db alone
    layer: Path  # the published GeoPackage (what DEMINE_RISK_LAYER names)
    geotiff: Path  # the same prediction written as a GeoTIFF by `predict --out`


@pytest.fixture(scope="session")
def published(scenario_db, register_model, tmp_path_factory) -> Published:
    """The register model's prediction published once for the session, with two explanations per cell."""
    from demine.cli import run

    folder = tmp_path_factory.mktemp("risk-published")
    db = folder / "register.db"
    shutil.copyfile(scenario_db, db)
    layer = folder / "published-risk.gpkg"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMINE_RISK_LAYER", str(layer))
        assert run(["--db", str(db), "risk", "predict", "--model", str(register_model), "--out",
                    str(folder / "risk.tif"), "--publish", "--explain", "2"]) == 0
    return Published(db, layer, folder / "risk.tif")
