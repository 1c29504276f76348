"""The optimised plan: OR-Tools CP-SAT, decomposed into time windows (rolling horizon) of an assignment model.

For each window (13 weeks by default) the model chooses which chunks of work each team takes, so as to maximise the
priority-weighted land released in the window:
- each chunk goes to at most one team, and only to a team whose method is allowed for the hazard type and stage and
  whose base is within reach (effort is infinite otherwise: no variable is made);
- a team takes no more working days than it has left in the window (its calendar's days, seasons averaged per
  district over the window), plus two weeks of overrun that the next window then lacks;
- a stage's chunks are taken only with or after all chunks of the hazard's earlier stages (NTS, then TS, then
  clearance);
- chunks of hazards blocking a project whose deadline falls within 13 weeks after the window come first
  (lexicographically: a large bonus), so deadlines are met wherever capacity allows;
- among teams, the faster one is preferred a little (up to 10% of a chunk's value), which saves capacity and travel;
- each chunk is charged for the days it takes at the window's marginal price (`capacity_price`): the value per day
  of the best ordinary chunk that a fill by value per day had no days left for. Without it the window squeezes in
  low-value chunks that use days its overrun then takes from the next window, and trades a day of a fast chunk
  against a day of a slow one at no cost; with it, CP-SAT beat greedy on the national cut-offs by +2.3-2.8% against
  -0.2-+0.4% (same runs) and on the synthetic programme by +1.5% against -1.4% (docs/planning.md, section 6).
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
# Weeks per window. Shorter windows (6) gained on a small synthetic programme but lost on the full one and at the
# national cut-off (they meet more deadlines, at the cost of weighted release); 26 did worse (docs/benchmarks.md).
WINDOW_WEEKS = 13
# Deadlines due within this many weeks after a window's end are worked first (independent of the window's length).
DEADLINE_LOOKAHEAD_WEEKS = 13


def optimised_schedule(problem: PlanProblem, *, window_weeks: int = WINDOW_WEEKS, seconds_per_window: float = 2.0,
                       candidate_factor: float = 2.5, teams_per_chunk: int = 5, max_candidates: int = 8000,
                       workers: int = 2, seed: int = 1, deadline_bonus: float = DEADLINE_BONUS,
                       capacity_price: bool = True) -> Schedule:
    began = time.perf_counter()
    timeline = Timeline(problem)
    weeks = problem.calendar.weeks
    statuses: list[str] = []
    for first in range(0, weeks, window_weeks):
        last = min(first + window_weeks, weeks)
        chosen, status, offered = _solve_window(problem, timeline, first, last, DEADLINE_LOOKAHEAD_WEEKS,
                                                seconds_per_window,
                                                candidate_factor, teams_per_chunk, max_candidates, workers, seed,
                                                deadline_bonus, capacity_price)
        statuses.append(status)
        _place_chosen(problem, timeline, chosen, urgent_until=last + DEADLINE_LOOKAHEAD_WEEKS)
        _backfill(problem, timeline, last, offered)
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
            start, finish = timeline.candidate_one(chunk, chosen[chunk])
            if np.isfinite(finish):
                timeline.place(chunk, chosen[chunk], start, finish)
        if len(waiting) == len(pending):
            return  # what is left waits on a stage that could not be placed
        pending = waiting


def _backfill(problem: PlanProblem, timeline: Timeline, last: int, offered: list[int]) -> None:
    """Teams with days left before the window's end take the chunks on offer left over, in priority order."""
    allowed = np.isfinite(problem.effort)
    for chunk in sorted(c for c in offered if timeline.team[c] < 0):
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


def _solve_window(problem: PlanProblem, timeline: Timeline, first: int, last: int, lookahead_weeks: int,
                  seconds: float, candidate_factor: float, teams_per_chunk: int, max_candidates: int,
                  workers: int, seed: int, deadline_bonus: float,
                  capacity_price: bool) -> tuple[dict[int, int], str, list[int]]:
    free = np.maximum(timeline.team_free, first)
    capacity = np.where(free < last, problem.days_per_week * (last - free + OVERRUN_WEEKS), 0.0)
    if capacity.sum() <= 0:
        return {}, "idle", []
    factor = problem.calendar.mean_factor(first, last, problem.days_per_week)[problem.chunk_district]
    with np.errstate(divide="ignore"):
        effort = problem.effort / np.where(factor > 0, factor, 0.0).astype(np.float32)[:, None]
    effort[:, capacity <= 0] = np.inf
    offered = np.array(_candidates(problem, timeline, effort, float(capacity.sum()), candidate_factor,
                                   max_candidates), dtype=np.int64)
    if not len(offered):
        return {}, "nothing to offer", []
    # Each offered chunk's fastest teams (those with the days for it), and its cost in hundredths of a day.
    sub = effort[offered].astype(float)
    sub[sub > capacity[None, :]] = np.inf
    width = min(teams_per_chunk, sub.shape[1])
    teams = np.argsort(sub, axis=1, kind="stable")[:, :width]
    days = np.take_along_axis(sub, teams, axis=1)
    valid = np.isfinite(days)
    cost = np.where(valid, np.ceil(np.where(valid, days, 0) * 100), 0).astype(np.int64)
    limit = (capacity * 100).astype(np.int64)
    value = problem.weighted_area()[offered]
    urgent = (first <= problem.chunk_deadline[offered]) & (problem.chunk_deadline[offered] <= last + lookahead_weeks)
    worth = value * (1e5 / (float(value.max()) or 1.0)) + np.where(urgent, deadline_bonus * 1e5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        penalty = SPEED_PREFERENCE * (1.0 - days[:, :1] / days)
    gain = np.where(valid, np.round(worth[:, None] * (1.0 - np.nan_to_num(penalty))), 0).astype(np.int64)
    # Two greedy fills, in priority order and by weighted land per day of work; the better one is the hint.
    short: list[int] = []  # rows the density-ordered fill had no team with the days for
    fills = [_hint(problem, timeline, offered, teams, valid, cost, limit, order, out_of_days=days_short)
             for order, days_short in ((np.arange(len(offered)), None),
                                       (np.argsort(-gain[:, 0] / np.maximum(cost[:, 0], 1), kind="stable"), short))]
    if capacity_price:
        gain = _charged(gain, cost, valid, np.array(short, dtype=np.int64), urgent)
    row_of = {int(c): r for r, c in enumerate(offered)}
    hint = max(fills, key=lambda fill: sum(int(gain[row_of[c], list(teams[row_of[c]]).index(t)])
                                           for c, t in fill.items()))

    # The model is written straight into its protocol buffer: at tens of thousands of variables per window, the
    # Python expression layer costs more than the search.
    model = cp_model.CpModel()
    proto = model.proto
    rows, columns = np.nonzero(valid)
    if not len(rows):
        return {}, "nothing fits", list(offered)
    n = len(rows)
    for _ in range(n):
        variable = proto.variables.add()
        variable.domain.extend((0, 1))
    chunk_of, team_of = offered[rows], teams[rows, columns]
    proto.solution_hint.vars.extend(range(n))
    proto.solution_hint.values.extend(int(hint.get(int(c)) == int(t)) for c, t in zip(chunk_of, team_of))
    starts = np.flatnonzero(np.diff(np.concatenate([[-1], rows])))  # rows are sorted: one run per chunk
    bounds = np.append(starts, n)
    taken = {int(chunk_of[a]): list(range(a, b)) for a, b in zip(bounds[:-1], bounds[1:])}
    for members in taken.values():
        if len(members) > 1:
            proto.constraints.add().at_most_one.literals.extend(members)
    order = np.argsort(team_of, kind="stable")
    team_bounds = np.flatnonzero(np.diff(np.concatenate([[-1], team_of[order]]))).tolist() + [n]
    flat_cost = cost[rows, columns]
    for a, b in zip(team_bounds[:-1], team_bounds[1:]):
        members = order[a:b]
        linear = proto.constraints.add().linear
        linear.vars.extend(members.tolist())
        linear.coeffs.extend(flat_cost[members].tolist())
        linear.domain.extend((0, int(limit[team_of[members[0]]])))
    _stage_order(problem, timeline, model, taken, set(hint))
    # Maximise: the proto minimises, so the coefficients are negated and the scaling factor is -1.
    proto.objective.vars.extend(range(n))
    proto.objective.coeffs.extend((-gain[rows, columns]).tolist())
    proto.objective.scaling_factor = -1.0
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    # The model is a plain assignment: presolve buys little and, on large windows, eats the whole time limit
    # before the hint (a complete, feasible plan) is even tried.
    solver.parameters.cp_model_presolve = False
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint, "hint (" + solver.status_name(status).lower() + ")", list(offered)  # the greedy fill is a valid plan
    values = np.array(solver.response_proto.solution, dtype=np.int64)[:n]
    chosen = {int(c): int(t) for c, t in zip(chunk_of[values > 0], team_of[values > 0])}
    return chosen, solver.status_name(status).lower(), list(offered)


def _charged(gain: np.ndarray, cost: np.ndarray, valid: np.ndarray, short: np.ndarray,
             urgent: np.ndarray) -> np.ndarray:
    """Each chunk charged for the days it uses at the window's marginal price: the gain per day of the best chunk
    (deadline chunks aside) that the fill by gain per day found no team with the days for; none: capacity is slack
    and days are free. A chunk worth less than the days it takes would be worth on another is then left out rather
    than squeezed in, and the model trades days between chunks at their worth."""
    short = short[~urgent[short]] if len(short) else short
    if not len(short):
        return gain
    price = float((gain[short, 0] / np.maximum(cost[short, 0], 1)).max())
    return np.where(valid, gain - np.round(price * cost), 0).astype(np.int64)


def _stage_order(problem: PlanProblem, timeline: Timeline, model: cp_model.CpModel, taken: dict[int, list[int]],
                 hinted: set[int]) -> None:
    """A chunk of stage s is taken only if every unplaced chunk of the hazard's earlier stages is taken too: a flag
    per hazard and earlier stage is 1 only if all its chunks are taken, and each later chunk needs the flag."""
    proto = model.proto
    by_stage: dict[tuple[int, int], list[int]] = {}
    for chunk in taken:
        by_stage.setdefault((int(problem.chunk_hazard[chunk]), int(problem.chunk_stage[chunk])), []).append(chunk)

    def linear(variables: list[int], coeffs: list[int], low: int, high: int) -> None:
        constraint = proto.constraints.add().linear
        constraint.vars.extend(variables)
        constraint.coeffs.extend(coeffs)
        constraint.domain.extend((low, high))

    flags: dict[tuple[int, int], int] = {}
    for (h, s), chunks in by_stage.items():
        for earlier in range(s):
            if timeline.unplaced[h, earlier] == 0:
                continue
            key = (h, earlier)
            if key not in flags:
                flag = len(proto.variables)
                proto.variables.add().domain.extend((0, 1))
                members = by_stage.get(key, [])
                complete = len(members) == timeline.unplaced[h, earlier]
                if not complete:
                    linear([flag], [1], 0, 0)  # some of that stage is not even offered
                for member in members:  # flag <= sum(x of member)
                    linear([flag] + taken[member], [1] + [-1] * len(taken[member]), -len(taken[member]), 0)
                proto.solution_hint.vars.append(flag)
                proto.solution_hint.values.append(int(complete and all(m in hinted for m in members)))
                flags[key] = flag
            for chunk in chunks:  # sum(x of chunk) <= flag
                linear(taken[chunk] + [flags[key]], [1] * len(taken[chunk]) + [-1], -1, 0)


def _hint(problem: PlanProblem, timeline: Timeline, offered: np.ndarray, teams: np.ndarray, valid: np.ndarray,
          cost: np.ndarray, limit: np.ndarray, order: np.ndarray, out_of_days: list[int] | None = None
          ) -> dict[int, int]:
    """A greedy fill of the window that satisfies the model (priority order, fastest team with days left, a stage
    only after all of the hazard's earlier stages): CP-SAT's first solution, and the plan if it finds none."""
    left = limit.copy()
    hint: dict[int, int] = {}
    hinted: dict[tuple[int, int], int] = {}
    for r in order:
        chunk = offered[r]
        h, s = int(problem.chunk_hazard[chunk]), int(problem.chunk_stage[chunk])
        if any(timeline.unplaced[h, e] > hinted.get((h, e), 0) for e in range(s)):
            continue
        for c in np.flatnonzero(valid[r]):
            team = int(teams[r, c])
            if cost[r, c] <= left[team]:
                hint[int(chunk)] = team
                left[team] -= cost[r, c]
                hinted[(h, s)] = hinted.get((h, s), 0) + 1
                break
        else:
            if out_of_days is not None and valid[r].any():
                out_of_days.append(int(r))
    return hint
