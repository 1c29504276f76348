"""The shortcuts taken for speed answer exactly as the national indexes do: the mines found and the released land of a
record's surroundings (FoundMines.near, Land.worked_near), and the records judged in forked workers."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from demine.analysis.records.classify import DEFAULT_THRESHOLDS
from demine.analysis.records.fit import _refine
from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import WGS84_GEOD, row_mine_positions
from demine.analysis.records.inputs import VerificationInputs
from demine.analysis.records.metrics import Land
from demine.analysis.records.verify import CHUNK_RECORDS, _Judge, verify_records
from scattered_record import scattered_record

RNG = np.random.default_rng(11)
# 20,000 mines over 4 × 4 km in clusters (fields), a third of them AT.
CENTRES = RNG.uniform(0, 4000, (60, 2))
OWNER = RNG.integers(0, 60, 20_000)
FX = CENTRES[OWNER, 0] + RNG.normal(0, 80, 20_000)
FY = CENTRES[OWNER, 1] + RNG.normal(0, 80, 20_000)
F_AT = RNG.random(20_000) < 0.33
NATIONAL = FoundMines(FX, FY, F_AT)
RELEASED = shapely.buffer(shapely.points(CENTRES[:40] + RNG.normal(0, 50, (40, 2))), RNG.uniform(20, 200, 40))
LAND = Land(RELEASED, np.ones(40, bool), np.array([], dtype=object))

coordinate = st.floats(-500, 4500, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(x0=coordinate, y0=coordinate, size=st.floats(50, 2500), radius=st.sampled_from([4.0, 10.0, 16.0]),
       spread=st.floats(10, 3000), seed=st.integers(0, 2**32 - 1))
def test_a_view_of_the_mines_found_answers_as_the_national_index(x0: float, y0: float, size: float, radius: float,
                                                                  spread: float, seed: int) -> None:
    """Points inside the view's window and beyond it (those go to a wider view)."""
    view = NATIONAL.near(x0, y0, x0 + size, y0 + size)
    rng = np.random.default_rng(seed)
    x = x0 + size / 2 + rng.uniform(-spread, spread, 200)
    y = y0 + size / 2 + rng.uniform(-spread, spread, 200)
    is_at = rng.random(200) < 0.3
    for method in ("nearest", "closest"):
        got, want = getattr(view, method)(x, y, is_at, radius), getattr(NATIONAL, method)(x, y, is_at, radius)
        assert np.array_equal(got[0], want[0]) and np.allclose(got[1], want[1])
    area = shapely.buffer(shapely.Point(x[0], y[0]), spread / 3)
    assert np.array_equal(view.within(area), NATIONAL.within(area))
    # Boxes from the view's grid: edges included, also where they pass exactly through mines found.
    inside = view._own
    for bx0, by0, bx1, by1 in [(min(x[1], x[2]), min(y[1], y[2]), max(x[1], x[2]), max(y[1], y[2])),
                               (x0, y0, x0 + size, y0 + size)] + \
            [(FX[j], FY[j], FX[k], FY[k]) for j, k in zip(inside[:3], inside[::-1][:3]) if FX[j] <= FX[k] and
             FY[j] <= FY[k]]:
        assert np.array_equal(view.in_box(bx0, by0, bx1, by1), NATIONAL.in_box(bx0, by0, bx1, by1))


@settings(max_examples=60, deadline=None)
@given(x0=coordinate, y0=coordinate, size=st.floats(50, 2500), spread=st.floats(10, 3000),
       seed=st.integers(0, 2**32 - 1))
def test_the_released_land_of_a_view_is_the_released_land(x0: float, y0: float, size: float, spread: float,
                                                          seed: int) -> None:
    worked = LAND.worked_near(x0, y0, x0 + size, y0 + size)
    rng = np.random.default_rng(seed)
    x = x0 + size / 2 + rng.uniform(-spread, spread, 300)
    y = y0 + size / 2 + rng.uniform(-spread, spread, 300)
    assert np.array_equal(worked(x, y), LAND.worked_mask(x, y))


@settings(max_examples=40, deadline=None)
@given(x0=st.floats(0, 3500), y0=st.floats(0, 3500), length=st.floats(20, 600), bearing=st.floats(0, 180),
       start=st.tuples(st.floats(-6, 6), st.floats(-300, 300), st.floats(-300, 300)),
       margin=st.sampled_from([30.0, 760.0]), seed=st.integers(0, 2**32 - 1))
def test_a_peak_scored_in_one_compiled_call_scores_as_the_national_indexes(
        x0: float, y0: float, length: float, bearing: float, start: tuple[float, float, float], margin: float,
        seed: int) -> None:
    """kernels.score_peak (a record's view and the released polygons of its surroundings, metrics.WorkedNear) against
    the national index and the polygons' tree (Land.worked_mask): the same share, matches and fit to the bit. The
    small margin makes fits reach beyond the view, where the wider indexes answer."""
    rec_x, rec_y, rec_at = scattered_record(np.random.default_rng(seed), x0, y0, length, bearing, 150)
    box = (rec_x.min() - margin, rec_y.min() - margin, rec_x.max() + margin, rec_y.max() + margin)
    view, worked = NATIONAL.near(*box), LAND.worked_near(*box)
    cx, cy = float(rec_x.mean()), float(rec_y.mean())
    got = _refine(rec_x, rec_y, rec_at, view, cx, cy, start, worked)
    want = _refine(rec_x, rec_y, rec_at, NATIONAL, cx, cy, start, LAND.worked_mask)
    assert (got is None) == (want is None)
    if got is not None:
        assert got[0] == want[0] and got[1].matched == want[1].matched
        assert np.allclose([got[1].dx, got[1].dy, got[1].rotation_deg, got[1].residual_m],
                           [want[1].dx, want[1].dy, want[1].rotation_deg, want[1].residual_m], atol=1e-6,
                           equal_nan=True)


def _fields(n: int) -> VerificationInputs:
    """n records of three AP rows and one AT row, 1.5 km apart, variously spoiled and worked (seeded)."""
    rng = np.random.default_rng(3)
    rows, found, released, hazards, perimeters = [], [], [], [], []
    m_lon, m_lat = 1 / 85_300, 1 / 111_000
    for k in range(n):
        lon0, lat0 = 46.5 + (k % 10) * 1500 * m_lon, 39.8 + (k // 10) * 1500 * m_lat
        true = []
        for j, (model, spacing, count) in enumerate([("PMN-2", 5.0, 40), ("PMN-2", 5.0, 40), ("TM-62M", 10.0, 20)]):
            lon, lat, _ = WGS84_GEOD.fwd(lon0, lat0, 0.0, 15.0 * j)
            true.append([k + 1, lon, lat, 80.0, spacing, count, model])
        true = pd.DataFrame(true, columns=["record_id", "start_longitude", "start_latitude", "bearing_deg",
                                           "mine_spacing_m", "mine_count", "mine_model"])
        _, lon, lat = row_mine_positions(true["start_longitude"], true["start_latitude"], true["bearing_deg"],
                                         true["mine_spacing_m"], true["mine_count"])
        models = np.repeat(true["mine_model"].to_numpy(), true["mine_count"].to_numpy())
        ground = shapely.points(lon, lat)
        hazards.append(shapely.buffer(shapely.convex_hull(shapely.multipoints(ground)), 60 * m_lat))
        share = [0.0, 0.3, 0.7, 1.0][k % 4]  # how far along the field the clearance has gone
        cut = lon.min() + share * (lon.max() - lon.min())
        if share:
            released.append(shapely.box(lon.min() - 8 * m_lon, lat.min() - 8 * m_lat, cut, lat.max() + 8 * m_lat))
        keep = lon <= cut if share else np.zeros(len(lon), bool)
        found.append(pd.DataFrame({"longitude": lon[keep] + rng.normal(0, m_lon, keep.sum()),
                                   "latitude": lat[keep] + rng.normal(0, m_lat, keep.sum()), "model": models[keep],
                                   "category": np.where(models[keep] == "TM-62M", "at_mine", "ap_mine")}))
        shift = [(0, 0), (150, -90), (30, 20), (700, 400)][(k // 4) % 4]  # accurate, shifted, partial, elsewhere
        written = true.assign(start_longitude=true["start_longitude"] + shift[0] * m_lon,
                              start_latitude=true["start_latitude"] + shift[1] * m_lat)
        rows.append(written)
        perimeters.append(shapely.buffer(shapely.convex_hull(shapely.multipoints(
            np.column_stack([lon + shift[0] * m_lon, lat + shift[1] * m_lat]))), 10 * m_lat))
    records = gpd.GeoDataFrame({"id": np.arange(n) + 1, "code": [f"MR-{k + 1}" for k in range(n)],
                                "admin_area_id": [None] * n, "ap_count": [80] * n, "at_count": [20] * n,
                                "mine_models": ["PMN-2,TM-62M"] * n}, geometry=perimeters, crs="EPSG:4326")
    suspected = gpd.GeoDataFrame({"hazard_class": ["cha"] * n}, geometry=hazards, crs="EPSG:4326")
    return VerificationInputs(
        records, pd.concat(rows, ignore_index=True), pd.DataFrame(columns=["record_id", "longitude", "latitude",
                                                                           "mine_model"]),
        pd.concat(found, ignore_index=True),
        gpd.GeoDataFrame({"outcome": ["cleared"] * len(released)}, geometry=released, crs="EPSG:4326"),
        suspected, suspected, pd.DataFrame(columns=["longitude", "latitude", "category", "admin_area_id"]),
        gpd.GeoDataFrame({"id": [], "name": [], "reporting_order": []}, geometry=[], crs="EPSG:4326"),
        {"PMN-2": "ap_mine", "TM-62M": "at_mine"})


def test_records_judged_in_workers_are_judged_as_in_one_process() -> None:
    # More than one chunk, so that the work is really split; with two workers the indexes are built in two threads.
    inputs = _fields(CHUNK_RECORDS + 15)
    alone, shared = verify_records(inputs), verify_records(inputs, workers=2)
    assert [r.record_id for r in shared] == [r.record_id for r in alone] == list(range(1, CHUNK_RECORDS + 16))
    assert [r.verification_class for r in shared] == [r.verification_class for r in alone]
    # repr: NaN (no residual without a pair) equals itself there
    assert [repr(r.metrics) for r in shared] == [repr(r.metrics) for r in alone]
    assert [repr(r.fit) for r in shared] == [repr(r.fit) for r in alone]
    assert len({r.verification_class for r in alone}) >= 3  # the fields are not all alike


@settings(max_examples=60, deadline=None)
@given(x0=st.floats(-1000, 5000, allow_nan=False), y0=st.floats(-1000, 5000, allow_nan=False),
       width=st.floats(0, 3000), height=st.floats(0, 3000))
def test_the_national_cells_give_every_mine_found_in_a_box(x0: float, y0: float, width: float, height: float) -> None:
    """The national index reads a box from its coarse cells: the same mines as a scan of every mine (and none
    without coordinates)."""
    x, y = FX.copy(), FY.copy()
    x[::97] = np.nan  # a mine with no position is in no box
    national = FoundMines(x, y, F_AT)
    want = np.flatnonzero((x >= x0) & (x <= x0 + width) & (y >= y0) & (y <= y0 + height))
    assert np.array_equal(national.within(shapely.box(x0, y0, x0 + width, y0 + height)),
                          want[shapely.contains_xy(shapely.box(x0, y0, x0 + width, y0 + height), x[want], y[want])])
    assert np.array_equal(national.near(x0, y0, x0 + width, y0 + height)._own, want)


@settings(max_examples=60, deadline=None)
@given(x0=coordinate, y0=coordinate, width=st.floats(0, 800), height=st.floats(0, 800),
       distance=st.floats(0, 900), margin=st.floats(0, 1500))
def test_the_mines_within_a_distance_of_a_box_are_those_measured_one_by_one(x0: float, y0: float, width: float,
                                                                           height: float, distance: float,
                                                                           margin: float) -> None:
    """FoundMines.near_box, nationally and in a view whose window may or may not hold the whole reach."""
    x1, y1 = x0 + width, y0 + height
    dx = np.maximum(np.maximum(x0 - FX, FX - x1), 0.0)
    dy = np.maximum(np.maximum(y0 - FY, FY - y1), 0.0)
    want = np.flatnonzero(np.hypot(dx, dy) <= distance * (1 - 1e-12))  # not the mines a rounding away from the edge
    edge = np.flatnonzero(np.abs(np.hypot(dx, dy) - distance) <= distance * 1e-12 + 1e-9)
    view = NATIONAL.near(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    for index in (NATIONAL, view):
        got = index.near_box(x0, y0, x1, y1, distance)
        assert np.all(np.diff(got) > 0)  # ascending, each once
        assert np.setdiff1d(want, got).size == 0 and np.setdiff1d(got, np.union1d(want, edge)).size == 0


@pytest.mark.parametrize("found", [0, 1, 2, 3, 5, 99])
def test_the_mines_found_projected_in_threads_are_those_projected_at_once(found: int) -> None:
    """The setup's threads project the mines found in parts, written in place (two mines a part at least; fewer go
    in one call): the same positions and the same national index as one thread's single call."""
    inputs = _fields(3)
    inputs = replace(inputs, mines_found=inputs.mines_found.iloc[:found].reset_index(drop=True))
    kw = dict(tolerance_m=10.0, buffer_m=100.0, max_shift_m=600.0, thresholds=DEFAULT_THRESHOLDS)
    one, two = _Judge(inputs, threads=1, **kw), _Judge(inputs, threads=2, **kw)
    assert len(two.found.x) == found
    assert np.array_equal(two.found.x, one.found.x) and np.array_equal(two.found.y, one.found.y)
    assert all(np.array_equal(a, b) for a, b in zip(two.found._cells[:2], one.found._cells[:2]))
    assert [repr(two(k).metrics) for k in range(3)] == [repr(one(k).metrics) for k in range(3)]
