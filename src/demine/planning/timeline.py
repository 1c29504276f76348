"""Placing chunks on teams in time: the one piece of arithmetic the greedy ranking and the CP-SAT plan share.

A chunk starts when its team is free and when every chunk of the hazard's earlier stages has finished (survey before
technical survey before clearance); it ends after its effort in working days of its district's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demine.planning.capacity import STAGES
from demine.planning.work import PlanProblem


@dataclass
class Schedule:
    solver: str
    team: np.ndarray  # chunk -> team index, -1 when not scheduled
    start: np.ndarray  # weeks from the calendar start
    finish: np.ndarray  # inf when not scheduled within the calendar
    seconds: float = 0.0
    notes: str = ""


class Timeline:
    def __init__(self, problem: PlanProblem) -> None:
        self.problem = problem
        n, hazards = problem.chunks, len(problem.hazards)
        self.team_free = np.zeros(len(problem.teams))
        self.team = np.full(n, -1, dtype=np.int64)
        self.start = np.full(n, np.inf)
        self.finish = np.full(n, np.inf)
        # Chunks of each hazard and stage not yet placed, and the latest finish of those placed.
        self.unplaced = np.zeros((hazards, len(STAGES)), dtype=np.int64)
        np.add.at(self.unplaced, (problem.chunk_hazard, problem.chunk_stage), 1)
        self.stage_finish = np.zeros((hazards, len(STAGES)))

    def ready_time(self, chunk: int) -> float:
        """When the hazard's earlier stages are all done (inf while any of their chunks is unplaced)."""
        h, s = self.problem.chunk_hazard[chunk], self.problem.chunk_stage[chunk]
        if s == 0:
            return 0.0
        if self.unplaced[h, :s].any():
            return np.inf
        return float(self.stage_finish[h, :s].max())

    def candidates(self, chunk: int, teams: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, finish) of the chunk on each of `teams`."""
        ready = self.ready_time(chunk)
        district = int(self.problem.chunk_district[chunk])
        start = np.maximum(self.team_free[teams], ready)
        if np.isfinite(ready):
            start = self.problem.calendar.next_working(district, start)
        effort = self.problem.effort[chunk, teams].astype(float)
        finish = self.problem.calendar.finish(district, start, effort) if np.isfinite(ready) else np.full(
            len(teams), np.inf)
        return start, finish

    def candidate_one(self, chunk: int, team: int) -> tuple[float, float]:
        """(start, finish) of the chunk on one team, in plain floats (the placements of dispatch and CP-SAT)."""
        ready = self.ready_time(chunk)
        if not np.isfinite(ready):
            return float("inf"), float("inf")
        district = int(self.problem.chunk_district[chunk])
        calendar = self.problem.calendar
        start = calendar.next_working_one(district, max(float(self.team_free[team]), ready))
        if start == float("inf"):
            return start, start
        return start, calendar.finish_one(district, start, float(self.problem.effort[chunk, team]))

    def place(self, chunk: int, team: int, start: float, finish: float) -> None:
        self.team[chunk], self.start[chunk], self.finish[chunk] = team, start, finish
        self.team_free[team] = finish
        h, s = self.problem.chunk_hazard[chunk], self.problem.chunk_stage[chunk]
        self.unplaced[h, s] -= 1
        self.stage_finish[h, s] = max(self.stage_finish[h, s], finish)

    def schedule(self, solver: str, seconds: float, notes: str = "") -> Schedule:
        return Schedule(solver, self.team.copy(), self.start.copy(), self.finish.copy(), seconds, notes)
