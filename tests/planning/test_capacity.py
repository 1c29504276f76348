"""Capacity: defaults, what is learned from the register's progress reports and outputs, and the user's overrides."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from demine.errors import DemineError, ValidationFailed
from plan_programme import AS_OF
from demine.planning.capacity import add_teams, build_capacity


def test_defaults_where_the_register_has_too_few_reports(planning_inputs) -> None:
    capacity = build_capacity(planning_inputs)
    # The programme has one manual progress report: below min_reports, the default applies.
    assert capacity.rate("manual", "clearance", "minefield") == 400.0
    assert capacity.season_factor("Kalbajar", 1) == 0.0 and capacity.season_factor("Aghdam", 1) == 0.7
    assert capacity.season_factor("Aghdam", 6) == 1.0
    assert capacity.allowed("minefield", "clearance") == ("manual", "dogs")
    assert list(capacity.teams["code"]) == ["OP1-M1"]


def test_productivity_and_release_shares_learned_from_the_register(planning_inputs) -> None:
    # Eleven weeks of a manual team on minefields at 300-500 m² a day; one fully worked battle area.
    rng = np.random.default_rng(3)
    rates = rng.uniform(300, 500, 11)
    weeks = pd.DataFrame({"team": "OP1-M1", "method": "manual", "activity_type": "clearance",
                          "hazard_type": "minefield", "district": "Aghdam",
                          "period_start": [AS_OF - dt.timedelta(weeks=44 - 4 * k) for k in range(11)],
                          "area_worked_m2": rates * 5, "days": 5})
    hazards = planning_inputs.hazards.copy()
    hazards.loc[hazards["code"] == "HZ-FARM", ["open", "released_m2"]] = [False, 40_000.0]
    outputs = pd.DataFrame({"hazard": "HZ-FARM", "hazard_type": "battle_area", "district": "Aghdam",
                            "outcome": ["cancelled", "reduced", "cleared"], "release_date": None,
                            "area_m2": [30_000.0, 6_000.0, 4_000.0]})
    inputs = replace(planning_inputs, team_weeks=weeks, hazards=hazards, outputs=outputs)
    capacity = build_capacity(inputs)
    # The median pace, scaled so that with the team's own pace the model gives the land of the reports over their
    # days: their mean pace (5 days each).
    factor = capacity.teams.set_index("code").loc["OP1-M1", "productivity_factor"]
    assert capacity.rate("manual", "clearance", "minefield") * factor == pytest.approx(np.mean(rates))
    assert capacity.rate("manual", "clearance", "battle_area") == 400.0  # not learned: default
    assert capacity.shares("battle_area") == pytest.approx((0.75, 0.15))
    # The programme's minefield has had clearance begun, so its survey stages are over: with nothing cancelled or
    # reduced on it in these outputs, it teaches shares of nought.
    assert capacity.shares("minefield") == (0.0, 0.0)
    assert capacity.shares("cluster_strike") == (0.3, 0.6)  # none in the register: default
    # 55 working days in the last 52 weeks for the one team: 1.06 a week, 1.12 outside the winter reductions.
    lowland = (0.8 + 0.7 + 0.8 + 9) / 12
    assert capacity.days_per_week == pytest.approx(55 / 52 / lowland, rel=0.01)


@settings(max_examples=15, deadline=None,  # the fixture is only read
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["T1", "T2"]), st.sampled_from(["Aghdam", "Fuzuli"]),
                          st.floats(50.0, 2000.0), st.integers(1, 6)), min_size=45, max_size=80))
def test_pace_model_gives_the_land_reported(planning_inputs, reports) -> None:
    """Whatever the weekly paces (skewed, two teams, two districts), rate x terrain x team pace over the reported
    days adds up to the land reported: over years a forecast adds up totals, not typical weeks."""
    weeks = pd.DataFrame([("manual", "clearance", "minefield", team, district, AS_OF - dt.timedelta(weeks=k + 1),
                           pace * days, days) for k, (team, district, pace, days) in enumerate(reports)],
                         columns=["method", "activity_type", "hazard_type", "team", "district", "period_start",
                                  "area_worked_m2", "days"])
    teams = pd.concat([planning_inputs.teams.assign(code=code) for code in ("T1", "T2")], ignore_index=True)
    capacity = build_capacity(replace(planning_inputs, team_weeks=weeks, teams=teams))
    factor = capacity.teams.set_index("code")["productivity_factor"]
    modelled = sum(capacity.rate("manual", "clearance", "minefield") * capacity.terrain.get(d, 1.0)
                   * factor[team] * days for team, d, days in zip(weeks["team"], weeks["district"], weeks["days"]))
    assert modelled == pytest.approx(weeks["area_worked_m2"].sum(), rel=1e-9)
    assert capacity.rate("manual", "clearance", "battle_area") == 400.0  # not learned: the default, untouched


def test_release_shares_learned_from_every_hazard_whose_survey_is_over(planning_inputs) -> None:
    """Not only from the hazards fully worked: a small battle area finished early, mostly cancelled, would make the
    shares of the large open ones far too high (survivorship)."""
    base = planning_inputs.hazards.iloc[[0]]
    cases = [  # code, open, area, released, NTS finished, TS started, TS finished, clearance started, outputs
        ("HZ-DONE", False, 10_000, 10_000, True, True, True, True, (8_000, 1_000, 1_000)),
        ("HZ-CLEARING", True, 100_000, 42_000, True, True, True, True, (10_000, 27_000, 5_000)),
        ("HZ-IN-TS", True, 50_000, 8_000, True, True, False, False, (5_000, 3_000, 0)),
        ("HZ-WAITING", True, 40_000, 0, False, False, False, False, (0, 0, 0)),
    ]
    hazards = pd.concat([base] * len(cases), ignore_index=True)
    columns = ["code", "open", "area_m2", "released_m2", "nts_finished", "ts_started", "ts_finished",
               "clearance_started"]
    hazards[columns] = [list(c[:8]) for c in cases]
    hazards["hazard_type"] = "battle_area"
    hazards["nts_started"] = hazards["nts_finished"]
    outputs = pd.DataFrame([(c[0], "battle_area", "Aghdam", outcome, None, area) for c in cases
                            for outcome, area in zip(("cancelled", "reduced", "cleared"), c[8]) if area],
                           columns=["hazard", "hazard_type", "district", "outcome", "release_date", "area_m2"])
    capacity = build_capacity(replace(planning_inputs, hazards=hazards, outputs=outputs))
    # Survey is over on the first three (160,000 m²): 23,000 m² cancelled. TS is over on the first two: 28,000 m²
    # reduced of the 92,000 the survey left. The waiting hazard teaches nothing.
    cancelled = 23_000 / 160_000
    assert capacity.shares("battle_area") == pytest.approx((cancelled, (1 - cancelled) * 28_000 / 92_000))
    # From the finished hazard alone it would have been (0.8, 0.1): most of the land taken as cancelled.
    assert capacity.shares("battle_area")[0] < 0.2
    row = capacity.release.set_index("hazard_type").loc["battle_area"]
    assert row["source"] == "register" and row["evidence_m2"] == 160_000


def test_capacity_file_overrides_and_adds_teams(planning_inputs, tmp_path: Path) -> None:
    path = tmp_path / "capacity.toml"
    path.write_text("""
[productivity]
manual.clearance = 250.0
dogs.clearance.minefield = 1200.0

[release]
minefield = { cancelled = 0.5, reduced = 0.1 }

[travel]
max_distance_km = 40.0

[[seasons]]
name = "all year"
districts = ["*"]
months = {}

[[teams]]
code = "DOG"
organisation = "OP1"
method = "dogs"
base_longitude = 46.93
base_latitude = 40.03
count = 3
""")
    capacity = build_capacity(planning_inputs, path)
    assert capacity.rate("manual", "clearance", "minefield") == 250.0
    assert capacity.rate("dogs", "clearance", "minefield") == 1200.0
    assert capacity.shares("minefield") == (0.5, 0.1) and capacity.max_distance_m == 40_000
    assert capacity.season_factor("Kalbajar", 1) == 1.0
    assert list(capacity.teams["code"]) == ["OP1-M1", "DOG-001", "DOG-002", "DOG-003"]
    more = add_teams(capacity, "2:manual")
    assert list(more.teams["method"]).count("manual") == 3
    with pytest.raises(DemineError, match="N:method"):
        add_teams(capacity, "two manual teams")


@pytest.mark.parametrize("text, key", [
    ("[methods.minefield]\nclearance = ['robots']\n", "methods.minefield.clearance"),
    ("[release]\nminefield = { cancelled = 0.8, reduced = 0.5 }\n", "release.minefield.reduced"),
    ("[[seasons]]\ndistricts = ['*']\nmonths = { 13 = 0.5 }\n", "seasons[0].months.13"),
    ("[[teams]]\nmethod = 'manual'\nbase_longitude = 46.9\nbase_latitude = 140.0\n", "teams[0].base_latitude"),
    ("[calendar]\nworking_days_per_week = 8\n", "calendar.working_days_per_week"),
], ids=["method", "shares", "month", "latitude", "days"])
def test_bad_capacity_file_names_the_key(planning_inputs, tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "capacity.toml"
    path.write_text(text)
    with pytest.raises(ValidationFailed) as failure:
        build_capacity(planning_inputs, path)
    assert failure.value.issues[0].field == key and failure.value.issues[0].file == str(path)
