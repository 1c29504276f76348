"""Exports that QGIS opens: a GeoPackage with one layer per kind, GeoJSON and CSV files that import again."""

from __future__ import annotations

import pyogrio
import pytest

from demine.errors import DemineError
from demine.services.exports import export
from demine.services.imports import import_file
from helpers import table_counts


@pytest.fixture
def loaded(register, programme_files):
    for kind, path in programme_files.items():
        import_file(register, kind, path, actor="test")
    return register


def test_geopackage_has_a_layer_per_kind_readable_by_gdal(loaded, tmp_path):
    out = tmp_path / "register.gpkg"
    counts = export(loaded, out, "gpkg")
    layers = {name: geometry for name, geometry in pyogrio.list_layers(out)}
    assert "victims" not in layers  # personal data stays in unless asked for
    assert counts["items"] == 3 and counts["gazetteer"] == 79
    items = pyogrio.read_dataframe(out, layer="items")
    assert sorted(items["code"]) == ["IT-1", "IT-2", "IT-3"]
    assert items.crs.to_epsg() == 4326
    assert set(items.geometry.geom_type) == {"Point"}
    assert list(items.loc[items.code == "IT-3", "model"]) == ["TM-62M"]
    hazards = pyogrio.read_dataframe(out, layer="hazards")
    assert hazards.loc[hazards.code == "HA-1", "area_m2"].iloc[0] == pytest.approx(40_000, rel=0.02)
    assert hazards.loc[hazards.code == "HA-1", "admin_area"].iloc[0] == "Aghdam"
    info = pyogrio.read_info(out, layer="hazards")
    assert info["features"] == 2 and info["crs"] == "EPSG:4326"


def test_personal_data_only_when_asked(loaded, tmp_path):
    with pytest.raises(DemineError, match="personal data"):
        export(loaded, tmp_path / "v.gpkg", "gpkg", kinds=["victims"])
    counts = export(loaded, tmp_path / "v.gpkg", "gpkg", kinds=["victims"], include_personal_data=True)
    assert counts == {"victims": 1}
    assert pyogrio.read_dataframe(tmp_path / "v.gpkg", layer="victims")["full_name"].tolist() == ["A. Shepherd"]


def test_csv_export_imports_again_unchanged(loaded, tmp_path):
    out = tmp_path / "csv"
    export(loaded, out, "csv")
    before = table_counts(loaded)
    for kind in ("hazards", "items", "outputs", "record-rows", "projects"):
        result = import_file(loaded, kind, out / f"{kind}.csv", actor="test")
        assert (result.created, result.updated) == (0, 0), (kind, result)
    assert table_counts(loaded) == before


def test_geojson_export_per_kind(loaded, tmp_path):
    out = tmp_path / "geojson"
    export(loaded, out, "geojson", kinds=["hazards", "incidents"])
    frame = pyogrio.read_dataframe(out / "incidents.geojson")
    assert frame["code"].tolist() == ["INC-1"] and frame["injured"].tolist() == [1]
