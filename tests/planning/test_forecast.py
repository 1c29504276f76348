"""Completion forecast on the hand-built programme: ranges ordered, what-if teams and projects, seeded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from demine.errors import ValidationFailed
from demine.planning.criteria import load_criteria
from demine.planning.forecast import forecast_completion
from demine.planning.plan import setup_from_inputs
from demine.planning.what_if import read_new_projects, with_projects
from register_files import square_wkt

TEAMS = ("1:survey", "1:mechanical")  # the programme has a manual team only: every stage needs its method


def _setup(inputs, *extra: str):  # type: ignore[no-untyped-def]
    return setup_from_inputs(inputs, criteria=load_criteria(), extra_teams=TEAMS + extra)


def test_forecast_range_and_more_teams_finish_sooner(planning_inputs) -> None:
    base = forecast_completion(_setup(planning_inputs), runs=12, seed=3)
    n = base.national
    assert n["p10"] <= n["p50"] <= n["p90"] and n["p10"] > planning_inputs.as_of
    assert set(base.districts["district"]) == {"Aghdam"}
    assert base.sentence() == (f"At the current capacity, the national task ends in {n['p50'].year} "
                               f"({n['p10'].year}-{n['p90'].year}).")
    assert base.released["p50_ha"].is_monotonic_increasing
    # Land released at the end equals the land to release (median run).
    total = planning_inputs.open_hazards()["remaining_m2"].sum() / 1e4
    assert base.released["p50_ha"].iloc[-1] == pytest.approx(total, abs=0.1)  # table rounds to 0.1 ha
    again = forecast_completion(_setup(planning_inputs), runs=12, seed=3)
    assert again.national == n  # seeded
    more = forecast_completion(_setup(planning_inputs, "4:manual", "2:mechanical", "1:survey"), runs=12, seed=3)
    assert more.national["p50"] < n["p50"]


def test_new_project_what_if(planning_inputs, tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    pd.DataFrame([{"code": "PRJ-SOLAR", "name": "Solar farm", "project_type": "solar_farm", "funding_usd": 5e7,
                   "funded": "true", "ready_date": "2025-01-01", "deadline": "2026-06-01", "beneficiaries": 0,
                   "wkt": square_wkt(7900, 7900, 400)}]).to_csv(path, index=False)
    before = _setup(planning_inputs)
    after = _setup(with_projects(planning_inputs, read_new_projects(path)))
    rank = lambda s: int(s.ranking.set_index("code").loc["HZ-NONE", "rank"])  # noqa: E731
    assert rank(after) < rank(before)
    forecast = forecast_completion(after, runs=5, seed=1)
    solar = forecast.projects.set_index("project").loc["PRJ-SOLAR"]
    assert solar["hazards"] == 1 and 0.0 <= solar["on_time_share"] <= 1.0


def test_bad_new_project_file(tmp_path: Path) -> None:
    path = tmp_path / "new.csv"
    path.write_text("code,name,project_type,deadline,wkt\nP1,Dam,dam,2026-13-01,POLYGON ((0 0))\n")
    with pytest.raises(ValidationFailed) as failure:
        read_new_projects(path)
    fields = {(i.row, i.field) for i in failure.value.issues}
    assert fields == {(2, "project_type"), (2, "deadline"), (2, "wkt")}


def test_cli_forecast(planning_register, tmp_path: Path) -> None:
    from demine.cli import run

    out, chart = tmp_path / "forecast.xlsx", tmp_path / "fan.png"
    assert run(["--db", planning_register.location, "plan", "forecast", "--as-of", "2024-09-01", "--runs", "4",
                "--add-teams", "1:survey", "--add-teams", "1:mechanical", "--out", str(out), "--chart",
                str(chart)]) == 0
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"districts", "projects", "released"}
    assert sheets["districts"]["district"].tolist()[-1] == "(national)" and chart.stat().st_size > 1000
    ranked = tmp_path / "ranked.csv"
    assert run(["--db", planning_register.location, "plan", "forecast", "--as-of", "2024-09-01", "--runs", "4",
                "--add-teams", "1:survey", "--add-teams", "1:mechanical", "--order", "ranking", "--out",
                str(ranked)]) == 0
    assert "(national)" in ranked.read_text()


def test_draws_have_their_own_streams(planning_inputs) -> None:
    """One hazard type's shares do not depend on which other types are drawn, nor on the pace draws; runs differ."""
    from demine.planning.forecast import PACE_DRAW, SHARES_DRAW, _draw_shares, draw_stream

    capacity = _setup(planning_inputs).capacity
    alone = _draw_shares(7, 0, capacity, ["minefield"])
    together = _draw_shares(7, 0, capacity, ["battle_area", "cluster_strike", "minefield"])
    assert alone["minefield"] == together["minefield"]
    assert _draw_shares(7, 1, capacity, ["minefield"]) != alone  # another run, another draw
    assert _draw_shares(8, 0, capacity, ["minefield"]) != alone  # another seed
    pace = draw_stream(7, 0, PACE_DRAW, "manual").normal()
    assert pace == draw_stream(7, 0, PACE_DRAW, "manual").normal()  # reproducible
    assert pace != draw_stream(7, 0, SHARES_DRAW, "manual").normal()  # kinds of draw do not share a stream
    assert pace != draw_stream(7, 0, PACE_DRAW, "mechanical").normal()
