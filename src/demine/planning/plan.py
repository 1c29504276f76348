"""Use cases of clearance planning that the CLI and the API share: rank, schedule (CP-SAT and greedy), forecast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from demine.planning.capacity import Capacity, add_teams, build_capacity
from demine.planning.cpsat import WINDOW_WEEKS, optimised_schedule
from demine.planning.criteria import Criteria, load_criteria
from demine.planning.evaluate import ScheduleMeasures, hazard_finish, measure, weekly_release
from demine.planning.greedy import greedy_schedule
from demine.planning.inputs import PlanningInputs, load_planning_inputs, stage_closed
from demine.planning.priorities import near_pairs, score_hazards
from demine.planning.risk_estimates import read_risk_estimates
from demine.planning.timeline import Schedule
from demine.planning.work import PlanProblem, build_problem

WEEKS_PER_YEAR = 52


@dataclass
class PlanSetup:
    inputs: PlanningInputs
    criteria: Criteria
    capacity: Capacity
    ranking: pd.DataFrame
    hazards: pd.DataFrame  # open hazards with score, deadline and projects, ready for build_problem


@dataclass
class SchedulePlan:
    problem: PlanProblem
    optimised: Schedule
    greedy: Schedule
    measures: list[ScheduleMeasures]

    def comparison(self) -> pd.DataFrame:
        return pd.DataFrame([m.as_dict() for m in self.measures])

    def unreachable(self) -> pd.DataFrame:
        """Hazards with a stage that no team may do (method not allowed, or no base within reach)."""
        stuck = ~np.isfinite(self.problem.effort).any(axis=1)
        hazards = np.unique(self.problem.chunk_hazard[stuck])
        from demine.planning.capacity import STAGES

        stages = [sorted({STAGES[s] for s in self.problem.chunk_stage[stuck & (self.problem.chunk_hazard == h)]})
                  for h in hazards]
        return pd.DataFrame({"hazard": self.problem.hazards["code"].to_numpy()[hazards],
                             "district": self.problem.hazards["district"].to_numpy()[hazards],
                             "stages": [", ".join(s) for s in stages]})

    def gain(self) -> float:
        """Relative gain of the optimised plan over greedy in priority-weighted land released by the horizon."""
        optimised, greedy = self.measures[0].weighted_release, self.measures[1].weighted_release
        return optimised / greedy - 1.0 if greedy else 0.0


def prepare(register, *, criteria_file: Path | None = None, capacity_file: Path | None = None,  # type: ignore[no-untyped-def]
            risk_file: Path | None = None, as_of: dt.date | None = None,
            extra_teams: tuple[str, ...] = (), extra_projects: Path | None = None) -> PlanSetup:
    with register.reading() as connection:
        inputs = load_planning_inputs(connection, as_of=as_of)
    if extra_projects is not None:
        from demine.planning.what_if import read_new_projects, with_projects

        inputs = with_projects(inputs, read_new_projects(extra_projects))
    return setup_from_inputs(inputs, criteria=load_criteria(criteria_file), capacity_file=capacity_file,
                             risk=read_risk_estimates(risk_file) if risk_file else None, extra_teams=extra_teams)


def setup_from_inputs(inputs: PlanningInputs, *, criteria: Criteria, capacity_file: Path | None = None,
                      risk: pd.Series | None = None, extra_teams: tuple[str, ...] = ()) -> PlanSetup:
    capacity = build_capacity(inputs, capacity_file)
    for spec in extra_teams:
        capacity = add_teams(capacity, spec)
    ranking = score_hazards(inputs, criteria, risk=risk)
    return PlanSetup(inputs, criteria, capacity, ranking, hazard_table(inputs, ranking, criteria))


def hazard_table(inputs: PlanningInputs, ranking: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """Open hazards with their score, the projects they block and the earliest deadline among those projects."""
    hazards = inputs.open_hazards().reset_index(drop=True)
    projects = inputs.projects
    other, hazard, _ = near_pairs(projects.geometry.to_numpy(), hazards, criteria.projects.proximity_m)
    codes: list[list[str]] = [[] for _ in range(len(hazards))]
    deadline: list[object] = [None] * len(hazards)
    for o, h in zip(other, hazard):
        codes[h].append(str(projects["code"].iat[o]))
        d = projects["deadline"].iat[o]
        if d is not None and not pd.isna(d) and (deadline[h] is None or d < deadline[h]):
            deadline[h] = d
    table = pd.DataFrame({"code": hazards["code"], "district": hazards["district"],
                          "hazard_type": hazards["hazard_type"], "remaining_m2": hazards["remaining_m2"],
                          "area_m2": hazards["area_m2"], "cancelled_m2": hazards["cancelled_m2"],
                          "reduced_m2": hazards["reduced_m2"], "cleared_m2": hazards["cleared_m2"],
                          **{f"{s}_closed": stage_closed(hazards, s) for s in ("nts", "ts")},
                          "x": hazards["x"], "y": hazards["y"], "deadline": deadline,
                          "projects": [",".join(sorted(set(c))) for c in codes]})
    return table.merge(ranking[["code", "score"]], on="code", how="left").fillna({"score": 0.0})


def schedule(setup: PlanSetup, *, start: dt.date | None = None, years: float = 5.0, chunk_days: float = 10.0,
             window_weeks: int = WINDOW_WEEKS, seconds_per_window: float = 2.0) -> SchedulePlan:
    problem = build_problem(setup.hazards, setup.capacity, start=start or setup.inputs.as_of,
                            weeks=int(round(years * WEEKS_PER_YEAR)), chunk_days=chunk_days)
    optimised = optimised_schedule(problem, window_weeks=window_weeks, seconds_per_window=seconds_per_window)
    greedy = greedy_schedule(problem)
    return SchedulePlan(problem, optimised, greedy, [measure(problem, optimised), measure(problem, greedy)])


def assignments(problem: PlanProblem, plan: Schedule) -> pd.DataFrame:
    """One row per chunk of work placed: team, hazard, stage, dates, area (the schedule as a table)."""
    from demine.planning.capacity import STAGES

    done = np.flatnonzero(np.isfinite(plan.finish))
    calendar = problem.calendar
    table = pd.DataFrame({
        "team": problem.teams["code"].to_numpy()[plan.team[done]],
        "method": problem.teams["method"].to_numpy()[plan.team[done]],
        "organisation": problem.teams["organisation"].to_numpy()[plan.team[done]],
        "hazard": problem.hazards["code"].to_numpy()[problem.chunk_hazard[done]],
        "district": problem.hazards["district"].to_numpy()[problem.chunk_hazard[done]],
        "stage": np.array(STAGES)[problem.chunk_stage[done]],
        "start": [calendar.date_of(t) for t in plan.start[done]],
        "finish": [calendar.date_of(t) for t in plan.finish[done]],
        "area_m2": problem.chunk_area[done].round(1),
        "score": problem.hazards["score"].to_numpy()[problem.chunk_hazard[done]],
    })
    return table.sort_values(["team", "start"], kind="stable").reset_index(drop=True)


def hazard_completion(problem: PlanProblem, plan: Schedule) -> pd.DataFrame:
    finish = hazard_finish(problem, plan)
    return pd.DataFrame({"hazard": problem.hazards["code"], "district": problem.hazards["district"],
                         "score": problem.hazards["score"],
                         "released_by": [problem.calendar.date_of(t) if np.isfinite(t) else None for t in finish]})


__all__ = ["prepare", "setup_from_inputs", "schedule", "assignments", "hazard_completion", "weekly_release"]
