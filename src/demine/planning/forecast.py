"""Completion forecast: when the known task ends, per district, per project and nationally, with a range.

Each Monte Carlo run draws
- the programme's pace per method: a log-normal factor whose spread is how much the method's quarterly pace has
  varied in the register's progress reports (0.15 where there is too little to tell);
- the shares of suspected land that survey cancels and technical survey reduces, per hazard type: a Dirichlet around
  the shares learned from the fully worked hazards (concentration 20 when learned, 8 for the defaults);
(each kind of draw, per method and per hazard type, from its own random stream spawned from the seed: a change to
one draw leaves the others as they were), and then plays the programme forward by dispatching (dispatch.py: a free
team takes the top-ranked task it may do) until the work is done. By default it plays it the way the register shows
the programme working (habits.py): the programme's own order of hazards, each team on the stages it does (a team
without reports on those of its method's teams that waited as long) and first on the task it has in hand, and the
share of capacity that goes to hazards reported later taken off where teams share stages. Over a multi-year
forecast, teams are redeployed: the reach limit is lifted (travel still costs its mobilisation days). The forecast
says P10, P50 and P90 of each completion date.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from demine.planning.capacity import METHODS, STAGES, Capacity
from demine.planning.evaluate import hazard_finish
from demine.planning.dispatch import SUITED_EFFORT, dispatch_schedule
from demine.planning.habits import ProgrammeHabits, learn_habits
from demine.planning.plan import PlanSetup
from demine.planning.work import PlanProblem, build_problem

DEFAULT_PACE_SPREAD = 0.15
LEARNED_CONCENTRATION, DEFAULT_CONCENTRATION = 20.0, 8.0
# Each kind of draw has its own random stream, per run and per method or hazard type (the keys of draw_stream), so
# that adding a hazard type or changing one draw does not reshuffle the others.
PACE_DRAW, SHARES_DRAW = 1, 2


def draw_stream(seed: int, run: int, kind: int, name: str) -> np.random.Generator:
    """The random stream of one kind of draw for one method or hazard type in one run, spawned from the seed (the
    name's CRC-32 keys it, stable across processes, unlike hash())."""
    key = (run, kind, zlib.crc32(name.encode("utf-8")))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


@dataclass
class Forecast:
    as_of: dt.date
    runs: int
    national: dict[str, dt.date | None]  # p10, p50, p90
    districts: pd.DataFrame  # district, remaining_ha, p10, p50, p90
    projects: pd.DataFrame  # project, hazards, deadline, p10, p50, p90, on_time_share
    released: pd.DataFrame  # date, p10_ha, p50_ha, p90_ha: cumulative land released after as_of
    start: dt.date | None = None  # the first Monday of the runs' calendar
    curves: np.ndarray | None = None  # (run, week): cumulative ha released after as_of
    district_curves: dict[str, np.ndarray] | None = None  # district -> (run, week)
    capacity_label: str = "At the current capacity"

    def released_by(self, day: dt.date, district: str | None = None) -> dict[str, float]:
        """P10, P50 and P90 of the land (ha) released between the forecast date and `day` (in one district)."""
        curves = self.curves if district is None else (self.district_curves or {}).get(district)
        if curves is None or self.start is None or not curves.size:
            return {"p10": 0.0, "p50": 0.0, "p90": 0.0}
        week = int(np.clip((day - self.start).days // 7 - 1, 0, curves.shape[1] - 1))
        q = np.quantile(curves[:, week], [0.1, 0.5, 0.9])
        return {"p10": float(q[0]), "p50": float(q[1]), "p90": float(q[2])}

    def sentence(self) -> str:
        n = self.national
        if n["p50"] is None:
            return f"{self.capacity_label} the national task does not end within the forecast horizon."
        low, high = (n["p10"].year if n["p10"] else "?"), (n["p90"].year if n["p90"] else "after the horizon")
        return f"{self.capacity_label}, the national task ends in {n['p50'].year} ({low}-{high})."


def pace_spread(setup: PlanSetup) -> dict[str, float]:
    """Spread (sd of the log) of each method's quarterly pace in the register."""
    weeks = setup.inputs.team_weeks
    weeks = weeks[(weeks["days"] > 0) & (weeks["area_worked_m2"] > 0) & weeks["period_start"].notna()]
    spread = dict.fromkeys(METHODS, DEFAULT_PACE_SPREAD)
    if not len(weeks):
        return spread
    quarter = pd.PeriodIndex(pd.to_datetime(weeks["period_start"]), freq="Q")
    pace = (weeks["area_worked_m2"] / weeks["days"]).groupby([weeks["method"], weeks["activity_type"],
                                                              quarter]).median()
    relative = np.log(pace) - np.log(pace).groupby(level=[0, 1]).transform("median")
    for method, values in relative.groupby(level=0):
        if len(values) >= 4:
            spread[method] = float(np.clip(values.std(), 0.05, 0.5))
    return spread


def forecast_completion(setup: PlanSetup, *, runs: int = 50, seed: int = 1, years: float = 40.0,
                        chunk_days: float = 20.0, capacity_label: str = "At the current capacity",
                        habits: ProgrammeHabits | None | bool = True,
                        one_team_per_stage: bool | None = None) -> Forecast:
    """`habits`: True learns from the register how the programme works (habits.py) and plays it forward that way;
    False (or None) dispatches by the priority ranking with every team doing whatever its method may.
    `one_team_per_stage` (None: as the register shows) lets one team at a time work a hazard's stage; a team then
    works the days of a week it has a task, and waits in the dispatch when no stage is free, instead of the days
    averaged over all its weeks (waiting included) and the share of new hazards taken off."""
    capacity: Capacity = replace(setup.capacity, max_distance_m=np.inf)
    spread = pace_spread(setup)
    weeks = int(years * 52)
    hazards = setup.hazards
    if habits is True:
        habits = learn_habits(setup.inputs, hazards, setup.capacity)
    learned = habits if isinstance(habits, ProgrammeHabits) else None
    alone = learned is not None and (not learned.stages_shared if one_team_per_stage is None else one_team_per_stage)
    if alone and learned is not None and learned.days_per_worked_week:
        capacity = replace(capacity, days_per_week=learned.days_per_worked_week)
    taken_by_new = learned.new_work_share if learned is not None and not alone else 0.0
    if learned is not None and learned.order is not None and len(hazards):
        # The chunks' order (build_problem sorts by score) becomes the programme's own order.
        hazards = hazards.assign(score=hazards["code"].map(learned.order).fillna(learned.order.min()).to_numpy())
    finishes, curves = [], []
    by_district: dict[str, list[np.ndarray]] = {}
    problem = None
    for run in range(runs):
        pace = {m: float(np.exp(draw_stream(seed, run, PACE_DRAW, m).normal(0.0, spread[m]))) for m in METHODS}
        # What goes to hazards reported later is not the known task's.
        pace = {m: v * (1.0 - taken_by_new) for m, v in pace.items()}
        shares = _draw_shares(seed, run, capacity, sorted(set(hazards["hazard_type"])))
        problem = build_problem(hazards, capacity, start=setup.inputs.as_of, weeks=weeks, chunk_days=chunk_days,
                                rate_factor=pace, shares=shares)
        if learned is not None:
            _keep_to_own_stages(problem, learned)
            plan = dispatch_schedule(problem, first_choice=_ongoing_chunks(problem, learned),
                                     one_team_per_stage=alone)
        else:
            plan = dispatch_schedule(problem)
        finishes.append(hazard_finish(problem, plan))
        done = np.isfinite(plan.finish)
        start, finish, area = plan.start[done], plan.finish[done], problem.chunk_area[done]
        curves.append(np.cumsum(released_weekly(start, finish, area, weeks)) / 1e4)
        district = problem.chunk_district[done]
        for d, name in enumerate(problem.calendar.districts):
            mine = district == d
            by_district.setdefault(name, []).append(
                np.cumsum(released_weekly(start[mine], finish[mine], area[mine], weeks)) / 1e4)
    assert problem is not None or not runs
    finish = np.array(finishes)  # (run, hazard), hazards in the problem's order (same in every run)
    ordered = problem.hazards if problem is not None else hazards
    calendar = problem.calendar if problem is not None else None
    return Forecast(as_of=setup.inputs.as_of, runs=runs,
                    national=_quantile_dates(calendar, finish.max(axis=1) if finish.size else np.zeros(runs)),
                    districts=_groups(calendar, finish, ordered, ordered["district"].to_numpy(), "district"),
                    projects=_projects(calendar, finish, ordered),
                    released=_released(calendar, np.array(curves)),
                    start=calendar.start if calendar is not None else None, curves=np.array(curves),
                    district_curves={name: np.array(c) for name, c in by_district.items()},
                    capacity_label=capacity_label)


def released_weekly(start: np.ndarray, finish: np.ndarray, area: np.ndarray, weeks: int) -> np.ndarray:
    """Land released in each week: a chunk's land spread evenly over the time it is worked (the programme reports
    its outputs week by week, not when a chunk of the plan ends)."""
    if not len(start):
        return np.zeros(weeks)
    length = np.maximum(finish - start, 1e-9)
    first = np.minimum(np.floor(start).astype(np.int64), weeks - 1)
    last = np.minimum(np.floor(np.maximum(finish - 1e-9, start)).astype(np.int64), weeks - 1)
    spans = last - first + 1
    chunk = np.repeat(np.arange(len(start)), spans)
    week = first[chunk] + np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
    overlap = np.clip(np.minimum(week + 1, finish[chunk]) - np.maximum(week, start[chunk]), 0.0, None)
    share = np.where(finish[chunk] - start[chunk] > 1e-9, overlap / length[chunk], 1.0)
    return np.bincount(week, weights=area[chunk] * share, minlength=weeks)


def _keep_to_own_stages(problem: PlanProblem, habits: ProgrammeHabits) -> None:
    """A team that has reports does only the stages of the hazard types it has been doing (where some team may do
    the chunk then)."""
    pair = pd.Series(list(zip(np.array(STAGES)[problem.chunk_stage],
                              problem.hazards["hazard_type"].to_numpy()[problem.chunk_hazard])))
    own = np.ones(problem.effort.shape, dtype=bool)
    for k, code in enumerate(problem.teams["code"]):
        done = habits.team_stages.get(str(code))
        if done is not None:
            own[:, k] = pair.isin(done).to_numpy()
    allowed = np.isfinite(problem.effort)
    keep = (allowed & own).any(axis=1)  # chunks nobody would do then keep every allowed team
    problem.effort[keep[:, None] & ~own] = np.inf


def _ongoing_chunks(problem: PlanProblem, habits: ProgrammeHabits) -> dict[int, np.ndarray]:
    """Team index -> the chunks of the hazard stage it was working on at the date, in order (none if it is far
    slower at them than the best suited team)."""
    hazard_index = {str(c): h for h, c in enumerate(problem.hazards["code"])}
    stage_index = {s: i for i, s in enumerate(STAGES)}
    result = {}
    for k, code in enumerate(problem.teams["code"]):
        task = habits.ongoing.get(str(code))
        if task is None or task[0] not in hazard_index:
            continue
        chunks = np.flatnonzero((problem.chunk_hazard == hazard_index[task[0]])
                                & (problem.chunk_stage == stage_index[task[1]])
                                & (problem.effort[:, k] <= SUITED_EFFORT * problem.effort.min(axis=1)))
        result[k] = chunks
    return result


def _draw_shares(seed: int, run: int, capacity: Capacity, types: list[str]) -> dict[str, tuple[float, float]]:
    """Cancelled and reduced shares per hazard type, each type from its own stream."""
    shares = {}
    for hazard_type in types:
        cancelled, reduced = capacity.shares(hazard_type)
        rows = capacity.release[capacity.release["hazard_type"] == hazard_type]
        learned = len(rows) and rows["source"].iat[0] == "register"
        kappa = LEARNED_CONCENTRATION if learned else DEFAULT_CONCENTRATION
        alpha = np.maximum(np.array([cancelled, reduced, 1.0 - cancelled - reduced]) * kappa, 1e-3)
        draw = draw_stream(seed, run, SHARES_DRAW, hazard_type).dirichlet(alpha)
        shares[hazard_type] = (float(draw[0]), float(draw[1]))
    return shares


def _quantile_dates(calendar, weeks: np.ndarray) -> dict[str, dt.date | None]:  # type: ignore[no-untyped-def]
    result = {}
    for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        value = np.quantile(weeks, q) if len(weeks) else np.inf
        result[name] = calendar.date_of(value) if calendar is not None and np.isfinite(value) else None
    return result


def _groups(calendar, finish: np.ndarray, hazards: pd.DataFrame, keys: np.ndarray,  # type: ignore[no-untyped-def]
            name: str) -> pd.DataFrame:
    rows = []
    for key in sorted(set(keys)):
        members = keys == key
        dates = _quantile_dates(calendar, finish[:, members].max(axis=1))
        rows.append({name: key, "hazards": int(members.sum()),
                     "remaining_ha": round(float(hazards.loc[members, "remaining_m2"].sum()) / 1e4, 1), **dates})
    return pd.DataFrame(rows, columns=[name, "hazards", "remaining_ha", "p10", "p50", "p90"])


def _projects(calendar, finish: np.ndarray, hazards: pd.DataFrame) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rows = []
    links = [(p, h) for h, projects in enumerate(hazards["projects"]) if projects for p in str(projects).split(",")]
    for project in sorted({p for p, _ in links}):
        members = np.array([h for p, h in links if p == project])
        ends = finish[:, members].max(axis=1)
        deadline = hazards["deadline"].iloc[members].dropna().min() if hazards["deadline"].iloc[members].notna().any() \
            else None
        due = (pd.Timestamp(deadline).date() - calendar.start).days / 7 if deadline is not None else np.inf
        rows.append({"project": project, "hazards": len(members), "deadline": deadline,
                     **_quantile_dates(calendar, ends),
                     "on_time_share": round(float((ends <= due).mean()), 2) if deadline is not None else None})
    return pd.DataFrame(rows, columns=["project", "hazards", "deadline", "p10", "p50", "p90", "on_time_share"])


def _released(calendar, curves: np.ndarray) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    if calendar is None or not curves.size:
        return pd.DataFrame(columns=["date", "p10_ha", "p50_ha", "p90_ha"])
    quarters = np.arange(12, curves.shape[1], 13)  # end of each quarter
    q = np.quantile(curves[:, quarters], [0.1, 0.5, 0.9], axis=0)
    return pd.DataFrame({"date": [calendar.week_start(w + 1) for w in quarters], "p10_ha": q[0].round(1),
                         "p50_ha": q[1].round(1), "p90_ha": q[2].round(1)})
