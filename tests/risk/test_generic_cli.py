"""`demine risk evaluate|train|predict --cells ...` as a user runs them, on real files."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from demine.cli import run
from risk_cells import synthetic_cells

# The register is not used by the generic path; --db points nowhere on purpose.
DB = ["--db", "unused.db"]


@pytest.fixture
def risk(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        capsys.readouterr()
        code = run([*DB, "risk", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


def table_options(path) -> list[str]:
    return ["--cells", str(path), "--label", "outcome", "--group", "district"]


def test_evaluate_reports_the_model_beside_its_baselines_on_the_same_folds(risk, cells_csv, tmp_path):
    report = tmp_path / "figures.json"
    code, out, err = risk("evaluate", *table_options(cells_csv), "--baseline", "dist_find_km",
                          "--decreasing", "dist_find_km", "--json", str(report))
    assert code == 0, err
    assert "leave-one-group-out" in out and "6 groups" in out
    assert "cell_id" in out and "identifier" in out and "coordinates" in out  # the ignored columns are named, with the reason
    figures = json.loads(report.read_text())["figures"]
    assert list(figures) == ["LightGBM", "logistic regression", "rank by dist_find_km"]
    for name, values in figures.items():
        curve = [values[f"capture_{k}"] for k in (1, 5, 10, 20, 30, 50)]
        assert curve == sorted(curve), name
        assert 0 <= values["pr_auc"] <= 1
    # The labels were made to fall with distance: every honest ranking finds that out of fold.
    assert figures["LightGBM"]["roc_auc"] > 0.7 and figures["rank by dist_find_km"]["roc_auc"] > 0.7
    assert figures["rank by dist_find_km"]["brier"] is None  # a ranking is not a probability


def test_train_then_predict_writes_the_cells_with_a_risk_probability(risk, cells_csv, tmp_path):
    model = tmp_path / "model.json"
    code, out, err = risk("train", *table_options(cells_csv), "--model", str(model), "--decreasing", "dist_find_km")
    assert code == 0, err
    document = json.loads(model.read_text())
    assert document["format"] == "demine-risk-model" and document["lightgbm_model"].startswith("tree")
    assert document["monotone"] == {"dist_find_km": -1}
    assert "land=farm" in document["features"] and "longitude" not in document["features"]

    out_csv = tmp_path / "scored.csv"
    code, out, err = risk("predict", "--model", str(model), "--cells", str(cells_csv), "--out", str(out_csv),
                          "--explain", "2")
    assert code == 0, err
    scored = pd.read_csv(out_csv)
    original = pd.read_csv(cells_csv)
    assert len(scored) == len(original) and scored["cell_id"].tolist() == original["cell_id"].tolist()
    assert scored["risk"].between(0, 1).all()
    # Monotone in distance: nearer past finds never lower the risk, other features equal.
    assert scored["risk"].corr(scored["dist_find_km"], method="spearman") < -0.5
    assert scored["risk_explained"].str.contains(r"\((?:[+-])\d").all()


def test_predict_on_a_new_region_with_other_columns_says_what_it_did(risk, cells_csv, tmp_path):
    model = tmp_path / "model.json"
    assert risk("train", *table_options(cells_csv), "--model", str(model))[0] == 0
    new = synthetic_cells(n=200, seed=99).drop(columns=["elevation", "outcome"]).assign(roads_km=1.0)
    new_path = tmp_path / "new.gpkg"
    gpd.GeoDataFrame(new.drop(columns="geometry"), geometry=gpd.GeoSeries.from_wkt(new["geometry"]),
                     crs="EPSG:4326").to_file(new_path)
    out_path = tmp_path / "new_scored.gpkg"
    code, out, err = risk("predict", "--model", str(model), "--cells", str(new_path), "--out", str(out_path))
    assert code == 0, err
    assert "elevation" in out and "treated as unknown" in out
    assert "roads_km" in out and "Ignored" in out
    layer = gpd.read_file(out_path)
    assert len(layer) == 200 and layer["risk"].between(0, 1).all() and layer.geometry.notna().all()


@pytest.mark.parametrize("change, field, words", [
    (lambda f: f.drop(columns="outcome"), "outcome", "no label column"),
    (lambda f: f.assign(outcome=-1), "outcome", "no labelled cell"),
    (lambda f: f.assign(outcome=np.where(f.outcome == 1, 1, -1)), "outcome", "every labelled cell is 1"),
    (lambda f: f.drop(columns="district"), "district", "no group column"),
], ids=["no-label-column", "no-labelled-rows", "one-class", "no-group-column"])
def test_bad_tables_are_refused_with_the_file_and_field(risk, tmp_path, change, field, words):
    path = tmp_path / "bad.csv"
    change(synthetic_cells(n=100)).to_csv(path, index=False)
    model = tmp_path / "m.json"
    for command in (["evaluate"], ["train", "--model", str(model)]):
        code, out, err = risk(*command, *table_options(path))
        assert code == 2, (command, out, err)
        assert str(path) in err and f"field '{field}'" in err and words in err
    assert not model.exists()


def test_missing_files_are_named(risk, tmp_path, cells_csv):
    code, _, err = risk("evaluate", *table_options(tmp_path / "nowhere.csv"))
    assert code == 4 and "nowhere.csv" in err
    code, _, err = risk("predict", "--model", str(tmp_path / "none.json"), "--cells", str(cells_csv),
                        "--out", str(tmp_path / "o.csv"))
    assert code == 4 and "none.json" in err
    not_a_model = tmp_path / "x.json"
    not_a_model.write_text("[1, 2]")
    code, _, err = risk("predict", "--model", str(not_a_model), "--cells", str(cells_csv),
                        "--out", str(tmp_path / "o.csv"))
    assert code == 1 and "not a Demine risk model" in err
    assert not (tmp_path / "o.csv").exists()


def test_csv_cells_without_geometry_cannot_become_a_geopackage(risk, tmp_path, cells_csv):
    model = tmp_path / "model.json"
    assert risk("train", *table_options(cells_csv), "--model", str(model))[0] == 0
    plain = tmp_path / "plain.csv"
    pd.read_csv(cells_csv).drop(columns="geometry").to_csv(plain, index=False)
    code, _, err = risk("predict", "--model", str(model), "--cells", str(plain), "--out", str(tmp_path / "o.gpkg"))
    assert code == 1 and "no geometry" in err and not (tmp_path / "o.gpkg").exists()
