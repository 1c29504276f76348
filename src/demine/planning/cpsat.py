"""The optimised plan: OR-Tools CP-SAT, decomposed into time windows (rolling horizon) of an assignment model.

For each window (13 weeks by default) the model chooses which chunks of work each team takes, so as to maximise the
priority-weighted land released in the window:
- each chunk goes to at most one team, and only to a team whose method is allowed for the hazard type and stage and
  whose base is within reach (effort is infinite otherwise: no variable is made);
- a team takes no more working days than it has left in the window (its calendar's days, seasons averaged per
  district over the window), plus two weeks of overrun that the next window then lacks;
- a stage's chunks are taken only with or after all chunks of the hazard's earlier stages (NTS, then TS, then
  clearance);
- chunks of hazards blocking a project whose deadline falls before the end of the next window come first
  (lexicographically: a large bonus), so deadlines are met wherever capacity allows;
- among teams, the faster one is preferred a little (up to 10% of a chunk's value), which saves capacity and travel.
Only the chunks nearest the top of the ranking are offered (a few times what the teams can do), each to its fastest
few teams, which keeps each window's model to tens of thousands of variables. The chosen chunks are then timed by the
same calendar arithmetic as the greedy ranking (timeline.py), in priority order.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from demine.planning.timeline import Schedule, Timeline
from demine.planning.work import PlanProblem

DEADLINE_BONUS = 1000.0  # times the largest chunk value: deadlines first
SPEED_PREFERENCE = 0.1
OVERRUN_WEEKS = 2.0


def optimised_schedule(problem: PlanProblem, *, window_weeks: int = 13, seconds_per_window: float = 2.0,
                       candidate_factor: float = 3.0, teams_per_chunk: int = 8, max_candidates: int = 8000,
                       workers: int = 2, seed: int = 1) -> Schedule:
    began = time.perf_counter()
    timeline = Timeline(problem)
    weeks = problem.calendar.weeks
    statuses: list[str] = []
    for first in range(0, weeks, window_weeks):
        last = min(first + window_weeks, weeks)
        chosen, status = _solve_window(problem, timeline, first, last, window_weeks, seconds_per_window,
                                       candidate_factor, teams_per_chunk, max_candidates, workers, seed)
        statuses.append(status)
        _place_chosen(problem, timeline, chosen, urgent_until=last + window_weeks)
        _backfill(problem, timeline, last)
    summary = ", ".join(f"{s}: {statuses.count(s)}" for s in sorted(set(statuses)))
    return timeline.schedule("cp-sat", time.perf_counter() - began, notes=f"windows {summary}")


def _place_chosen(problem: PlanProblem, timeline: Timeline, chosen: dict[int, int], *, urgent_until: float) -> None:
    """Time the chosen chunks: those of a deadline due by the end of the next window first, earliest deadline first;
    then by priority-weighted land per working day (the ratio rule, which releases the most weighted land earliest);
    earlier stages of a hazard always first."""
    value = problem.weighted_area()
    deadline = np.where(problem.chunk_deadline <= urgent_until, problem.chunk_deadline, np.inf)
    pending = sorted(chosen, key=lambda c: (deadline[c], -value[c] / max(float(problem.effort[c, chosen[c]]), 1e-9)))
    while pending:
        waiting = []
        for chunk in pending:
            if not np.isfinite(timeline.ready_time(chunk)) and timeline.problem.chunk_stage[chunk] > 0:
                waiting.append(chunk)
                continue
            start, finish = timeline.candidates(chunk, np.array([chosen[chunk]]))
            if np.isfinite(finish[0]):
                timeline.place(chunk, chosen[chunk], float(start[0]), float(finish[0]))
        if len(waiting) == len(pending):
            return  # what is left waits on a stage that could not be placed
        pending = waiting


def _backfill(problem: PlanProblem, timeline: Timeline, last: int) -> None:
    """Teams with days left before the window's end take the next chunks in priority order (as the greedy would)."""
    allowed = np.isfinite(problem.effort)
    for chunk in np.flatnonzero(timeline.team < 0):
        if not (timeline.team_free < last).any():
            return
        teams = np.flatnonzero(allowed[chunk] & (timeline.team_free < last))
        if not len(teams):
            continue
        start, finish = timeline.candidates(int(chunk), teams)
        best = int(np.argmin(finish))
        if finish[best] <= last:
            timeline.place(int(chunk), int(teams[best]), float(start[best]), float(finish[best]))


def _candidates(problem: PlanProblem, timeline: Timeline, effort: np.ndarray, capacity_days: float,
                candidate_factor: float, max_candidates: int) -> list[int]:
    """Unplaced chunks on offer to the window: deadline chunks, then the top of the priority ranking and the chunks of
    most priority-weighted land per working day, alternately, until the offer is a few times what the teams can do.
    A chunk brings the unplaced chunks of its hazard's earlier stages with it (they must be done first)."""
    value = problem.weighted_area()
    best = effort.min(axis=1)
    unplaced = np.flatnonzero((timeline.team < 0) & np.isfinite(best))
    if not len(unplaced):
        return []
    density = value[unplaced] / np.maximum(best[unplaced], 1e-9)
    by_density = unplaced[np.argsort(-density, kind="stable")]
    urgent = unplaced[np.isfinite(problem.chunk_deadline[unplaced])]
    interleaved = np.concatenate([urgent, np.column_stack([unplaced, by_density]).ravel()])
    _, first_seen = np.unique(interleaved, return_index=True)
    order = interleaved[np.sort(first_seen)]
    groups: dict[tuple[int, int], list[int]] = {}
    for chunk in unplaced:
        groups.setdefault((int(problem.chunk_hazard[chunk]), int(problem.chunk_stage[chunk])), []).append(int(chunk))
    offered: dict[int, None] = {}
    total = 0.0
    for chunk in order:
        if total >= candidate_factor * capacity_days or len(offered) >= max_candidates:
            break
        h, s = int(problem.chunk_hazard[chunk]), int(problem.chunk_stage[chunk])
        if any(timeline.unplaced[h, e] > len(groups.get((h, e), ())) for e in range(s)):
            continue  # an earlier stage has chunks no team can reach in this window
        for needed in [c for e in range(s) for c in groups.get((h, e), ())] + [int(chunk)]:
            if needed not in offered:
                offered[needed] = None
                total += best[needed]
    return list(offered)


def _solve_window(problem: PlanProblem, timeline: Timeline, first: int, last: int, window_weeks: int,
                  seconds: float, candidate_factor: float, teams_per_chunk: int, max_candidates: int,
                  workers: int, seed: int) -> tuple[dict[int, int], str]:
    free = np.maximum(timeline.team_free, first)
    capacity = np.where(free < last, problem.days_per_week * (last - free + OVERRUN_WEEKS), 0.0)
    if capacity.sum() <= 0:
        return {}, "idle"
    factor = problem.calendar.mean_factor(first, last, problem.days_per_week)[problem.chunk_district]
    with np.errstate(divide="ignore"):
        effort = problem.effort / np.where(factor > 0, factor, 0.0)[:, None]
    effort[:, capacity <= 0] = np.inf
    offered = _candidates(problem, timeline, effort, float(capacity.sum()), candidate_factor, max_candidates)
    if not offered:
        return {}, "nothing to offer"
    model = cp_model.CpModel()
    value = problem.weighted_area()
    top = float(value[offered].max()) or 1.0
    scale = 1e5 / top  # the largest ordinary chunk is worth 100,000 units; coefficients stay integers
    team_terms: dict[int, list] = {}
    taken: dict[int, list] = {}
    hints: dict[int, int] = _hint(offered, effort, capacity)
    objective = []
    for chunk in offered:
        row = effort[chunk]
        teams = np.flatnonzero(np.isfinite(row) & (row <= capacity))
        if not len(teams):
            continue
        teams = teams[np.argsort(row[teams], kind="stable")[:teams_per_chunk]]
        fastest = row[teams[0]]
        urgent = first <= problem.chunk_deadline[chunk] <= last + window_weeks
        worth = value[chunk] * scale + (DEADLINE_BONUS * 1e5 if urgent else 0.0)
        taken[chunk] = []
        for team in teams:
            x = model.new_bool_var(f"x{chunk}_{team}")
            penalty = SPEED_PREFERENCE * (1.0 - fastest / row[team])
            objective.append(int(round(worth * (1.0 - penalty))) * x)
            team_terms.setdefault(int(team), []).append((int(np.ceil(row[team] * 100)), x))
            taken[chunk].append(x)
            model.add_hint(x, int(hints.get(chunk) == team))
        model.add_at_most_one(taken[chunk])
    for team, terms in team_terms.items():
        model.add(sum(c * x for c, x in terms) <= int(capacity[team] * 100))
    _stage_order(problem, timeline, model, taken)
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, solver.status_name(status).lower()
    chosen = {}
    for chunk, variables in taken.items():
        for x in variables:
            if solver.value(x):
                chosen[chunk] = int(x.name.split("_")[1])
    return chosen, solver.status_name(status).lower()


def _stage_order(problem: PlanProblem, timeline: Timeline, model: cp_model.CpModel, taken: dict[int, list]) -> None:
    """A chunk of stage s is taken only if every unplaced chunk of the hazard's earlier stages is taken too."""
    by_stage: dict[tuple[int, int], list[int]] = {}
    for chunk in taken:
        by_stage.setdefault((int(problem.chunk_hazard[chunk]), int(problem.chunk_stage[chunk])), []).append(chunk)
    done: dict[tuple[int, int], cp_model.IntVar] = {}
    for (h, s), chunks in by_stage.items():
        for earlier in range(s):
            if timeline.unplaced[h, earlier] == 0:
                continue
            key = (h, earlier)
            if key not in done:
                flag = model.new_bool_var(f"done{h}_{earlier}")
                members = by_stage.get(key, [])
                if len(members) < timeline.unplaced[h, earlier]:
                    model.add(flag == 0)  # some of that stage is not even offered
                for member in members:
                    model.add(flag <= sum(taken[member]))
                done[key] = flag
            for chunk in chunks:
                model.add(sum(taken[chunk]) <= done[key])


def _hint(offered: list[int], effort: np.ndarray, capacity: np.ndarray) -> dict[int, int]:
    """A greedy fill of the window (priority order, fastest team with days left): CP-SAT's first solution."""
    left = capacity.copy()
    hint = {}
    for chunk in offered:
        row = effort[chunk]
        fits = np.flatnonzero(np.isfinite(row) & (row <= left))
        if len(fits):
            team = int(fits[np.argmin(row[fits])])
            hint[chunk] = team
            left[team] -= row[team]
    return hint
