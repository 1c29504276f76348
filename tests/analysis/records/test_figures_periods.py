"""Where and when the records were no guide: district-quarters whose mines found and mine incidents all lay outside
every record, on hand-built inputs (two districts, one record)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from demine.analysis.records.figures import PeriodWithoutRecords, figures_of_classes
from demine.analysis.records.inputs import VerificationInputs

WEST, EAST = box(46.0, 40.0, 46.5, 40.5), box(46.5, 40.0, 47.0, 40.5)  # districts 1 and 2
RECORD = box(46.10, 40.10, 46.12, 40.12)  # in district 1


def _inputs(mines: list[tuple[float, float, dt.date]], incidents: list[tuple[float, float, str, dt.date]]):  # noqa: ANN202
    records = gpd.GeoDataFrame({"id": [1], "code": ["MR-1"], "admin_area_id": [1], "ap_count": [10],
                                "at_count": [0], "mine_models": ["PMN-2"]}, geometry=[RECORD], crs="EPSG:4326")
    found = pd.DataFrame({"longitude": [m[0] for m in mines], "latitude": [m[1] for m in mines],
                          "category": "ap_mine", "model": "PMN-2", "found_date": [m[2] for m in mines]})
    harm = pd.DataFrame({"longitude": [i[0] for i in incidents], "latitude": [i[1] for i in incidents],
                         "category": [i[2] for i in incidents], "admin_area_id": None,
                         "incident_date": [i[3] for i in incidents]})
    districts = gpd.GeoDataFrame({"id": [1, 2], "name": ["Westdistrict", "Eastdistrict"], "reporting_order": [1, 2]},
                                 geometry=[WEST, EAST], crs="EPSG:4326")
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    return VerificationInputs(records, pd.DataFrame(), pd.DataFrame(), found, empty, empty, empty, harm, districts,
                              {"PMN-2": "ap_mine"})


def test_quarters_whose_finds_and_incidents_all_lie_outside_every_record_are_named() -> None:
    inputs = _inputs(
        mines=[(46.11, 40.11, dt.date(2024, 2, 3)), (46.111, 40.111, dt.date(2024, 3, 30)),  # inside MR-1, Q1
               (46.30, 40.30, dt.date(2024, 1, 15)),  # outside, but the quarter had finds inside a record
               (46.30, 40.30, dt.date(2024, 5, 2)),  # outside, Q2: no record covered anything that quarter
               (46.80, 40.20, dt.date(2024, 2, 9))],  # the east district has no record at all
        incidents=[(46.20, 40.20, "ap_mine", dt.date(2023, 11, 5)),  # a mine incident outside, 2023-Q4
                   (46.80, 40.30, "uxo", dt.date(2023, 11, 5))])  # not a mine: not counted
    figures = figures_of_classes(inputs, ["accurate"], [1])
    assert figures.periods_without_records == [
        PeriodWithoutRecords("Eastdistrict", "2024-Q1", 1, 0),
        PeriodWithoutRecords("Westdistrict", "2023-Q4", 0, 1),
        PeriodWithoutRecords("Westdistrict", "2024-Q2", 1, 0),
    ]
    assert figures.districts_without_records == ["Eastdistrict"]


def test_no_finds_and_no_incidents_name_no_period() -> None:
    figures = figures_of_classes(_inputs(mines=[], incidents=[]), ["accurate"], [1])
    assert figures.periods_without_records == []
