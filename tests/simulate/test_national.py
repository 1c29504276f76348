"""Statistics of one national scenario (seed 1), measured from its files: the calibration targets of FACTS.md."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely

from demine.simulate import generate_scenario


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory):
    return generate_scenario(tmp_path_factory.mktemp("national"), scale="national", seed=1)


def _weekly_from_files(folder: Path) -> pd.DataFrame:
    """Weekly released hectares (outputs) and AP, AT and UXO (items), as the authority's statement adds them up."""
    outputs = pd.read_csv(folder / "outputs.csv", parse_dates=["release_date"])
    items = pd.read_csv(folder / "items.csv", parse_dates=["found_date"], usecols=["category", "found_date"])
    week = lambda d: d.dt.to_period("W-SUN")  # noqa: E731  Monday to Sunday, as the statements
    ha = outputs.groupby(week(outputs["release_date"]))["declared_area_m2"].sum() / 10_000
    group = items["category"].map({"ap_mine": "ap", "at_mine": "at"}).fillna("uxo")
    counts = items.groupby([week(items["found_date"]), group]).size().unstack(fill_value=0)
    return pd.concat([ha.rename("ha"), counts], axis=1).fillna(0)


def test_steady_weeks_look_like_the_statements(national) -> None:
    weekly = _weekly_from_files(national.out_dir)
    steady = weekly[weekly.index.start_time >= "2022-07-01"]  # after the ramp-up of the first 20 months
    assert len(steady) > 150
    median = steady.median()
    # FACTS.md statements: tens to low hundreds of AP and AT, hundreds to thousands of UXO, 1,100-2,800 ha.
    # Measured (seed 1): AP 169, AT 107, UXO 753, 1,214 ha.
    assert 30 <= median["ap"] <= 400 and 20 <= median["at"] <= 300
    assert 300 <= median["uxo"] <= 3_000
    assert 1_000 <= median["ha"] <= 2_800
    # Nearly every steady week, not only the median: measured all AP weeks in 45-406, all UXO weeks in 164-2,166.
    assert steady["ap"].between(20, 500).mean() > 0.95 and steady["at"].between(10, 400).mean() > 0.95
    assert steady["uxo"].between(100, 9_999).mean() > 0.95
    # The first year was slow: 6,286 ha cleared by Nov 2021; the ramp keeps the first 20 weeks far below steady.
    assert weekly["ha"].iloc[:20].mean() < 0.5 * median["ha"]


def test_items_found_by_may_2025_match_the_programme(national) -> None:
    """FACTS.md: by about May 2025, 36,904 AP, 21,778 AT and 137,772 UXO; 218,262 ha released by 31 Jul 2025."""
    weekly = _weekly_from_files(national.out_dir)
    found = weekly[weekly.index.end_time <= "2025-06-01"].sum()
    # Measured (seed 1): 33,557 AP, 21,304 AT, 131,070 UXO, 243,094 ha.
    for column, real in (("ap", 36_904), ("at", 21_778), ("uxo", 137_772)):
        assert 0.7 * real <= found[column] <= 1.3 * real, (column, found[column], real)
    assert 0.8 * 218_262 <= found["ha"] <= 1.3 * 218_262


def test_minefields_do_not_run_out(national) -> None:
    """About 1.5 million mines against ~58,000 found by 2025: the line's belts are far from worked out."""
    weekly = _weekly_from_files(national.out_dir)
    late = weekly[weekly.index.start_time >= "2025-01-01"]
    # Measured (seed 1): 2025 weeks find 101 AP at least, 267 in the median.
    assert late["ap"].min() >= 30 and late["ap"].median() >= 100 and late["at"].median() >= 30
    truth = pd.read_csv(national.truth_dir / "items.csv", usecols=["category", "found_date"])
    mines = truth[truth["category"].isin(["ap_mine", "at_mine"])]
    assert mines["found_date"].notna().mean() < 0.4  # measured 0.21 of 303,000 mines laid
    hazards = pd.read_csv(national.out_dir / "hazards.csv", usecols=["hazard_type", "work_status"])
    minefields = hazards[hazards["hazard_type"] == "minefield"]
    assert (minefields["work_status"] != "closed").mean() > 0.5  # measured 0.75


def test_records_remain_to_verify_and_most_were_worked(national) -> None:
    """Record verification (issue 5) needs records whose minefield was cleared on at least part of its area."""
    truth = pd.read_csv(national.truth_dir / "records.csv")
    assert 220 <= len(truth) <= 340  # measured 277
    activities = pd.read_csv(national.out_dir / "activities.csv", usecols=["code", "hazard_code"])
    outputs = pd.read_csv(national.out_dir / "outputs.csv", usecols=["activity_code", "outcome"])
    cleared = set(activities.set_index("code").loc[outputs.loc[outputs["outcome"] == "cleared", "activity_code"],
                                                   "hazard_code"])
    provenance = pd.read_csv(national.truth_dir / "hazards.csv").dropna(subset=["record_code"])
    worked = provenance.merge(truth, on="record_code").assign(worked=lambda f: f["hazard_code"].isin(cleared))
    by_class = worked.groupby("true_class")["worked"].mean()
    # Measured (seed 1): every accurate record's minefield worked, 78% of all records; a fictitious record's hazard is
    # cleared only where it happens to lie over a real field (18%): clearance finds whatever site's mines it meets.
    assert worked["worked"].mean() > 0.5 and by_class["accurate"] > 0.8 and by_class["fictitious"] < 0.3


def test_items_stay_in_the_low_hundreds_of_thousands(national) -> None:
    assert 100_000 <= national.counts["items"] <= 400_000


def test_quarter_of_records_accurate_and_most_incidents_off_the_records(national) -> None:
    truth = pd.read_csv(national.truth_dir / "records.csv")
    assert abs((truth["true_class"] == "accurate").mean() - 0.25) < 0.05
    records = pd.read_csv(national.out_dir / "records.csv")
    covered = shapely.union_all(shapely.from_wkt(records["wkt"].to_numpy()))
    incidents = pd.read_csv(national.out_dir / "incidents.csv")
    outside = 1 - shapely.contains_xy(covered, incidents["longitude"], incidents["latitude"]).mean()
    assert outside > 0.55


def test_no_records_where_none_were_supplied(national) -> None:
    sites = pd.read_csv(national.truth_dir / "sites.csv")
    truth = pd.read_csv(national.truth_dir / "records.csv").dropna(subset=["site_id"])
    districts = sites.set_index("site_id").loc[truth["site_id"].astype(int), "district"]
    assert not set(districts) & {"Khojavand", "Tartar"}
    kinds = sites.set_index("site_id").loc[truth["site_id"].astype(int), "kind"]
    assert "withdrawal" not in set(kinds)


def test_released_land_holds_no_mine_left_behind(national) -> None:
    """Land cancelled, reduced or cleared holds none of the emplaced items never found: whatever site's items a
    hazard's polygon reaches, survey and clearance meet them (record verification reads released land as evidence
    of absence)."""
    import geopandas as gpd

    items = pd.read_csv(national.truth_dir / "items.csv", usecols=["found_date", "longitude", "latitude"])
    left = items[items["found_date"].isna()]
    outputs = pd.read_csv(national.out_dir / "outputs.csv", usecols=["wkt"])
    released = gpd.GeoDataFrame(geometry=shapely.from_wkt(outputs["wkt"].to_numpy()), crs="EPSG:4326")
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(left["longitude"], left["latitude"]), crs="EPSG:4326")
    assert len(points) > 100_000  # most of what was laid is still in the ground
    assert len(gpd.sjoin(points, released, predicate="within")) == 0


def test_reports_are_sent_after_their_week_and_a_few_teams_are_late(national) -> None:
    reports = pd.read_csv(national.out_dir / "progress.csv", parse_dates=["period_end", "submitted_on"])
    delay = (reports["submitted_on"] - reports["period_end"]).dt.days
    assert delay.min() >= 0 and reports["submitted_on"].notna().all()
    late = delay > 3  # the full report's default due rule
    team = reports["activity_code"].map(
        pd.read_csv(national.out_dir / "activities.csv").set_index("code")["team_code"])
    late_share_by_team = late.groupby(team).mean()
    # Punctual teams send 95.5% within three days, tardy ones (a tenth) about 5 in 7 times late.
    assert 0.03 <= late.mean() <= 0.15
    assert (late_share_by_team > 0.4).sum() >= 1 and (late_share_by_team < 0.1).mean() > 0.7
