"""The register path: a grid over the register's districts, features and labels from its evidence, the CLI end to end.

The small scenario register (tests/risk/conftest.py) is generated and imported once for the session.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely

from demine.cli import run
from demine.risk.evidence import load_evidence
from demine.risk.register_cells import UserLayers, build_cells
from demine.services.imports import import_file
from demine.services.register import open_register

from risk_cells import LINE


@pytest.fixture(scope="module")
def cells(scenario_db):
    register = open_register(scenario_db)
    with register.reading() as connection:
        evidence = load_evidence(connection)
    register.close()
    return evidence, build_cells(evidence, size_m=500, layers=UserLayers(line=LINE))


def test_labels_and_features_follow_the_evidence(cells):
    evidence, built = cells
    frame = built.table.frame
    grid = built.grid
    # Every find and incident inside the grid makes its cell positive.
    from pyproj import Transformer

    to_grid = Transformer.from_crs("EPSG:4326", grid.crs, always_xy=True)
    points = pd.concat([evidence.finds[["longitude", "latitude"]], evidence.incidents[["longitude", "latitude"]]])
    r, c, inside = grid.cell_of(*to_grid.transform(points["longitude"].to_numpy(), points["latitude"].to_numpy()))
    evidence_cells = set(zip(r[inside & grid.mask[r.clip(0, grid.rows - 1), c.clip(0, grid.cols - 1)]],
                             c[inside & grid.mask[r.clip(0, grid.rows - 1), c.clip(0, grid.cols - 1)]]))
    positive = set(zip(built.rows[frame["label"] == 1], built.cols[frame["label"] == 1]))
    assert positive == evidence_cells and len(positive) > 20
    assert (frame["label"] == 0).sum() > 20  # cleared or reduced with nothing found
    # A cell's own evidence is its label, never its feature: no cell is at distance 0 from "another" find.
    assert (frame["dist_find_m"].dropna() > 0).all()
    assert frame.loc[frame["label"] == 1, "dist_find_m"].median() < frame.loc[frame["label"] == -1,
                                                                              "dist_find_m"].median()
    # Distances are whole cells on the raster, the line layer is used, districts come from the gazetteer.
    assert frame["dist_line_m"].min() == 0 and (frame["dist_line_m"] % 500 < 1e-3).mean() < 1  # Euclidean, not grid
    assert {"Aghdam", "Fuzuli", "Kalbajar"} <= set(frame["district"])


def test_evaluate_train_predict_from_the_register(scenario_db, register_model, tmp_path, capsys):
    figures_path = tmp_path / "figures.json"
    grid = ["--cell-size", "1000", "--line", str(LINE)]
    code = run(["--db", scenario_db, "risk", "evaluate", *grid, "--json", str(figures_path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    report = json.loads(figures_path.read_text())
    assert list(report["figures"]) == ["LightGBM", "logistic regression", "distance to past finds",
                                       "distance to the line", "records only", "nearness to records"]
    assert report["monotone"]["dist_find_m"] == -1 and report["monotone"]["hazard_inside"] == 1
    assert report["validation"] == "leave-one-group-out" and report["groups"] >= 3

    model = register_model  # `demine risk train` with the same grid options, once for the session
    assert json.loads(model.read_text())["metadata"]["grid"]["cell_size_m"] == 1000
    tif, gpkg, candidates = tmp_path / "risk.tif", tmp_path / "risk.gpkg", tmp_path / "candidates.csv"
    code = run(["--db", scenario_db, "risk", "predict", "--model", str(model), "--out", str(tif),
                "--candidates", str(candidates), "--explain", "2"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Ignored" not in out.out  # the cell id is known to the model as excluded
    with rasterio.open(tif) as raster:
        values = raster.read(1)
    known = values[~np.isnan(values)]
    assert len(known) == report["n_cells"] and ((known >= 0) & (known <= 1)).all()

    chosen = pd.read_csv(candidates)
    assert len(chosen) == round(0.01 * report["n_cells"])
    assert (chosen["hazard_inside"] == 0).all() and (chosen["record_inside"] == 0).all()
    assert chosen["risk"].is_monotonic_decreasing and chosen["risk_explained"].str.len().gt(0).all()

    assert run(["--db", scenario_db, "risk", "predict", "--model", str(model), "--out", str(gpkg)]) == 0
    layer = gpd.read_file(gpkg)
    assert len(layer) == report["n_cells"] and layer.geometry.geom_type.eq("Polygon").all()
    # Cells are 1 km squares: 100 ha each, whatever the latitude.
    areas = layer.to_crs(layer.estimate_utm_crs()).area
    assert np.allclose(areas, 1_000_000, rtol=0.01)
    assert np.allclose(np.sort(layer["risk"].to_numpy()), np.sort(known))  # the same layer in both formats


def test_an_empty_register_says_there_is_nothing_to_learn(sqlite_register_url, capsys):
    code = run(["--db", sqlite_register_url, "risk", "evaluate"])
    assert code == 1 and "holds no finds" in capsys.readouterr().err


def test_evidence_reads_alike_on_both_backends(register, programme_files):
    for kind, path in programme_files.items():
        import_file(register, kind, path, actor="risk-test")
    with register.reading() as connection:
        evidence = load_evidence(connection)
    items = pd.read_csv(programme_files["items"])
    assert len(evidence.finds) == len(items)
    assert shapely.is_valid(np.asarray(evidence.hazards.geometry.values)).all()
    built = build_cells(evidence, size_m=100)
    assert (built.table.frame["label"] == 1).sum() >= 1
