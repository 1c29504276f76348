"""Rows walked one geodesic line each (geometry.row_mine_positions) give, bit for bit, the direct problem per mine
(pyproj Geod.fwd at k × spacing along the bearing), for any row the forms can hold."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from demine.analysis.records.geometry import WGS84_GEOD, row_mine_positions


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(0, 30), missing=st.booleans())
def test_each_mine_is_the_direct_problem_along_its_row(seed: int, rows: int, missing: bool) -> None:
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(44, 51, rows), rng.uniform(38, 42, rows)
    bearing = rng.uniform(-360, 720, rows)
    spacing = rng.choice([0.0, 0.5, 3.0, 7.25, 12.0, 250.0], rows)
    count = rng.integers(-1, 60, rows)  # a negative count walks no mine
    if missing and rows:
        lat[rng.integers(rows)] = np.nan
    row, got_lon, got_lat = row_mine_positions(lon, lat, bearing, spacing, count)
    n = count.clip(min=0)
    assert np.array_equal(row, np.repeat(np.arange(rows), n))
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    want_lon, want_lat, _ = WGS84_GEOD.fwd(lon[row], lat[row], bearing[row], k * spacing[row])
    assert np.array_equal(got_lon, np.asarray(want_lon), equal_nan=True)
    assert np.array_equal(got_lat, np.asarray(want_lat), equal_nan=True)
