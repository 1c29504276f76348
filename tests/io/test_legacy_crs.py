"""Legacy minefield records in Pulkovo 1942 / Gauss-Kruger zone 8 keep their original coordinates beside WGS84."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer

from demine.services.imports import import_file
from demine.services.queries import show_record
from register_files import rows_of_programme, write_csv

PULKOVO_GK8 = "EPSG:28408"  # Pulkovo 1942 / Gauss-Kruger zone 8 (42°-48° E), used by Soviet-era records


def test_record_in_pulkovo_is_converted_and_kept_as_supplied(register, tmp_path):
    rows = rows_of_programme()
    import_file(register, "organisations", write_csv(tmp_path / "o.csv", rows["organisations"]), actor="test")
    record = dict(rows["records"][0])
    to_gk = Transformer.from_crs("EPSG:4326", PULKOVO_GK8, always_xy=True)
    perimeter = shapely.from_wkt(record["wkt"])
    gk_perimeter = shapely.transform(perimeter, lambda xy: np.column_stack(to_gk.transform(xy[:, 0], xy[:, 1])))
    record["wkt"] = shapely.to_wkt(gk_perimeter, rounding_precision=3)
    for n in (1, 2):
        x, y = to_gk.transform([record[f"reference{n}_x"], 0.0], [record[f"reference{n}_y"], 0.0])
        record[f"reference{n}_x"], record[f"reference{n}_y"] = round(x[0], 3), round(y[0], 3)
    # Gauss-Kruger eastings in zone 8 carry the zone number: 8,4xx,xxx m.
    assert 8_000_000 < record["reference1_x"] < 9_000_000
    path = write_csv(tmp_path / "records.csv", [record])

    import_file(register, "records", path, actor="test", crs=PULKOVO_GK8)

    stored = show_record(register, "records", "MR-1")
    assert stored["original_crs"] == PULKOVO_GK8
    assert shapely.equals_exact(shapely.from_wkt(stored["original_wkt"]), shapely.from_wkt(record["wkt"]), 1e-3)
    back = Transformer.from_crs(PULKOVO_GK8, "EPSG:4326", always_xy=True)
    expected_x, expected_y = back.transform([record["reference1_x"], 0.0], [record["reference1_y"], 0.0])
    geod = Geod(ellps="WGS84")
    _, _, metres = geod.inv(stored["reference1_longitude"], stored["reference1_latitude"], expected_x[0], expected_y[0])
    assert metres < 0.01
    # And the converted perimeter lies where the original WGS84 one was, within survey precision (mm rounding).
    assert shapely.hausdorff_distance(shapely.from_wkt(stored["wkt"]), perimeter) < 1e-6  # about 10 cm
    assert stored["area_m2"] == pytest.approx(40_000, rel=0.02)


def test_unknown_crs_is_named(register, tmp_path):
    from demine.errors import ValidationFailed

    rows = rows_of_programme()
    path = write_csv(tmp_path / "organisations.csv", rows["organisations"])
    import_file(register, "organisations", path, actor="test")
    with pytest.raises(ValidationFailed, match="unknown coordinate reference system 'EPSG:99999'"):
        import_file(register, "records", write_csv(tmp_path / "records.csv", rows["records"]), actor="test",
                    crs="EPSG:99999")


def test_row_line_follows_bearing_and_length(register, programme_files):
    for kind in ("organisations", "records", "record-rows"):
        import_file(register, kind, programme_files[kind], actor="test")
    row = rows_of_programme()["record-rows"][0]
    stored = shapely.from_wkt(show_record(register, "record-rows", "MR-1-A")["wkt"])
    end_lon, end_lat, _ = Geod(ellps="WGS84").fwd(row["start_longitude"], row["start_latitude"], 90, 100)
    assert stored.coords[0] == pytest.approx((row["start_longitude"], row["start_latitude"]))
    assert stored.coords[1] == pytest.approx((end_lon, end_lat), abs=1e-7)  # shown rounded to 7 places (1 cm)
