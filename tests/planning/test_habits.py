"""What the forecast learns from the register about how the programme works: seasons and terrain from the progress
reports, each team's stages and task in hand, whether teams share a hazard's stage, the capacity that goes to newly
reported hazards, and the order in which the programme takes hazards. All on small hand-built registers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from demine.planning.dispatch import dispatch_schedule
from demine.planning.forecast import _keep_to_own_stages, _ongoing_chunks
from demine.planning.habits import (ProgrammeHabits, new_work_share, ongoing_work, programme_order, stages_shared,
                                    team_stages)
from demine.planning.observed import learn_seasons, learn_terrain
from demine.planning.work import build_problem
from demine.planning.capacity import Season
from plan_cases import START, capacity, hazards

AS_OF = dt.date(2024, 1, 1)


def _weeks(district: str, months: list[int], days: float, *, team: str = "T1", rate: float = 400.0,
           per_month: int = 5, year: int = 2023) -> pd.DataFrame:
    """`per_month` team-weeks in each of `months`, `days` a week at `rate` m² a day."""
    rows = [(team, "manual", "clearance", "minefield", district, dt.date(year, m, 1 + k % 28), rate * days, days)
            for m in months for k in range(per_month)]
    return pd.DataFrame(rows, columns=["team", "method", "activity_type", "hazard_type", "district", "period_start",
                                       "area_worked_m2", "days"])


def test_seasons_observed_stop_where_no_winter_work_and_shorter_weeks_elsewhere() -> None:
    winter, rest = [12, 1, 2], [3, 4, 5, 6, 7, 8, 9, 10, 11]
    weeks = pd.concat([_weeks("Kalbajar", rest, 5.0, team="K", per_month=8),  # nothing in the mountain winter
                       _weeks("Aghdam", rest, 5.0, team="A", per_month=20),
                       _weeks("Aghdam", winter, 3.0, team="A", per_month=20)])
    seasons = learn_seasons(weeks)
    assert seasons is not None
    assert [seasons["Kalbajar"][m] for m in winter] == [0.0, 0.0, 0.0]
    assert seasons["Kalbajar"][6] == pytest.approx(1.0)
    # Aghdam's winter weeks have 3 days of the best month's 5: 0.6, exactly (its own and the national figure agree).
    assert seasons["Aghdam"][1] == pytest.approx(0.6) and seasons["*"][1] == pytest.approx(0.6)
    assert seasons["*"][7] == pytest.approx(1.0)


def test_seasons_need_reports_in_every_month() -> None:
    assert learn_seasons(_weeks("Aghdam", list(range(1, 12)), 5.0, per_month=20)) is None  # no December at all
    assert learn_seasons(_weeks("Aghdam", list(range(1, 13)), 5.0, per_month=10)) is None  # too few a month


def test_terrain_learned_from_the_same_teams_slower_in_one_district() -> None:
    weeks = pd.concat([_weeks("Aghdam", list(range(1, 13)), 5.0, team="T1", rate=400.0, per_month=3),
                       _weeks("Kalbajar", list(range(1, 13)), 5.0, team="T1", rate=200.0, per_month=3),
                       _weeks("Fuzuli", [5], 5.0, team="T2", rate=200.0, per_month=3)])
    terrain = learn_terrain(weeks)
    # T1 works at half its Aghdam pace in Kalbajar (36 reports each): each is off the team's median by a factor of
    # 1.41, shrunk towards 1 by 20 reports' weight (to 1.25 and 0.80); too few reports in Fuzuli.
    assert terrain["Kalbajar"] == pytest.approx(2 ** (-0.5 * 36 / 56))
    assert terrain["Aghdam"] == pytest.approx(2 ** (0.5 * 36 / 56))
    assert "Fuzuli" not in terrain


@settings(max_examples=25, deadline=None)
@given(st.floats(0.3, 3.0), st.integers(20, 80))
def test_terrain_factor_between_the_observed_ratio_and_one(ratio: float, reports: int) -> None:
    weeks = pd.concat([_weeks("Aghdam", [3], 5.0, rate=400.0, per_month=reports),
                       _weeks("Lachin", [4], 5.0, rate=400.0 * ratio, per_month=reports)])
    terrain = learn_terrain(weeks)
    # The team's median lies halfway between its two paces: each district is off it by half the ratio, in opposite
    # directions, and shrunk towards 1.
    assert min(1.0, ratio) - 1e-9 <= terrain["Lachin"] <= max(1.0, ratio) + 1e-9
    assert terrain["Lachin"] * terrain["Aghdam"] == pytest.approx(1.0)


def _activities(rows: list[tuple[str, str, str, str, dt.date, dt.date | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["code", "team", "hazard", "activity_type", "start_date", "end_date"])


def test_team_stages_ongoing_work_and_shared_stages() -> None:
    weeks = pd.concat([_weeks("Aghdam", [3], 5.0, team="MECH-TS").assign(activity_type="ts"),
                       _weeks("Aghdam", [4], 5.0, team="DOG").assign(activity_type="ts"),
                       _weeks("Aghdam", [5], 5.0, team="DOG").assign(activity_type="clearance"),
                       _weeks("Aghdam", [5], 5.0, team="NEW", per_month=2)])
    stages = team_stages(weeks)
    assert stages == {"MECH-TS": frozenset({("ts", "minefield")}),  # NEW: too few reports
                      "DOG": frozenset({("ts", "minefield"), ("clearance", "minefield")})}
    d = dt.date(2023, 6, 1)
    activities = _activities([("A1", "T1", "H1", "ts", d, d + dt.timedelta(days=30)),
                              ("A2", "T1", "H2", "bac", d + dt.timedelta(days=40), None),
                              ("A3", "T2", "H3", "nts", d, None)])
    assert ongoing_work(activities) == {"T1": ("H2", "clearance"), "T2": ("H3", "nts")}
    # 40 activities of one stage of a hazard each, one after the other: not shared; then all at the same time.
    one_by_one = _activities([(f"A{k}", "T1", f"H{k % 4}", "ts", d + dt.timedelta(days=10 * k),
                               d + dt.timedelta(days=10 * k + 9)) for k in range(40)])
    assert not stages_shared(one_by_one, AS_OF)
    together = one_by_one.assign(start_date=d, end_date=d + dt.timedelta(days=60))
    assert stages_shared(together, AS_OF)


def test_new_work_share(planning_inputs) -> None:
    d = AS_OF - dt.timedelta(days=300)
    hazards = planning_inputs.hazards.copy()
    hazards["reported_date"] = dt.date(2020, 1, 1)
    hazards.loc[hazards["code"] == "HZ-NONE", "reported_date"] = d - dt.timedelta(days=10)  # reported in the year
    weeks = pd.DataFrame({"team": "T1", "method": "manual", "activity_type": "clearance",
                          "hazard": ["HZ-NONE"] * 3 + ["HZ-CAS"] * 9, "hazard_type": "minefield",
                          "district": "Aghdam", "period_start": [d + dt.timedelta(weeks=k) for k in range(12)],
                          "area_worked_m2": 2000.0, "days": 5})
    weeks.loc[0, "period_start"] = AS_OF - dt.timedelta(days=400)  # a year and more ago: not in the share
    inputs = replace(planning_inputs, as_of=AS_OF, hazards=hazards, team_weeks=weeks)
    assert new_work_share(inputs) == pytest.approx(2 / 11)


def test_programme_order_learned_from_the_choices(planning_inputs) -> None:
    """60 hazards reported together; the programme began them one a week in order of expected beneficiaries, which
    the priority score does not follow: the learned order does."""
    rng = np.random.default_rng(5)
    n = 60
    beneficiaries = rng.permutation(np.arange(100, 100 + 20 * n, 20))
    codes = [f"H{k:02d}" for k in range(n)]
    hazards = pd.DataFrame({"code": codes, "hazard_type": "minefield", "area_m2": 10_000.0,
                            "reported_date": dt.date(2022, 1, 3), "expected_beneficiaries": beneficiaries})
    order = np.argsort(-beneficiaries)
    first = dt.date(2022, 2, 7)
    activities = _activities([(f"A{k}", "T1", codes[h], "clearance", first + dt.timedelta(weeks=k), None)
                              for k, h in enumerate(order[:40])])
    inputs = replace(planning_inputs, as_of=dt.date(2023, 1, 2), hazards=hazards, activities=activities)
    still_open = [codes[h] for h in order[40:]]
    table = pd.DataFrame({"code": still_open, "score": rng.uniform(0, 100, len(still_open))})
    utility, weights, choices = programme_order(inputs, table)
    assert choices == 40  # every start had hazards waiting
    assert weights["beneficiaries"] > 1.0 and abs(weights["score"]) < weights["beneficiaries"]
    # The open hazards ranked as the programme would: by their beneficiaries, whatever their score.
    truth = pd.Series(beneficiaries[order[40:]], index=still_open)
    assert utility.corr(truth, method="spearman") > 0.95
    # Too few choices: the priority score's ranking is kept.
    few = replace(inputs, activities=activities.iloc[:10])
    assert programme_order(few, table)[0] is None


def test_dispatch_carries_on_the_task_in_hand_and_one_team_per_stage() -> None:
    cap = capacity([("T1", "manual", 0, 0), ("T2", "manual", 0, 0)])
    table = hazards([{"code": "TOP", "remaining_m2": 20_000, "score": 90, "x": 0, "y": 0},
                     {"code": "MINE", "remaining_m2": 10_000, "score": 10, "x": 0, "y": 0}])
    problem = build_problem(table, cap, start=START, weeks=52, chunk_days=2.0)
    habits = ProgrammeHabits(ongoing={"T2": ("MINE", "clearance")})
    carried = _ongoing_chunks(problem, habits)
    mine = set(np.flatnonzero(problem.hazards["code"].to_numpy()[problem.chunk_hazard] == "MINE"))
    plan = dispatch_schedule(problem, first_choice=carried)
    # T2 finishes its own hazard before it joins the top one; T1 starts at the top.
    t2 = np.flatnonzero(plan.team == 1)
    first_of_t2 = t2[np.argsort(plan.start[t2])][:len(mine)]
    assert set(first_of_t2) == mine and not (set(np.flatnonzero(plan.team == 0)) & mine)
    shared = dispatch_schedule(problem)
    top = np.flatnonzero(problem.hazards["code"].to_numpy()[problem.chunk_hazard] == "TOP")
    assert set(shared.team[top]) == {0, 1}  # without it both teams work the top hazard at once
    alone = dispatch_schedule(problem, one_team_per_stage=True)
    intervals = sorted(zip(alone.start[top], alone.finish[top]))
    assert all(b[0] >= a[1] - 1e-9 for a, b in zip(intervals, intervals[1:]))  # never two at once on TOP
    assert set(alone.team[list(mine)]) == {1}  # ... so the other team takes the next hazard


def test_team_kept_to_the_stages_it_does() -> None:
    cap = capacity([("TS-ONLY", "mechanical", 0, 0), ("ANY", "mechanical", 0, 0)], shares=(0.0, 0.5))
    table = hazards([{"code": "BA", "remaining_m2": 40_000, "score": 50, "x": 0, "y": 0,
                      "hazard_type": "battle_area"}])
    problem = build_problem(table, cap, start=START, weeks=52, chunk_days=5.0)
    _keep_to_own_stages(problem, ProgrammeHabits(team_stages={"TS-ONLY": frozenset({("ts", "battle_area")})}))
    clearance = problem.chunk_stage == 2
    assert np.isinf(problem.effort[clearance, 0]).all() and np.isfinite(problem.effort[clearance, 1]).all()
    assert np.isfinite(problem.effort[~clearance, 0]).all()
    # A stage nobody has been seen doing is left to every team its method allows.
    problem = build_problem(table, cap, start=START, weeks=52, chunk_days=5.0)
    _keep_to_own_stages(problem, ProgrammeHabits(team_stages={"TS-ONLY": frozenset({("ts", "battle_area")}),
                                                              "ANY": frozenset({("ts", "battle_area")})}))
    assert np.isfinite(problem.effort[problem.chunk_stage == 2]).all()


def test_days_per_worked_week(planning_inputs) -> None:
    from demine.planning.habits import days_per_worked_week

    d = AS_OF - dt.timedelta(days=100)
    # T1 reports 4 days in two activities of one week (2 + 2) and 6 in the next; T2 reports 5; one old week ignored.
    weeks = pd.DataFrame({"team": ["T1", "T1", "T1", "T2", "T2"], "days": [2, 2, 6, 5, 1],
                          "period_start": [d, d, d + dt.timedelta(weeks=1), d, AS_OF - dt.timedelta(days=500)]})
    inputs = replace(planning_inputs, as_of=AS_OF, team_weeks=weeks)
    assert days_per_worked_week(inputs, None) == pytest.approx(5.0)
    cap = capacity([("T1", "manual", 0, 0)], seasons=[Season("all", ("*",), {m: 0.5 for m in (1, 2, 3, 4, 5, 6)})])
    assert days_per_worked_week(inputs, cap) == pytest.approx(5.0 / 0.75)  # brought back outside the seasons
    assert days_per_worked_week(replace(inputs, team_weeks=weeks.iloc[4:]), None) is None


def test_forecast_with_the_programme_habits_is_seeded_and_differs_from_the_ranking(planning_inputs) -> None:
    from demine.planning.criteria import load_criteria
    from demine.planning.forecast import forecast_completion
    from demine.planning.plan import setup_from_inputs

    setup = setup_from_inputs(planning_inputs, criteria=load_criteria(), extra_teams=("1:survey", "1:mechanical"))
    habits = ProgrammeHabits(stages_shared=False, days_per_worked_week=6.0, new_work_share=0.5)
    alone = forecast_completion(setup, runs=4, seed=2, habits=habits)
    assert forecast_completion(setup, runs=4, seed=2, habits=habits).national == alone.national
    shared = forecast_completion(setup, runs=4, seed=2, habits=replace(habits, stages_shared=True))
    # Sharing stages, a team works the days averaged over its weeks and half the capacity goes to new hazards: later.
    assert shared.national["p50"] > alone.national["p50"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 30), st.floats(0, 8), st.floats(1, 1e5)), min_size=1, max_size=20))
def test_land_released_week_by_week_as_chunks_are_worked(chunks) -> None:
    from demine.planning.forecast import released_weekly

    start = np.array([c[0] for c in chunks])
    finish = start + np.array([c[1] for c in chunks])
    area = np.array([c[2] for c in chunks])
    weekly = released_weekly(start, finish, area, 40)
    assert weekly.sum() == pytest.approx(area.sum())  # all of it, once
    cumulative = np.cumsum(weekly)
    for w in (5, 12, 20):  # by the end of week w: what ended, plus the worked part of what is under way
        expected = sum(a * (1.0 if f <= w + 1 else 0.0 if s >= w + 1 else (w + 1 - s) / (f - s))
                       for s, f, a in zip(start, finish, area))
        assert cumulative[w] == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_teams_without_reports_take_the_stages_of_those_that_waited_as_long(planning_inputs) -> None:
    """Five TS teams report from their first week; five clearance teams reported only after waiting 200-400 days.
    A team active for 300 days with no report does what the waiters did; one that joined a week ago is compared with
    every team of its method; a manual team without reports has too few peers and stays free."""
    from demine.planning.habits import waiting_team_stages

    as_of = dt.date(2024, 1, 1)
    joined = dt.date(2022, 1, 3)
    rows, teams = [], []
    for k in range(5):
        teams.append((f"TS-{k}", "mechanical", joined))
        rows.append((f"TS-{k}", "ts", joined + dt.timedelta(days=7)))
        teams.append((f"BAC-{k}", "mechanical", joined))
        rows.append((f"BAC-{k}", "clearance", joined + dt.timedelta(days=200 + 50 * k)))
    teams += [("BAC-NEW", "mechanical", as_of - dt.timedelta(days=300)),
              ("JUST-JOINED", "mechanical", as_of - dt.timedelta(days=7)),
              ("HANDS", "manual", as_of - dt.timedelta(days=300))]
    frame = pd.DataFrame(teams, columns=["code", "method", "active_from"])
    weeks = pd.DataFrame([(team, "mechanical", stage, "battle_area", day + dt.timedelta(weeks=w), 1000.0, 5.0)
                          for team, stage, day in rows for w in range(4)],
                         columns=["team", "method", "activity_type", "hazard_type", "period_start",
                                  "area_worked_m2", "days"])
    inputs = replace(planning_inputs, as_of=as_of, teams=frame, team_weeks=weeks)
    known = team_stages(weeks)
    waiting = waiting_team_stages(inputs, known)
    assert waiting["BAC-NEW"] == frozenset({("clearance", "battle_area")})
    assert waiting["JUST-JOINED"] == frozenset({("clearance", "battle_area"), ("ts", "battle_area")})
    assert "HANDS" not in waiting and not set(waiting) & set(known)
    # Waiting longer than any team did: compared with the five longest waiters (all clearance teams).
    longer = replace(inputs, teams=frame.assign(active_from=frame["active_from"].where(
        frame["code"] != "BAC-NEW", dt.date(2020, 1, 6))))
    assert waiting_team_stages(longer, known)["BAC-NEW"] == frozenset({("clearance", "battle_area")})
