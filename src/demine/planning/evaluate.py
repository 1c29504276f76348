"""How good a schedule is: priority-weighted land released (by the horizon and week by week), deadlines met."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demine.planning.timeline import Schedule
from demine.planning.work import PlanProblem


@dataclass(frozen=True)
class ScheduleMeasures:
    solver: str
    released_m2: float  # land released by the horizon
    weighted_release: float  # sum of m² x (score + 1) released by the horizon
    weighted_release_time: float  # the same, each chunk counted for the share of the horizon it has been released
    projects_due: int
    projects_on_time: int
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return {"solver": self.solver, "released_ha": round(self.released_m2 / 1e4, 1),
                "weighted_release": round(self.weighted_release / 1e4, 1),
                "weighted_release_time": round(self.weighted_release_time / 1e4, 1),
                "projects_due": self.projects_due, "projects_on_time": self.projects_on_time,
                "seconds": round(self.seconds, 2)}


def measure(problem: PlanProblem, schedule: Schedule, *, horizon_weeks: float | None = None) -> ScheduleMeasures:
    horizon = problem.calendar.weeks if horizon_weeks is None else horizon_weeks
    done = schedule.finish <= horizon
    weighted = problem.weighted_area()
    early = np.where(done, (horizon - schedule.finish) / horizon, 0.0)
    due, on_time = _deadlines(problem, schedule)
    return ScheduleMeasures(schedule.solver, float(problem.chunk_area[done].sum()), float(weighted[done].sum()),
                            float((weighted * early).sum()), due, on_time, schedule.seconds)


def hazard_finish(problem: PlanProblem, schedule: Schedule) -> np.ndarray:
    """Week each hazard is fully released (inf if any of its chunks is not done)."""
    finish = np.zeros(len(problem.hazards))
    np.maximum.at(finish, problem.chunk_hazard, schedule.finish)
    return finish


def _deadlines(problem: PlanProblem, schedule: Schedule) -> tuple[int, int]:
    """Projects (hazards with a deadline, grouped by deadline and project) released by their deadline."""
    hazards = problem.hazards
    if "projects" not in hazards or not len(hazards):
        return 0, 0
    finish = hazard_finish(problem, schedule)
    deadline = np.array([(pd.Timestamp(d).date() - problem.calendar.start).days / 7 if pd.notna(d) else np.inf
                         for d in hazards.get("deadline", pd.Series([None] * len(hazards)))])
    rows = [(p, deadline[h], finish[h]) for h, projects in enumerate(hazards["projects"]) if projects
            for p in str(projects).split(",") if np.isfinite(deadline[h]) and deadline[h] >= 0]
    if not rows:
        return 0, 0
    table = pd.DataFrame(rows, columns=["project", "deadline", "finish"])
    by_project = table.groupby("project").agg(deadline=("deadline", "min"), finish=("finish", "max"))
    return len(by_project), int((by_project["finish"] <= by_project["deadline"]).sum())


def weekly_release(problem: PlanProblem, schedule: Schedule) -> pd.DataFrame:
    """Week by week: land released and priority-weighted release, cumulative."""
    weeks = problem.calendar.weeks
    done = np.isfinite(schedule.finish)
    week = np.minimum(np.floor(schedule.finish[done]).astype(int), weeks - 1)
    area = np.bincount(week, weights=problem.chunk_area[done], minlength=weeks)
    weighted = np.bincount(week, weights=problem.weighted_area()[done], minlength=weeks)
    return pd.DataFrame({"week_start": [problem.calendar.week_start(w) for w in range(weeks)],
                         "released_ha": area / 1e4, "cumulative_ha": np.cumsum(area) / 1e4,
                         "cumulative_weighted": np.cumsum(weighted) / 1e4})
