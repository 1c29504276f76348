"""Acceptance on real data: the RELand grid of Antioquia (Colombia), whole municipalities left out.

A subset of municipalities keeps the test quick; docs/risk-model.md gives the full run and its command.
"""

from __future__ import annotations

import json

import pandas as pd

from demine.cli import run

MUNICIPALITIES = ["SAN CARLOS", "SAN LUIS", "GRANADA", "COCORNA", "ARGELIA", "SAN FRANCISCO"]
CONFLICT = "Acto terrorista, Atentados, Combates, Enfrentamientos, Hostigamientos"


def test_evaluate_train_predict_on_antioquia(antioquia, tmp_path, capsys):
    grid = pd.read_csv(antioquia)
    subset = tmp_path / "antioquia_subset.csv"
    grid[grid["Municipio"].isin(MUNICIPALITIES)].to_csv(subset, index=False)
    figures_path = tmp_path / "figures.json"
    common = ["--cells", str(subset), "--label", "mines_outcome", "--group", "Municipio"]
    code = run(["risk", "evaluate", *common, "--baseline", "coca_dist", "--baseline", CONFLICT,
                "--json", str(figures_path)])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "leave-one-group-out" in out.out and "LONGITUD_X" in out.out  # coordinates are not features
    report = json.loads(figures_path.read_text())
    assert report["groups"] == 6 and report["validation"] == "leave-one-group-out"
    labelled = grid[grid["Municipio"].isin(MUNICIPALITIES) & grid["mines_outcome"].isin([0, 1])]
    assert report["n_labelled"] == len(labelled) and report["n_positive"] == int(labelled["mines_outcome"].sum())
    figures = report["figures"]
    assert set(figures) == {"LightGBM", "logistic regression", "rank by coca_dist", f"rank by {CONFLICT}"}
    # Out of fold, on municipalities it never saw, the model ranks better than chance.
    assert figures["LightGBM"]["roc_auc"] > 0.5 and figures["LightGBM"]["capture_50"] > 0.5

    model = tmp_path / "antioquia.json"
    assert run(["risk", "train", *common, "--model", str(model)]) == 0
    scored = tmp_path / "scored.gpkg"
    assert run(["risk", "predict", "--model", str(model), "--cells", str(antioquia), "--out", str(scored)]) == 0
    import geopandas as gpd

    layer = gpd.read_file(scored)
    assert len(layer) == len(grid) and layer["risk"].between(0, 1).all()
    assert layer.geometry.geom_type.eq("Point").all()
