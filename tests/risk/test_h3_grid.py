"""H3 hexagons as the register path's cells: the area filled, the square grid's features on any set of cells, the CLI
end to end on hexagons."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from demine.cli import run
from demine.domain.geodesy import local_equal_area_crs, transform_geometries
from demine.risk.cell_features import SquareCells
from demine.risk.evidence import RegisterEvidence
from demine.risk.grid import Grid
from demine.risk.hexgrid import build_hex_grid
from demine.risk.register_cells import UserLayers, square_cells
from demine.risk.register_hexes import cell_set_features

from risk_cells import LINE

CRS = local_equal_area_crs(46.8, 40.0)
TO_WGS84 = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)


def _wgs84(*geometries):  # type: ignore[no-untyped-def]
    return transform_geometries(np.asarray(geometries, dtype=object), TO_WGS84)


def _points(xy):  # type: ignore[no-untyped-def]
    points = _wgs84(*shapely.points(np.asarray(xy, dtype=float)))
    return shapely.get_x(points), shapely.get_y(points)


def _hand_built(tmp_path):  # type: ignore[no-untyped-def]
    """A 20 x 20 grid of 250 m cells and evidence placed off every cell edge (so 'touches' means one thing)."""
    grid = Grid(CRS, 250.0, -2500.0, 2500.0, 20, 20, np.ones((20, 20), dtype=bool))
    finds_xy = [(-2130, 2210), (-2120, 2180), (410, -330), (1660, 1390), (-870, -1940)]
    lon, lat = _points(finds_xy)
    finds = pd.DataFrame({"longitude": lon, "latitude": lat,
                          "category": ["ap_mine", "ap_mine", "at_mine", "uxo", "ap_mine"],
                          "quantity": [1, 2, 1, 3, 1]})
    lon, lat = _points([(1210, -2060), (-310, 540)])
    incidents = pd.DataFrame({"longitude": lon, "latitude": lat, "category": ["accident", "accident"]})
    record = shapely.Polygon([(-1390, 1130), (-640, 1130), (-640, 1880), (-1390, 1880)])
    hazards = [shapely.Polygon([(290, -490), (1130, -490), (1130, 370), (290, 370)]),
               shapely.Polygon([(1540, 1260), (2010, 1260), (2010, 1630), (1540, 1630)])]
    cleared = shapely.Polygon([(-2390, -2390), (-1140, -2390), (-1140, -1610), (-2390, -1610)])
    districts = [shapely.box(-2500, -2500, 30, 2500), shapely.box(30, -2500, 2500, 2500)]
    evidence = RegisterEvidence(
        finds, incidents,
        gpd.GeoDataFrame({"code": ["MR-1"]}, geometry=_wgs84(record), crs="EPSG:4326"),
        gpd.GeoDataFrame({"code": ["H-1", "H-2"], "hazard_class": ["cha", "sha"], "work_status": ["open", "open"]},
                         geometry=_wgs84(*hazards), crs="EPSG:4326"),
        gpd.GeoDataFrame({"outcome": ["cleared"]}, geometry=_wgs84(cleared), crs="EPSG:4326"),
        gpd.GeoDataFrame({"name": ["West", "East"]}, geometry=_wgs84(*districts), crs="EPSG:4326"))
    line = tmp_path / "line.geojson"
    gpd.GeoDataFrame(geometry=_wgs84(shapely.LineString([(-2460, -1730), (2470, 2110)])), crs="EPSG:4326").to_file(
        line)
    return grid, evidence, UserLayers(line=line)


def test_the_cell_path_gives_the_raster_features_on_square_cells(tmp_path):
    grid, evidence, layers = _hand_built(tmp_path)
    raster = square_cells(grid, evidence, layers, "hand-built").table.frame
    features, label, districts = cell_set_features(SquareCells(grid), evidence, layers)
    assert set(features) == set(raster.columns) - {"cell", "longitude", "latitude", "district", "label"}
    for name, values in features.items():
        np.testing.assert_allclose(values, raster[name].to_numpy(), rtol=1e-5, atol=0.01, err_msg=name)
    np.testing.assert_array_equal(label, raster["label"].to_numpy())
    np.testing.assert_array_equal(districts, raster["district"].to_numpy())
    # The case exercises what it claims: both labels, evidence near and far, inside and outside.
    assert (label == 1).sum() == 6 and (label == 0).sum() > 5
    assert raster["record_inside"].sum() > 0 and raster["cha_inside"].sum() > 0 and raster["n_ap_mine_1km"].max() > 0
    assert set(districts) == {"West", "East"}


@settings(max_examples=10, deadline=None)
@given(lon=st.floats(44.8, 48.8), lat=st.floats(38.8, 41.5), half=st.floats(0.03, 0.07),
       resolution=st.integers(7, 9))
def test_hexagons_fill_the_area_by_their_centres(lon, lat, half, resolution):
    area = shapely.Polygon([(lon - half, lat - half), (lon + half, lat - 0.3 * half), (lon + 0.6 * half, lat + half),
                            (lon - half, lat + 0.8 * half)])
    grid = build_hex_grid(area, resolution)
    hexagons = grid.polygons_wgs84()
    x, y = grid.centres_wgs84()
    assert shapely.contains_xy(area, x, y).all() and shapely.intersects(hexagons, area).all()
    assert len(np.unique(grid.cells)) == grid.count
    crs = local_equal_area_crs(lon, lat)
    area_m2 = shapely.area(transform_geometries(np.asarray([area]), Transformer.from_crs("EPSG:4326", crs,
                                                                                          always_xy=True)))[0]
    covered = shapely.area(transform_geometries(hexagons, Transformer.from_crs("EPSG:4326", crs, always_xy=True)))
    # Filling by centres neither leaves out nor adds more than the cells along the border.
    border = shapely.length(transform_geometries(np.asarray([area]), Transformer.from_crs(
        "EPSG:4326", crs, always_xy=True)))[0] * grid.spacing_m / 1.5
    assert abs(covered.sum() - area_m2) <= border


def test_an_area_smaller_than_one_cell_says_so():
    from demine.errors import DemineError

    with pytest.raises(DemineError, match="smaller than one H3 cell"):
        build_hex_grid(shapely.box(46.5, 40.0, 46.5001, 40.0001), 6)


def test_train_predict_evaluate_on_h3_cells(scenario_db, tmp_path, capsys):
    model, gpkg, tif = tmp_path / "model.json", tmp_path / "risk.gpkg", tmp_path / "risk.tif"
    hexes = ["--grid", "h3", "--resolution", "8", "--line", str(LINE)]
    assert run(["--db", scenario_db, "risk", "train", *hexes, "--model", str(model)]) == 0, capsys.readouterr().err
    grid = json.loads(model.read_text())["metadata"]["grid"]
    assert grid["kind"] == "h3" and grid["resolution"] == 8
    code = run(["--db", scenario_db, "risk", "predict", "--model", str(model), "--out", str(gpkg), "--explain", "1"])
    assert code == 0, capsys.readouterr().err
    layer = gpd.read_file(gpkg)
    assert layer.geometry.geom_type.eq("Polygon").all() and layer["risk"].between(0, 1).all()
    assert (shapely.get_num_coordinates(layer.geometry.values) == 7).mean() > 0.99  # hexagons, closed rings
    assert layer["cell"].str.fullmatch("88[0-9a-f]{13}").all() and layer["cell"].is_unique
    # The small scenario has little cleared land: as on the 1 km square grid, a few negatives (the square grid: 6).
    assert (layer["label"] == 1).sum() > 30 and (layer["label"] == 0).sum() >= 3
    assert run(["--db", scenario_db, "risk", "predict", "--model", str(model), "--out", str(tif)]) == 1
    assert "GeoTIFF needs the square grid" in capsys.readouterr().err and not tif.exists()
    figures = tmp_path / "figures.json"
    assert run(["--db", scenario_db, "risk", "evaluate", *hexes, "--json", str(figures)]) == 0
    report = json.loads(figures.read_text())
    assert report["n_cells"] == len(layer) and report["validation"] == "leave-one-group-out"
    # Five negatives make no figure worth asserting; the folds and the field's baselines are all there.
    assert list(report["figures"]) == ["LightGBM", "logistic regression", "distance to past finds",
                                       "distance to the line", "records only", "nearness to records"]


def test_h3_needs_a_resolution(scenario_db, capsys):
    assert run(["--db", scenario_db, "risk", "evaluate", "--grid", "h3"]) == 2
    assert "--resolution" in capsys.readouterr().err
