"""Hand-built records, one per class: a belt of rows, the mines found on the ground, the land released around it."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from demine.analysis.records.classify import RecordClass
from demine.analysis.records.geometry import WGS84_GEOD, row_mine_positions
from demine.analysis.records.inputs import VerificationInputs
from demine.analysis.records.search import SEARCH_CELL_M
from demine.analysis.records.verify import verify_records

LON, LAT = 46.93, 40.03  # Aghdam
M_LON, M_LAT = 1 / 85_300, 1 / 111_000


def _belt(east_m: float = 0.0, north_m: float = 0.0, bearing: float = 90.0,
          rows_towards: float = 0.0) -> pd.DataFrame:
    """Three AP rows 15 m apart (6 m spacing, 50 mines) and one AT row (12 m spacing, 25 mines), each row starting
    15 m from the last towards the azimuth `rows_towards`."""
    rows = []
    for k, (model, spacing, count) in enumerate([("PMN-2", 6.0, 50), ("PMN-2", 6.0, 50), ("POMZ-2M", 6.0, 50),
                                                 ("TM-62M", 12.0, 25)]):
        lon, lat, _ = WGS84_GEOD.fwd(LON + east_m * M_LON, LAT + north_m * M_LAT, rows_towards, 15.0 * k)
        rows.append({"record_id": 1, "start_longitude": lon, "start_latitude": lat, "bearing_deg": bearing,
                     "mine_spacing_m": spacing, "mine_count": count, "mine_model": model})
    return pd.DataFrame(rows)


def _ground(rows: pd.DataFrame, keep: np.ndarray | None = None) -> pd.DataFrame:
    _, lon, lat = row_mine_positions(rows["start_longitude"], rows["start_latitude"], rows["bearing_deg"],
                                     rows["mine_spacing_m"], rows["mine_count"])
    models = np.repeat(rows["mine_model"].to_numpy(), rows["mine_count"].to_numpy())
    rng = np.random.default_rng(5)
    lon = lon + rng.normal(0, 1.0, len(lon)) * M_LON  # GPS and laying noise, about a metre
    lat = lat + rng.normal(0, 1.0, len(lat)) * M_LAT
    keep = np.ones(len(lon), bool) if keep is None else keep
    return pd.DataFrame({"longitude": lon[keep], "latitude": lat[keep], "model": models[keep],
                         "category": np.where(np.char.startswith(models[keep].astype(str), "TM"), "at_mine",
                                              "ap_mine")})


def _inputs(recorded: pd.DataFrame, ground: pd.DataFrame, released: list, hazards: list = ()) -> VerificationInputs:
    _, lon, lat = row_mine_positions(recorded["start_longitude"], recorded["start_latitude"],
                                     recorded["bearing_deg"], recorded["mine_spacing_m"], recorded["mine_count"])
    perimeter = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").union_all().convex_hull.buffer(
        10 * M_LAT)
    records = gpd.GeoDataFrame({"id": [1], "code": ["MR-1"], "admin_area_id": [None], "ap_count": [150],
                                "at_count": [25], "mine_models": ["PMN-2,POMZ-2M,TM-62M"]},
                               geometry=[perimeter], crs="EPSG:4326")
    outputs = gpd.GeoDataFrame({"outcome": ["cleared"] * len(released)}, geometry=released, crs="EPSG:4326")
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    suspected = gpd.GeoDataFrame({"hazard_class": ["sha"] * len(hazards)}, geometry=list(hazards), crs="EPSG:4326")
    return VerificationInputs(records, recorded, pd.DataFrame(columns=["record_id", "longitude", "latitude",
                                                                       "mine_model"]),
                              ground, outputs, empty, suspected,
                              pd.DataFrame(columns=["longitude", "latitude", "category", "admin_area_id"]),
                              gpd.GeoDataFrame({"id": [], "name": [], "reporting_order": []}, geometry=[],
                                               crs="EPSG:4326"),
                              {"PMN-2": "ap_mine", "POMZ-2M": "ap_mine", "TM-62M": "at_mine"})


def _area(east0: float, north0: float, east1: float, north1: float):  # noqa: ANN202
    return box(LON + east0 * M_LON, LAT + north0 * M_LAT, LON + east1 * M_LON, LAT + north1 * M_LAT)


ALL_WORKED = [_area(-700, -700, 1000, 800)]


def _verify(recorded: pd.DataFrame, ground: pd.DataFrame, released: list = ALL_WORKED,  # noqa: ANN202
            hazards: list = ()):
    (result,) = verify_records(_inputs(recorded, ground, released, hazards))
    return result


def test_accurate_record() -> None:
    belt = _belt()
    result = _verify(belt, _ground(belt))
    assert result.verification_class is RecordClass.ACCURATE
    assert result.metrics.match_before > 0.95


@pytest.mark.parametrize("east, north", [(180.0, -95.0), (-60.0, 310.0)])
def test_shifted_record_gives_the_reference_point_error(east: float, north: float) -> None:
    truth = _belt()
    recorded = _belt(east, north)  # the form's reference point was wrong by (east, north)
    result = _verify(recorded, _ground(truth))
    assert result.verification_class is RecordClass.SHIFTED
    # A fit a whole spacing (6 m) along the rows matches all but the row ends; the row ends decide (row_ends.py).
    assert result.fit.dx == pytest.approx(-east, abs=2) and result.fit.dy == pytest.approx(-north, abs=2)
    assert result.corrected_perimeter is None  # everything around it is already released: nothing left to propose


def test_shifted_record_gets_a_corrected_polygon_for_the_land_not_yet_cleared() -> None:
    truth, recorded = _belt(), _belt(200.0, 0.0)
    first_half = _ground(truth, keep=None)
    ground = first_half[(first_half["longitude"] - LON) / M_LON < 150]
    # The true field is cleared up to 150 m east; where the record puts its far end (300-500 m) was cancelled empty.
    result = _verify(recorded, ground, [_area(-50, -50, 150, 80), _area(300, -50, 600, 80)])
    assert result.verification_class is RecordClass.SHIFTED
    # To its true offset, not a spacing along the rows (5.9 m off before the row ends were compared).
    assert result.fit.dx == pytest.approx(-200, abs=2) and result.fit.dy == pytest.approx(0, abs=2)
    assert result.corrected_perimeter is not None
    bounds = result.corrected_perimeter.bounds
    assert (bounds[0] - LON) / M_LON == pytest.approx(150, abs=5)  # the proposal starts where clearance stopped


def test_partially_accurate_record() -> None:
    truth = _belt()
    recorded = truth.copy()
    recorded.loc[[0, 1], "mine_count"] = [25, 80]  # one row half copied, one row invented beyond its end
    recorded = recorded.drop(index=2)  # a forgotten row
    result = _verify(recorded, _ground(truth))
    assert result.verification_class is RecordClass.PARTIALLY_ACCURATE


def test_a_field_laid_across_the_record_does_not_make_it_partially_accurate() -> None:
    """Another field's AP rows (bearing 30°) cross the record's belt (bearing 90°), and their mines found at its
    field are not the record's: it left nothing out (crossing.py). A row it did leave out still counts against it."""
    truth, crossing = _belt(), _belt(100.0, -150.0, bearing=30.0, rows_towards=120.0).iloc[:3]
    ground = pd.concat([_ground(truth), _ground(crossing)], ignore_index=True)
    result = _verify(truth, ground)
    assert result.metrics.found_across_after > 20  # the crossing rows' mines at the field, between the rows
    assert result.verification_class is RecordClass.ACCURATE
    result = _verify(truth.drop(index=1), ground)  # the same ground, a row forgotten
    assert result.verification_class is RecordClass.PARTIALLY_ACCURATE


def test_inaccurate_record() -> None:
    truth = _belt()
    recorded = _belt(0.0, 0.0, bearing=140.0)  # the rows go elsewhere; the land they cross was cleared empty
    result = _verify(recorded, _ground(truth))
    assert result.verification_class is RecordClass.INACCURATE


def test_shifted_record_whose_true_field_is_unworked_is_not_verifiable() -> None:
    """Its written position was worked and found empty; the true field, 250 m east, is a suspected area nobody has
    worked yet: wrong as written, but it may be a correctable shift, so it is not called inaccurate."""
    truth, recorded = _belt(250.0, 0.0), _belt()
    written_land = _area(-60, -60, 360, 110)  # around where the record puts its mines: cleared, nothing found
    suspected = _area(190, -60, 650, 110)  # the true field's hazard area, not yet worked
    result = _verify(recorded, _ground(truth).iloc[:0], [written_land], hazards=[suspected])
    assert result.metrics.worked_before == result.metrics.recorded_mines  # all of it worked: evidence as written
    assert result.metrics.hiding_placements > 0
    assert result.verification_class is RecordClass.NOT_VERIFIABLE


def test_same_record_with_its_surroundings_worked_and_empty_is_inaccurate() -> None:
    """The same record, but the suspected area around it and everything within the search radius (600 m) was
    released and held no mines: no shifted copy can hide, so the record is inaccurate."""
    recorded = _belt()
    surroundings = _area(-700, -700, 1000, 800)
    result = _verify(recorded, _ground(recorded).iloc[:0], [surroundings], hazards=[_area(190, -60, 650, 110)])
    # Every placement of the disc was tried: about π (600 m / cell)² of them (2,821 at 20 m cells).
    assert result.metrics.hiding_placements == 0
    assert result.metrics.search_placements >= 0.99 * np.pi * (600 / SEARCH_CELL_M) ** 2
    assert result.verification_class is RecordClass.INACCURATE


def test_suspected_land_beyond_the_search_radius_hides_nothing() -> None:
    recorded = _belt()
    far = _area(1500, -60, 1900, 110)  # a hazard 1.2 km beyond the record's far end: no shift reaches it
    result = _verify(recorded, _ground(recorded).iloc[:0], [_area(-60, -60, 360, 110)], hazards=[far])
    assert result.metrics.hiding_placements == 0
    assert result.verification_class is RecordClass.INACCURATE


def test_record_on_land_nobody_worked_is_not_verifiable() -> None:
    truth = _belt()
    result = _verify(truth, _ground(truth).iloc[:0], released=[_area(2000, 2000, 2100, 2100)])
    assert result.verification_class is RecordClass.NOT_VERIFIABLE


def _strips(east0: float, east1: float, north0: float, north1: float, every: float = 70.0, wide: float = 10.0) -> list:
    """Survey lanes across a hazard: strips `wide` metres wide every `every` metres, released."""
    return [_area(e, north0, e + wide, north1) for e in np.arange(east0, east1, every)]


def test_copies_contradicted_by_the_lanes_already_worked_hide_nothing() -> None:
    """Written position cleared and empty; the suspected area 250 m east was worked in lanes (too little anywhere
    for a copy to be judged there) and they held no mines: every copy on it would have some twenty mines on worked,
    empty land, so none can hide there, and the record is inaccurate."""
    recorded = _belt()
    written_land = _area(-60, -60, 360, 110)
    suspected = _area(190, -60, 650, 110)
    result = _verify(recorded, _ground(recorded).iloc[:0], [written_land, *_strips(365, 650, -60, 110)],
                     hazards=[suspected])
    assert result.metrics.hiding_placements == 0
    assert result.verification_class is RecordClass.INACCURATE


def test_a_copy_whose_lanes_found_its_mines_still_hides() -> None:
    """The same lanes, but the true field lies under them and its mines were found in them: the copy at the true
    position is not contradicted (too little of it worked to judge it there), so the record is not called wrong."""
    truth, recorded = _belt(250.0, 0.0), _belt()
    lanes = _strips(365, 650, -60, 110)
    ground = _ground(truth)
    east = (ground["longitude"] - LON) / M_LON
    on_lanes = np.zeros(len(ground), bool)
    for e in np.arange(365, 650, 70.0):
        on_lanes |= (east >= e) & (east <= e + 10)
    written_land = _area(-60, -60, 220, 110)  # most of the written position, clear of the true field (250-544 m)
    result = _verify(recorded, ground[on_lanes], [written_land, *lanes], hazards=[_area(190, -60, 650, 110)])
    assert result.metrics.worked_before >= 100  # enough evidence as written: judged wrong there
    assert result.verification_class is RecordClass.NOT_VERIFIABLE
    assert result.metrics.hiding_placements > 0


def test_a_field_of_the_same_pattern_beyond_the_search_radius_is_not_a_shift() -> None:
    """The written position was worked and found empty; a field laid exactly to the record's pattern lies 700 m away
    (560 m east, 420 m north: inside the vote's square grid, beyond its 600 m radius). A reference point that far off
    is not sought (verify.DEFAULT_MAX_SHIFT_M): the record describes other ground, and nothing found nearer fits it."""
    recorded = _belt()
    result = _verify(recorded, _ground(_belt(560.0, 420.0)))
    assert result.metrics.worked_before == result.metrics.recorded_mines
    assert result.fit.shift_m <= 600.0
    assert result.verification_class is RecordClass.INACCURATE
    # Within the radius the same field is the record's, shifted.
    nearer = _verify(recorded, _ground(_belt(400.0, 300.0)))
    assert nearer.verification_class is RecordClass.SHIFTED
    assert nearer.fit.dx == pytest.approx(400.0, abs=2) and nearer.fit.dy == pytest.approx(300.0, abs=2)
