"""Row walking and datum conversion, checked against pyproj directly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod, Transformer

from demine.analysis.records.geometry import LocalFrame, recorded_mines, rotate, row_mine_positions


def test_row_positions_follow_the_geodesic_bearing_and_spacing() -> None:
    row, lon, lat = row_mine_positions(np.array([46.93, 47.10]), np.array([40.03, 39.60]), np.array([37.5, 290.0]),
                                       np.array([6.0, 12.5]), np.array([40, 3]))
    assert list(np.bincount(row)) == [40, 3]
    geod = Geod(ellps="WGS84")
    azimuth, _, distance = geod.inv(np.full(39, 46.93), np.full(39, 40.03), lon[1:40], lat[1:40])
    assert np.allclose(distance, 6.0 * np.arange(1, 40), atol=1e-6)
    assert np.allclose(azimuth, 37.5, atol=1e-6)
    _, _, step = geod.inv(lon[40:42], lat[40:42], lon[41:43], lat[41:43])
    assert np.allclose(step, 12.5, atol=1e-6)


def test_recorded_mines_joins_rows_and_single_mines() -> None:
    rows = pd.DataFrame({"record_id": [7], "start_longitude": [46.9], "start_latitude": [40.0], "bearing_deg": [90.0],
                         "mine_spacing_m": [5.0], "mine_count": [4], "mine_model": ["PMN-2"]})
    single = pd.DataFrame({"record_id": [7], "longitude": [46.91], "latitude": [40.01], "mine_model": ["TM-62M"]})
    mines = recorded_mines(rows, single)
    assert len(mines) == 5 and list(mines["mine_model"]).count("TM-62M") == 1


def test_local_frame_distances_match_geodesic_distances() -> None:
    frame = LocalFrame.around(np.array([46.0, 47.4]), np.array([39.3, 40.3]))
    lon, lat = np.array([47.3, 47.31]), np.array([40.2, 40.205])
    x, y = frame.to_metric(lon, lat)
    _, _, geodesic = Geod(ellps="WGS84").inv(lon[0], lat[0], lon[1], lat[1])
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(geodesic, rel=3e-3)


@pytest.mark.parametrize("x, y", [(8_460_000.0, 4_430_000.0), (8_520_250.5, 4_395_120.25)])
def test_pulkovo_gauss_kruger_zone_8_converts_as_pyproj_does(x: float, y: float) -> None:
    """Legacy records in Pulkovo 1942 / Gauss-Kruger zone 8 (EPSG:28408), false easting 8,500,000 m."""
    from demine.domain.geodesy import transform_xy

    reference = Transformer.from_crs("EPSG:28408", "EPSG:4326", always_xy=True)
    lon, lat = transform_xy(reference, np.array([x]), np.array([y]))
    expected = reference.transform(x, y)
    assert (lon[0], lat[0]) == pytest.approx(expected, abs=1e-9)
    assert 44.0 < lon[0] < 48.5 and 39.0 < lat[0] < 41.0  # zone 8 spans 42-48° E
    back = Transformer.from_crs("EPSG:4326", "EPSG:28408", always_xy=True).transform(lon[0], lat[0])
    assert back == pytest.approx((x, y), abs=1e-3)


def test_rotation_is_clockwise_like_a_bearing() -> None:
    x, y = rotate(np.array([0.0]), np.array([100.0]), 90.0, 0.0, 0.0)  # north, turned 90° clockwise: east
    assert x[0] == pytest.approx(100.0) and y[0] == pytest.approx(0.0, abs=1e-9)
