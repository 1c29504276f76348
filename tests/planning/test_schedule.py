"""Each scheduling constraint on small hand-built cases (plain tables), for the CP-SAT plan and the greedy ranking."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from demine.planning.capacity import Season
from demine.planning.cpsat import optimised_schedule
from demine.planning.dispatch import dispatch_schedule
from demine.planning.evaluate import hazard_finish, measure
from demine.planning.greedy import greedy_schedule
from demine.planning.work import build_problem
from plan_cases import START, capacity, hazards

SOLVERS = {"greedy": greedy_schedule, "dispatch": dispatch_schedule,
           "cp-sat": lambda p: optimised_schedule(p, seconds_per_window=1.0),
           "cp-sat unpriced": lambda p: optimised_schedule(p, seconds_per_window=1.0, capacity_price=False)}


def _no_overlap(problem, plan) -> None:
    for team in range(len(problem.teams)):
        mine = np.flatnonzero(plan.team == team)
        order = mine[np.argsort(plan.start[mine])]
        assert (plan.start[order][1:] >= plan.finish[order][:-1] - 1e-9).all()


@pytest.mark.parametrize("solver", SOLVERS)
def test_methods_allowed_per_hazard_type(solver: str) -> None:
    # Minefield clearance by hand or dogs only: the machine next door never clears it, the far manual team does.
    methods = {"minefield": {"clearance": ("manual",)}, "battle_area": {"clearance": ("mechanical",)}}
    cap = capacity([("MECH", "mechanical", 0, 0), ("MAN", "manual", 20_000, 0)], methods=methods)
    problem = build_problem(hazards([{"code": "MF", "remaining_m2": 20_000, "score": 50, "x": 100, "y": 0},
                                     {"code": "BA", "remaining_m2": 20_000, "score": 10, "x": 200, "y": 0,
                                      "hazard_type": "battle_area"}]), cap, start=START, weeks=26)
    plan = SOLVERS[solver](problem)
    teams = problem.teams["code"].to_numpy()
    minefield = problem.chunk_hazard == list(problem.hazards["code"]).index("MF")
    assert set(teams[plan.team[minefield]]) == {"MAN"}
    assert set(teams[plan.team[~minefield]]) == {"MECH"}
    _no_overlap(problem, plan)


@pytest.mark.parametrize("solver", SOLVERS)
def test_reach_and_travel_from_the_base(solver: str) -> None:
    cap = capacity([("NEAR", "manual", 0, 0), ("FAR", "manual", 80_000, 0)], max_km=50, mobilisation_km=10)
    problem = build_problem(hazards([{"code": "H", "remaining_m2": 10_000, "score": 50, "x": 30_000, "y": 0},
                                     {"code": "OUT", "remaining_m2": 10_000, "score": 90, "x": -60_000, "y": 0}]),
                            cap, start=START, weeks=26, chunk_days=5)
    # Effort = area / rate + one working day per 10 km from the base; beyond 50 km: not allowed.
    h = list(problem.hazards["code"]).index("H")
    first = np.flatnonzero(problem.chunk_hazard == h)[0]
    assert problem.effort[first, 0] == pytest.approx(problem.chunk_area[first] / 1000 + 3.0)
    assert problem.effort[first, 1] == pytest.approx(problem.chunk_area[first] / 1000 + 5.0)
    assert np.isinf(problem.effort[problem.chunk_hazard == list(problem.hazards["code"]).index("OUT")]).all()
    plan = SOLVERS[solver](problem)
    out = problem.chunk_hazard == list(problem.hazards["code"]).index("OUT")
    assert (plan.team[out] == -1).all() and (plan.team[~out] >= 0).all()
    # The near team saves travel: it takes the larger share of the work.
    assert (plan.team[~out] == 0).sum() >= (plan.team[~out] == 1).sum()


@pytest.mark.parametrize("solver", SOLVERS)
def test_no_work_in_the_mountain_winter(solver: str) -> None:
    winter = [Season("mountain", ("Kalbajar",), {12: 0.0, 1: 0.0, 2: 0.0})]
    cap = capacity([("T", "manual", 0, 0)], seasons=winter)
    start = dt.date(2025, 11, 3)
    problem = build_problem(hazards([{"code": "K", "remaining_m2": 40_000, "score": 50, "x": 0, "y": 0,
                                      "district": "Kalbajar"}]), cap, start=start, weeks=30, chunk_days=10)
    plan = SOLVERS[solver](problem)
    assert (plan.team >= 0).all()
    calendar = problem.calendar
    # 40 working days: 4 weeks of November, then nothing until March.
    finish = calendar.date_of(hazard_finish(problem, plan)[0])
    assert finish >= dt.date(2026, 3, 1)
    for s, f in zip(plan.start, plan.finish):
        worked = calendar.days_before(0, np.array([f])) - calendar.days_before(0, np.array([s]))
        assert worked[0] == pytest.approx(problem.effort[0, 0], rel=1e-5)  # chunks are equal
        assert not (dt.date(2025, 12, 1) <= calendar.date_of(s) < dt.date(2026, 2, 23))


@pytest.mark.parametrize("solver", SOLVERS)
def test_survey_then_technical_survey_then_clearance(solver: str) -> None:
    cap = capacity([("S", "survey", 0, 0), ("M", "mechanical", 0, 0), ("H", "manual", 0, 0)], shares=(0.3, 0.3))
    problem = build_problem(hazards([{"code": "A", "remaining_m2": 30_000, "score": 50, "x": 0, "y": 0}]), cap,
                            start=START, weeks=52, chunk_days=3)
    plan = SOLVERS[solver](problem)
    assert (plan.team >= 0).all()
    for stage in (1, 2):
        assert plan.start[problem.chunk_stage == stage].min() >= plan.finish[problem.chunk_stage < stage].max() - 1e-9
    assert set(problem.teams["method"].to_numpy()[plan.team[problem.chunk_stage == 0]]) == {"survey"}


def test_project_deadline_met_by_cp_sat_not_by_greedy() -> None:
    # One team, three weeks of work each. The higher score has no deadline; the road's hazard must be released
    # within four weeks. Greedy follows the ranking and misses the deadline; the plan puts the road first.
    cap = capacity([("T", "manual", 0, 0)])
    deadline = START + dt.timedelta(weeks=4)
    problem = build_problem(hazards([
        {"code": "HIGH", "remaining_m2": 15_000, "score": 80, "x": 0, "y": 0},
        {"code": "ROAD", "remaining_m2": 15_000, "score": 20, "x": 0, "y": 0, "deadline": deadline,
         "projects": "PRJ-ROAD"}]), cap, start=START, weeks=26, chunk_days=5)
    greedy, optimised = greedy_schedule(problem), optimised_schedule(problem, seconds_per_window=1.0)
    road = list(problem.hazards["code"]).index("ROAD")
    assert problem.calendar.date_of(hazard_finish(problem, optimised)[road]) <= deadline
    assert problem.calendar.date_of(hazard_finish(problem, greedy)[road]) > deadline
    assert measure(problem, optimised).projects_on_time == 1 and measure(problem, greedy).projects_on_time == 0


def _binding_programme():  # type: ignore[no-untyped-def]
    """A random programme with more work than three quarters of a year of capacity."""
    rng = np.random.default_rng(7)
    rows = [{"code": f"H{i:03d}", "remaining_m2": float(rng.lognormal(11, 1)), "score": float(rng.uniform(0, 100)),
             "x": float(rng.uniform(0, 60_000)), "y": float(rng.uniform(0, 60_000)),
             "hazard_type": "minefield" if rng.random() < 0.5 else "battle_area"} for i in range(60)]
    teams = [(f"T{k}", m, float(rng.uniform(0, 60_000)), float(rng.uniform(0, 60_000)))
             for k, m in enumerate(["survey", "mechanical", "manual", "manual", "mechanical", "manual"])]
    rates = {("survey", "nts"): 20_000, ("mechanical", "ts"): 6_000, ("mechanical", "clearance"): 3_000,
             ("manual", "clearance"): 400}
    cap = capacity(teams, rates=rates, shares=(0.5, 0.3), max_km=60)
    return build_problem(hazards(rows), cap, start=START, weeks=39, chunk_days=5)


def test_plan_releases_more_priority_weighted_land_than_greedy_when_capacity_binds() -> None:
    problem = _binding_programme()  # the plan packs the teams' days
    greedy = measure(problem, greedy_schedule(problem))
    optimised = measure(problem, optimised_schedule(problem, seconds_per_window=1.0))
    assert greedy.released_m2 < problem.chunk_area.sum()  # capacity binds
    assert optimised.weighted_release > greedy.weighted_release


def test_cli_schedule_writes_table_gantt_and_map(planning_register, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pandas as pd

    from demine.cli import run

    out, gantt, picture = tmp_path / "plan.csv", tmp_path / "gantt.svg", tmp_path / "map.png"
    assert run(["--db", planning_register.location, "plan", "schedule", "--as-of", "2024-09-01", "--years", "1",
                "--seconds-per-window", "0.5", "--add-teams", "1:mechanical", "--add-teams", "1:survey", "--out", str(out), "--gantt",
                str(gantt), "--map", str(picture)]) == 0
    table = pd.read_csv(out)
    assert {"team", "hazard", "stage", "start", "finish", "area_m2"} <= set(table.columns)
    assert set(table["team"]) == {"OP1-M1", "ADDED-MECHANICAL-001", "ADDED-SURVEY-001"}
    assert gantt.read_text().startswith("<?xml") and picture.read_bytes()[:4] == b"\x89PNG"


def test_land_already_released_and_closed_stages() -> None:
    # A 10 ha battle area, shares 50% cancelled / 30% reduced: 2 ha already cancelled, then TS began, so survey is
    # over; the 8 ha left go to TS and clearance in proportion to their shares (3:2).
    cap = capacity([("T", "manual", 0, 0)], shares=(0.5, 0.3))
    table = hazards([{"code": "A", "remaining_m2": 80_000, "score": 10, "x": 0, "y": 0, "area_m2": 100_000,
                      "cancelled_m2": 20_000, "reduced_m2": 0.0, "cleared_m2": 0.0, "nts_closed": True,
                      "ts_closed": False}])
    problem = build_problem(table, cap, start=START, weeks=10, chunk_days=1000)
    by_stage = {int(s): problem.chunk_area[problem.chunk_stage == s].sum() for s in np.unique(problem.chunk_stage)}
    assert by_stage == pytest.approx({1: 48_000, 2: 32_000})


def test_dispatch_leaves_no_team_idle_while_work_waits() -> None:
    # Two hazards for one survey team and one manual team: the ranking list puts the manual team's clearance of the
    # first hazard after its survey; meanwhile the second hazard (surveyed already) is cleared at once.
    cap = capacity([("S", "survey", 0, 0), ("M", "manual", 0, 0)], shares=(0.5, 0.0),
                   methods={"minefield": {"nts": ("survey",), "clearance": ("manual",)},
                            "battle_area": {"clearance": ("manual",)}})
    done = {"reduced_m2": 0.0, "cleared_m2": 0.0, "ts_closed": False}
    table = hazards([{"code": "FIRST", "remaining_m2": 20_000, "score": 90, "x": 0, "y": 0, "area_m2": 20_000,
                      "cancelled_m2": 0.0, "nts_closed": False, **done},
                     {"code": "SECOND", "remaining_m2": 5_000, "score": 10, "x": 0, "y": 0, "area_m2": 10_000,
                      "cancelled_m2": 5_000, "nts_closed": True, "hazard_type": "battle_area", **done}])
    problem = build_problem(table, cap, start=START, weeks=26, chunk_days=50)
    plan = dispatch_schedule(problem)
    second = problem.chunk_hazard == list(problem.hazards["code"]).index("SECOND")
    assert plan.start[second].min() == 0.0  # the manual team starts at once on the second hazard
    assert (plan.team >= 0).all()
    _no_overlap(problem, plan)


def test_window_charges_days_at_the_marginal_price() -> None:
    """The price is the gain per day of the best ordinary chunk the fill had no days for; deadline chunks do not set
    it; with nothing short of days, days are free."""
    from demine.planning.cpsat import _charged

    gain = np.array([[100, 90], [60, 0], [60, 0], [30, 0], [5000, 0]], dtype=np.int64)
    cost = np.array([[10, 12], [3, 0], [3, 0], [4, 0], [1, 0]], dtype=np.int64)
    valid = np.array([[True, True], [True, False], [True, False], [True, False], [True, False]])
    urgent = np.array([False, False, False, False, True])
    charged = _charged(gain, cost, valid, np.array([0, 4]), urgent)  # A and the deadline chunk were short of days
    assert charged.tolist() == [[0, -30], [30, 0], [30, 0], [-10, 0], [4990, 0]]  # price 10 a day (A's 100 / 10)
    assert (_charged(gain, cost, valid, np.array([], dtype=np.int64), urgent) == gain).all()
    assert (_charged(gain, cost, valid, np.array([4]), urgent) == gain).all()


def test_unpriced_plan_releases_more_than_greedy_when_capacity_binds() -> None:
    problem = _binding_programme()
    greedy = measure(problem, greedy_schedule(problem))
    unpriced = optimised_schedule(problem, seconds_per_window=1.0, capacity_price=False)
    _no_overlap(problem, unpriced)
    assert measure(problem, unpriced).weighted_release > greedy.weighted_release
