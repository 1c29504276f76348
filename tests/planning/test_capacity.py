"""Capacity: defaults, what is learned from the register's progress reports and outputs, and the user's overrides."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
    assert capacity.rate("manual", "clearance", "minefield") == pytest.approx(np.median(rates))
    assert capacity.rate("manual", "clearance", "battle_area") == 400.0  # not learned: default
    assert capacity.shares("battle_area") == pytest.approx((0.75, 0.15))
    assert capacity.shares("minefield") == (0.15, 0.6)  # no fully worked minefield: default
    # 55 working days in the last 52 weeks for the one team: 1.06 a week, 1.12 outside the winter reductions.
    lowland = (0.8 + 0.7 + 0.8 + 9) / 12
    assert capacity.days_per_week == pytest.approx(55 / 52 / lowland, rel=0.01)


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
