"""The work to plan: each hazard's remaining land split into stages (NTS cancels, TS reduces, clearance clears) by the
learned shares, and each stage into chunks a team can finish in about `chunk_days`; with every team's effort (working
days, travel included) for every chunk, infinite where the method is not allowed or the hazard is out of reach.

The solver core (greedy.py, cpsat.py) sees only this: plain arrays, so hand-built cases need no register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from demine.planning.calendar import WorkCalendar, build_calendar
from demine.planning.capacity import METHODS, STAGES, Capacity

# A hazard-stage is cut into at most this many chunks (larger chunks for very large hazards).
MAX_CHUNKS_PER_STAGE = 60
# Land of a hazard with no priority still counts a little, so that idle teams clear it rather than nothing.
VALUE_FLOOR = 1.0


@dataclass
class PlanProblem:
    hazards: pd.DataFrame  # code, district, hazard_type, remaining_m2, score, x, y, deadline (date or None), projects
    teams: pd.DataFrame  # code, organisation, method, base_name, x, y, productivity_factor
    calendar: WorkCalendar
    days_per_week: float
    chunk_hazard: np.ndarray
    chunk_stage: np.ndarray
    chunk_area: np.ndarray  # m²
    chunk_value: np.ndarray  # priority weight per m² (score + floor)
    chunk_district: np.ndarray  # index into calendar.districts
    chunk_deadline: np.ndarray  # week (float) by which the hazard must be released; inf if none
    effort: np.ndarray  # (chunk, team) working days including travel; inf = not allowed

    @property
    def chunks(self) -> int:
        return len(self.chunk_area)

    def weighted_area(self) -> np.ndarray:
        return self.chunk_area * self.chunk_value


def build_problem(hazards: pd.DataFrame, capacity: Capacity, *, start: dt.date, weeks: int,
                  chunk_days: float = 10.0, rate_factor: dict[str, float] | None = None,
                  shares: dict[str, tuple[float, float]] | None = None) -> PlanProblem:
    """Chunks in priority order (score, then hazard code; stages in land release order).

    `rate_factor` (method -> factor) and `shares` (hazard type -> cancelled, reduced) let the forecast draw them.
    """
    hazards = hazards.sort_values(["score", "code"], ascending=[False, True], kind="stable").reset_index(drop=True)
    teams = capacity.teams.reset_index(drop=True)
    districts = tuple(sorted(set(hazards["district"]))) or ("(none)",)
    district_index = {d: i for i, d in enumerate(districts)}
    calendar = build_calendar(capacity, districts, start, weeks)
    rows: dict[str, list] = {k: [] for k in ("hazard", "stage", "area")}
    stage_areas = _stage_areas(hazards, capacity, shares)
    for h, hazard in enumerate(hazards.itertuples()):
        for s in range(len(STAGES)):
            area = stage_areas[h, s]
            if area <= 1.0:
                continue
            fastest = max([capacity.rate(m, STAGES[s], hazard.hazard_type)
                           for m in capacity.allowed(hazard.hazard_type, STAGES[s])], default=0.0)
            per_chunk = fastest * capacity.terrain.get(hazard.district, 1.0) * chunk_days
            n = int(min(MAX_CHUNKS_PER_STAGE, max(1, np.ceil(area / per_chunk)))) if per_chunk > 0 else 1
            rows["hazard"] += [h] * n
            rows["stage"] += [s] * n
            rows["area"] += [area / n] * n
    chunk_hazard = np.array(rows["hazard"], dtype=np.int64)
    chunk_stage = np.array(rows["stage"], dtype=np.int64)
    chunk_area = np.array(rows["area"], dtype=float)
    deadline_weeks = np.array([(pd.Timestamp(d).date() - calendar.start).days / 7 if pd.notna(d) else np.inf
                               for d in hazards.get("deadline", pd.Series([None] * len(hazards)))], dtype=float)
    chunk_district = np.array([district_index[d] for d in hazards["district"]], dtype=np.int64)[chunk_hazard] \
        if len(chunk_hazard) else np.zeros(0, np.int64)
    problem = PlanProblem(
        hazards=hazards, teams=teams, calendar=calendar, days_per_week=capacity.days_per_week,
        chunk_hazard=chunk_hazard, chunk_stage=chunk_stage, chunk_area=chunk_area,
        chunk_value=(hazards["score"].to_numpy(float) + VALUE_FLOOR)[chunk_hazard] if len(chunk_hazard)
        else np.zeros(0),
        chunk_district=chunk_district,
        chunk_deadline=deadline_weeks[chunk_hazard] if len(chunk_hazard) else np.zeros(0),
        effort=np.zeros((0, len(teams))))
    problem.effort = effort_matrix(problem, capacity, rate_factor=rate_factor)
    return problem


def _stage_areas(hazards: pd.DataFrame, capacity: Capacity,
                 shares: dict[str, tuple[float, float]] | None) -> np.ndarray:
    """Land left for each stage (NTS, TS, clearance) of each hazard, summing to its remaining land.

    The shares apply to the hazard's whole area; what each stage has released already is taken off its own share
    (a battle area already surveyed has little left to cancel). Without the outcome columns (plain tables), the
    shares apply to the remaining land.
    """
    drawn = np.array([(shares or {}).get(t, capacity.shares(t)) for t in hazards["hazard_type"]],
                     dtype=float).reshape(-1, 2)
    split = np.column_stack([drawn[:, 0], drawn[:, 1], 1.0 - drawn.sum(axis=1)])
    for s, stage in enumerate(("nts", "ts")):  # a closed stage releases nothing more; its share goes to the later
        if f"{stage}_closed" in hazards:
            closed = hazards[f"{stage}_closed"].to_numpy(bool)
            split[closed, s] = 0.0
    remaining = hazards["remaining_m2"].to_numpy(float)
    if not {"area_m2", "cancelled_m2", "reduced_m2", "cleared_m2"} <= set(hazards.columns):
        return split * remaining[:, None]
    done = hazards[["cancelled_m2", "reduced_m2", "cleared_m2"]].to_numpy(float)
    left = np.maximum(split * hazards["area_m2"].to_numpy(float)[:, None] - done, 0.0)
    left[:, 2] = np.maximum(left[:, 2], 1e-9)  # clearance is never closed while land remains
    total = left.sum(axis=1)
    # Scale to the remaining land (outputs never add up exactly to the shares); all to clearance if nothing is left.
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(total[:, None] > 0, left * (remaining / total)[:, None], 0.0)
    scaled[total <= 0, 2] = remaining[total <= 0]
    return scaled


def effort_matrix(problem: PlanProblem, capacity: Capacity, *,
                  rate_factor: dict[str, float] | None = None) -> np.ndarray:
    """Working days each team needs for each chunk: area / (rate x terrain x team pace) + travel; inf = not allowed."""
    hazards, teams = problem.hazards, problem.teams
    types = sorted(set(hazards["hazard_type"]))
    type_index = {t: i for i, t in enumerate(types)}
    method_index = {m: i for i, m in enumerate(METHODS)}
    # rate[type, stage, method]: 0 where the method may not do that stage on that type.
    rate = np.zeros((len(types), len(STAGES), len(METHODS)))
    for t in types:
        for s, stage in enumerate(STAGES):
            for m in capacity.allowed(t, stage):
                rate[type_index[t], s, method_index[m]] = capacity.rate(m, stage, t) * (rate_factor or {}).get(m, 1.0)
    chunk_type = np.array([type_index[t] for t in hazards["hazard_type"]], dtype=np.int64)[problem.chunk_hazard]
    team_method = np.array([method_index[m] for m in teams["method"]], dtype=np.int64)
    terrain = np.array([capacity.terrain.get(d, 1.0) for d in problem.calendar.districts])[problem.chunk_district]
    speed = (rate[chunk_type[:, None], problem.chunk_stage[:, None], team_method[None, :]]
             * terrain[:, None] * teams["productivity_factor"].to_numpy(float)[None, :])
    hx = hazards["x"].to_numpy(float)[problem.chunk_hazard][:, None]
    hy = hazards["y"].to_numpy(float)[problem.chunk_hazard][:, None]
    distance = np.hypot(hx - teams["x"].to_numpy(float)[None, :], hy - teams["y"].to_numpy(float)[None, :])
    with np.errstate(divide="ignore"):
        effort = problem.chunk_area[:, None] / speed + distance / capacity.mobilisation_m_per_day
    effort[(speed <= 0) | (distance > capacity.max_distance_m)] = np.inf
    return effort.astype(np.float32)
