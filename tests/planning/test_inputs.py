"""What the planner reads from the register, the same on SQLite and PostGIS, and as it stood at a cut-off date."""

from __future__ import annotations

import datetime as dt

import pytest

from plan_programme import AS_OF, load_programme
from demine.planning.inputs import load_planning_inputs


def test_inputs_on_each_backend(register, tmp_path) -> None:  # type: ignore[no-untyped-def]
    load_programme(register, tmp_path / "programme")
    with register.reading() as connection:
        inputs = load_planning_inputs(connection, as_of=AS_OF)
        before = load_planning_inputs(connection, as_of=dt.date(2024, 8, 1))
    hazards = inputs.hazards.set_index("code")
    assert set(inputs.open_hazards()["code"]) == {"HA-1", "HA-2", "HZ-CAS", "HZ-PRJ", "HZ-VIL", "HZ-FARM", "HZ-NONE"}
    # HA-1 (200 m square) had 50 x 50 cleared and 50 x 50 reduced on 4 August 2024; nothing before.
    assert hazards.loc["HA-1", "released_m2"] == pytest.approx(5000, rel=0.02)
    assert hazards.loc["HA-1", "remaining_m2"] == pytest.approx(35_000, rel=0.02)
    assert before.hazards.set_index("code").loc["HA-1", "released_m2"] == 0
    assert hazards.loc["HZ-CAS", "district"] == "Aghdam" and hazards.loc["HZ-CAS", "area_m2"] == pytest.approx(
        40_000, rel=0.02)
    # Metric coordinates: HZ-FARM lies 8 km east of HA-1's corner.
    assert hazards.loc["HZ-FARM", "x"] - hazards.loc["HA-1", "x"] == pytest.approx(8000, rel=0.02)
    assert len(inputs.incidents) == 3 and len(inputs.projects) == 3 and list(inputs.teams["code"]) == ["OP1-M1"]
    assert inputs.team_weeks[["method", "activity_type", "hazard_type"]].values.tolist() == [
        ["manual", "clearance", "minefield"]]
    assert sorted(inputs.outputs["outcome"]) == ["cleared", "reduced"]
    # Reported after the cut-off: not seen.
    early = load_planning_inputs(register.engine.connect(), as_of=dt.date(2021, 2, 15))
    assert list(early.hazards["code"]) == ["HA-1"]
