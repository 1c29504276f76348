"""The risk layer out of the register: `risk_cells` in a whole-register export (GeoPackage, CSV), a GeoTIFF on the
square grid; both read back with the libraries a GIS uses (pyogrio, rasterio)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from pyproj import Transformer

from demine.cli import run


def test_a_whole_register_export_carries_the_published_risk_cells(published, tmp_path, monkeypatch):
    db, layer = published.db, published.layer
    monkeypatch.setenv("DEMINE_RISK_LAYER", str(layer))
    out = tmp_path / "register.gpkg"
    assert run(["--db", str(db), "export", "gpkg", str(out)]) == 0
    assert "risk_cells" in pyogrio.list_layers(out)[:, 0]
    cells = pyogrio.read_dataframe(out, layer="risk_cells")
    source = pyogrio.read_dataframe(layer, layer="risk")
    assert list(cells.columns) == ["cell", "district", "label", "risk", "risk_explained", "geometry"]
    assert len(cells) == len(source) and cells["risk"].between(0, 1).all()
    np.testing.assert_allclose(cells["risk"].to_numpy(), source["risk"].to_numpy())
    assert cells.crs.to_epsg() == 4326 and cells.geometry.geom_type.eq("Polygon").all()
    csv = tmp_path / "csv"
    assert run(["--db", str(db), "export", "csv", str(csv)]) == 0
    table = pd.read_csv(csv / "risk_cells.csv")
    assert len(table) == len(source) and shapely.from_wkt(table["wkt"]).tolist()[0].geom_type == "Polygon"
    # Only some kinds asked for: no derived layer.
    assert run(["--db", str(db), "export", "gpkg", str(tmp_path / "some.gpkg"), "--kind", "hazards"]) == 0
    assert "risk_cells" not in pyogrio.list_layers(tmp_path / "some.gpkg")[:, 0]


def test_another_registers_export_leaves_the_risk_map_out(published, scenario_db, tmp_path, monkeypatch):
    layer = published.layer
    monkeypatch.setenv("DEMINE_RISK_LAYER", str(layer))
    out = tmp_path / "other.gpkg"
    assert run(["--db", scenario_db, "export", "gpkg", str(out)]) == 0  # the register it was not predicted from
    assert "risk_cells" not in pyogrio.list_layers(out)[:, 0]


def test_the_geotiff_holds_each_cells_risk_at_its_centre(published):
    layer, tif = published.layer, published.geotiff
    cells = pyogrio.read_dataframe(layer, layer="risk")
    with rasterio.open(tif) as raster:
        assert raster.count == 1 and raster.dtypes[0] == "float32"
        to_raster = Transformer.from_crs("EPSG:4326", raster.crs, always_xy=True)
        centres = shapely.centroid(cells.geometry.values)
        x, y = to_raster.transform(shapely.get_x(centres), shapely.get_y(centres))
        values = np.array([v[0] for v in raster.sample(zip(x, y))])
        assert np.isnan(raster.read(1)).sum() == raster.width * raster.height - len(cells)
    np.testing.assert_allclose(values, cells["risk"].to_numpy(), rtol=1e-6)
