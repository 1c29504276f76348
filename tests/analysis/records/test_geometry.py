"""Row walking and datum conversion, checked against pyproj directly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from demine.analysis.records.geometry import LocalFrame, recorded_mines, recorded_mines_in, rotate, row_mine_positions


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


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(1, 30), reach_deg=st.floats(0.0, 2.8))
def test_rows_laid_in_the_frame_agree_with_the_geodesic_walk(seed: int, rows: int, reach_deg: float) -> None:
    """recorded_mines_in lays each row on the parabola through its first, middle and last mines in the frame: within
    0.1 mm of walking every mine along the geodesic and projecting it, up to some 240 km east or west of the frame's
    centre, in the same order, with the same records and models."""
    rng = np.random.default_rng(seed)
    frame = LocalFrame.around(np.array([45.5, 48.5]), np.array([38.9, 40.9]))
    table = pd.DataFrame({"record_id": np.sort(rng.integers(1, 8, rows)),
                          "start_longitude": 47.0 + rng.uniform(-reach_deg, reach_deg, rows),
                          "start_latitude": 39.9 + rng.uniform(-1.0, 1.0, rows),
                          "bearing_deg": rng.uniform(0.0, 360.0, rows), "mine_spacing_m": rng.uniform(2.0, 20.0, rows),
                          "mine_count": rng.integers(0, 250, rows), "mine_model": rng.choice(["PMN", "TM-62M"], rows)})
    single = pd.DataFrame({"record_id": [3, 5], "longitude": [47.01, 46.5], "latitude": [39.95, 40.2],
                           "mine_model": ["OZM-72", None]})
    laid = recorded_mines_in(frame, table, single)
    walked = recorded_mines(table, single)
    x, y = frame.to_metric(walked["longitude"].to_numpy(), walked["latitude"].to_numpy())
    assert list(laid["record_id"]) == list(walked["record_id"])
    assert list(laid["mine_model"]) == list(walked["mine_model"])
    assert np.hypot(laid["x"] - x, laid["y"] - y).max() < 1e-4


def test_rows_with_a_missing_value_or_too_long_are_walked() -> None:
    frame = LocalFrame.around(np.array([46.5, 47.5]), np.array([39.5, 40.5]))
    table = pd.DataFrame({"record_id": [1, 2], "start_longitude": [47.0, 47.1], "start_latitude": [40.0, 39.9],
                          "bearing_deg": [10.0, 200.0], "mine_spacing_m": [5.0, 60.0], "mine_count": [20, 100],
                          "mine_model": ["PMN", "PMN"]})  # the second row runs 5.9 km
    empty = pd.DataFrame({"record_id": [], "longitude": [], "latitude": [], "mine_model": []})
    for rows in (table, table.assign(bearing_deg=[10.0, np.nan])):
        walked = recorded_mines(rows, empty)
        x, y = frame.to_metric(walked["longitude"].to_numpy(), walked["latitude"].to_numpy())
        laid = recorded_mines_in(frame, rows, empty)
        assert np.array_equal(laid["x"], x, equal_nan=True) and np.array_equal(laid["y"], y, equal_nan=True)
    assert recorded_mines_in(frame, table.iloc[:0], empty).empty
