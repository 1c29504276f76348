"""The baseline: a simple greedy ranking. Chunks in priority order, each to the allowed team that finishes it first.

It respects the same hard constraints as the optimised plan (methods, reach, seasons, stage order) but looks at one
chunk at a time: it neither packs the teams' time nor looks at project deadlines.
"""

from __future__ import annotations

import time

import numpy as np

from demine.planning.timeline import Schedule, Timeline
from demine.planning.work import PlanProblem


def greedy_schedule(problem: PlanProblem, *, horizon_weeks: float | None = None) -> Schedule:
    began = time.perf_counter()
    timeline = Timeline(problem)
    horizon = problem.calendar.weeks if horizon_weeks is None else horizon_weeks
    allowed = np.isfinite(problem.effort)
    for chunk in range(problem.chunks):
        teams = np.flatnonzero(allowed[chunk])
        if not len(teams):
            continue
        start, finish = timeline.candidates(chunk, teams)
        best = int(np.argmin(finish))
        if finish[best] <= horizon:
            timeline.place(chunk, int(teams[best]), float(start[best]), float(finish[best]))
    return timeline.schedule("greedy", time.perf_counter() - began)
