"""The same hazards arrive as CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile and KML, and store the same."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from openpyxl import Workbook

from demine.services.imports import import_file
from demine.services.queries import show_record
from register_files import rows_of_programme, write_csv



def hazards_frame() -> gpd.GeoDataFrame:
    rows = [dict(r) for r in rows_of_programme()["hazards"]]
    geometry = [shapely.from_wkt(r.pop("wkt")) for r in rows]
    return gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326")


def write_spatial(folder: Path, suffix: str) -> Path:
    path = folder / f"hazards.{suffix}"
    pyogrio.write_dataframe(hazards_frame(), path, driver={"geojson": "GeoJSON", "gpkg": "GPKG"}[suffix])
    return path


@pytest.fixture
def organisations(register, tmp_path):
    import_file(register, "organisations", write_csv(tmp_path / "o.csv", rows_of_programme()["organisations"]),
                actor="test")


@pytest.mark.parametrize("suffix", ["geojson", "gpkg"])
def test_spatial_formats_store_the_same_hazards(register, organisations, tmp_path, suffix):
    path = write_spatial(tmp_path, suffix)
    result = import_file(register, "hazards", path, actor="test")
    assert result.created == 2
    stored = show_record(register, "hazards", "HA-1")
    expected = shapely.from_wkt(rows_of_programme()["hazards"][0]["wkt"])
    assert shapely.equals_exact(shapely.from_wkt(stored["wkt"]), shapely.force_2d(expected), tolerance=1e-7)
    assert stored["area_m2"] == pytest.approx(40_000, rel=0.02)


def test_zipped_shapefile_with_cut_names_imports_with_a_column_map(register, organisations, tmp_path):
    """Shapefiles cut field names at 10 characters; --column maps them back to the format's names."""
    frame = hazards_frame()
    short = {"hazard_class": "h_class", "hazard_type": "h_type", "work_status": "status",
             "reported_date": "reported", "reporting_organisation_code": "rep_org",
             "benchmark_longitude": "bench_lon", "benchmark_latitude": "bench_lat",
             "suspected_categories": "suspected", "confirmed_categories": "confirmed", "evidence_type": "ev_type",
             "evidence_description": "ev_desc", "expected_beneficiaries": "benefic"}
    folder = tmp_path / "shp"
    folder.mkdir()
    pyogrio.write_dataframe(frame.rename(columns=short).fillna(""), folder / "hazards.shp")
    path = tmp_path / "hazards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in folder.iterdir():
            archive.write(part, part.name)
    from demine.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="missing column 'hazard_class'"):
        import_file(register, "hazards", path, actor="test")
    result = import_file(register, "hazards", path, actor="test", columns={v: k for k, v in short.items()})
    assert result.created == 2
    assert show_record(register, "hazards", "HA-2")["hazard_type"] == "battle_area"


def test_kml_placemarks_with_extended_data(register, organisations, tmp_path):
    rows = rows_of_programme()["hazards"]
    placemarks = []
    for row in rows:
        polygon = shapely.from_wkt(row["wkt"])
        coordinates = " ".join(f"{x},{y},0" for x, y in polygon.exterior.coords)
        data = "".join(f'<Data name="{k}"><value>{v}</value></Data>' for k, v in row.items()
                       if k not in ("wkt", "code", "name"))
        placemarks.append(f"<Placemark><name>{row['code']}</name><description>{row['name']}</description>"
                          f"<ExtendedData>{data}</ExtendedData><Polygon><outerBoundaryIs><LinearRing>"
                          f"<coordinates>{coordinates}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
                          "</Placemark>")
    path = tmp_path / "hazards.kml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
                    f"<Document>{''.join(placemarks)}</Document></kml>")
    result = import_file(register, "hazards", path, actor="test", columns={"name": "code", "description": "name"})
    assert result.created == 2
    stored = show_record(register, "hazards", "HA-1")
    assert (stored["name"], stored["hazard_class"]) == ("Field north", "cha")
    assert stored["area_m2"] == pytest.approx(40_000, rel=0.02)


def test_xlsx_with_dates_and_numbers_as_cells(register, organisations, tmp_path):
    import datetime as dt

    rows = rows_of_programme()["hazards"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        values = []
        for key in rows[0]:
            value = row.get(key)
            if key == "reported_date":
                value = dt.datetime.fromisoformat(str(value))  # a real date cell, as Excel stores it
            elif key == "expected_beneficiaries" and value:
                value = int(value)
            values.append(value)
        sheet.append(values)
    sheet.append([None] * len(rows[0]))  # trailing empty rows, as spreadsheets have
    path = tmp_path / "hazards.xlsx"
    workbook.save(path)
    result = import_file(register, "hazards", path, actor="test")
    assert result.created == 2
    assert show_record(register, "hazards", "HA-1")["expected_beneficiaries"] == 120


def test_xlsx_error_names_sheet_row(register, organisations, tmp_path):
    from demine.errors import ValidationFailed

    rows = [dict(r) for r in rows_of_programme()["hazards"]]
    rows[1]["hazard_type"] = "mined"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([row.get(k) for k in rows[0]])
    path = tmp_path / "hazards.xlsx"
    workbook.save(path)
    with pytest.raises(ValidationFailed, match=r"hazards.xlsx, row 3, field 'hazard_type': unknown value 'mined'"):
        import_file(register, "hazards", path, actor="test")


def test_unsupported_suffix(register, tmp_path):
    from demine.errors import ValidationFailed

    path = tmp_path / "hazards.ods"
    path.write_text("x")
    with pytest.raises(ValidationFailed, match="unsupported file type '.ods'"):
        import_file(register, "hazards", path, actor="test")
