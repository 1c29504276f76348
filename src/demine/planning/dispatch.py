"""Dispatching: the way a programme runs day to day. Whenever a team is free, it takes the highest-ranked chunk of
work it may do (method allowed, within reach) whose earlier stages are finished; if none is ready, it waits for the
next one to become ready. Unlike the ranking list (greedy.py), no team sits idle while a task it could do is waiting.

The forecast plays the programme forward with it: it is what "at the current capacity" means. It may also say
what each team does first (its activity going on at the date: `first_choice`) and whether a hazard's stage is worked
by one team at a time (`one_team_per_stage`), as the register shows the programme working (habits.py).
"""

from __future__ import annotations

import heapq
import time

import numpy as np

from demine.planning.timeline import Schedule, Timeline
from demine.planning.work import PlanProblem

# A team holds a hazard's stage (one team per stage) only if it needs at most this many times the days of the fastest
# team for it: a hand team that came upon a battle area does not keep its machines waiting for years.
SUITED_EFFORT = 3.0


def dispatch_schedule(problem: PlanProblem, *, first_choice: dict[int, np.ndarray] | None = None,
                      one_team_per_stage: bool = False) -> Schedule:
    began = time.perf_counter()
    timeline = Timeline(problem)
    horizon = float(problem.calendar.weeks)
    allowed = np.ascontiguousarray(np.isfinite(problem.effort).T)  # (team, chunk)
    # Each team's chunks still open, in priority order (closed chunks are pruned as the team looks at them).
    own = [np.flatnonzero(allowed[k]) for k in range(len(problem.teams))]
    open_chunk = np.ones(problem.chunks, dtype=bool)
    # A chunk is ready at once when its hazard has no chunk of an earlier stage (that stage is done or empty).
    earlier = np.cumsum(timeline.unplaced, axis=1) - timeline.unplaced
    ready_at = np.where(earlier[problem.chunk_hazard, problem.chunk_stage] == 0, 0.0, np.inf)
    # With one team per stage, the team working a hazard's stage holds its other chunks until it has done them all
    # (the programme's activity is the stage, or what is left of it); -1: held by nobody.
    held = np.full(problem.chunks, -1, dtype=np.int64)
    suited = problem.effort <= SUITED_EFFORT * problem.effort.min(axis=1, keepdims=True)
    members: dict[int, np.ndarray] = {}
    for h in np.unique(problem.chunk_hazard):
        members[int(h)] = np.flatnonzero(problem.chunk_hazard == h)
    first_choice = {k: c for k, c in (first_choice or {}).items() if len(c)}
    if one_team_per_stage:
        for k, chunks in first_choice.items():
            held[chunks] = k
    queue = [(0.0, k) for k in range(len(problem.teams)) if len(own[k])]
    heapq.heapify(queue)
    wake = {k: 0.0 for _, k in queue}  # each team's one live entry in the queue (older ones are skipped)
    sleeping: set[int] = set()  # teams waiting for work to come free (one team per stage)

    def wake_up(chunks: np.ndarray, free_at: float, now: float) -> None:
        for k in [k for k in sleeping if wake[k] > free_at and allowed[k, chunks].any()]:
            wake[k] = max(free_at, now)
            heapq.heappush(queue, (wake[k], k))
            sleeping.discard(k)

    while queue:
        now, team = heapq.heappop(queue)
        if wake.get(team) != now:
            continue  # woken earlier since
        sleeping.discard(team)
        if now >= horizon:
            continue
        candidates = own[team][open_chunk[own[team]]]
        own[team] = candidates
        mine = (held[candidates] < 0) | (held[candidates] == team)
        ready = candidates[mine & (ready_at[candidates] <= now)]
        carried = _carried_on(first_choice, team, open_chunk, ready_at, now)
        if carried is not None or len(ready):
            # The team's own task first; else chunks are in priority order: the first ready one is the top.
            chunk = carried if carried is not None else int(ready[0])
            start, finish = timeline.candidate_one(chunk, team)
            open_chunk[chunk] = False
            if finish <= horizon:
                timeline.place(chunk, team, start, finish)
                hazard = members[int(problem.chunk_hazard[chunk])]
                if one_team_per_stage and held[chunk] != team and suited[chunk, team]:
                    # A new task: the team holds the rest of the stage (a team far slower than the best suited for
                    # it does its one chunk and leaves the rest to others).
                    _hand_back(first_choice, team, held, open_chunk, wake_up, now)
                    same = hazard[(problem.chunk_stage[hazard] == problem.chunk_stage[chunk]) & open_chunk[hazard]]
                    held[same] = team
                    first_choice[team] = same
                released = _release_next_stage(problem, timeline, hazard, ready_at)
                if released is not None and sleeping:  # a stage came free: wake those who may work it
                    wake_up(released[0], released[1], now)
                wake[team] = finish
                heapq.heappush(queue, (finish, team))
            else:
                wake[team] = now
                heapq.heappush(queue, (now, team))  # that chunk cannot end in time; look again
            continue
        if not len(candidates):
            continue  # nothing left this team may do
        # Wait until a chunk becomes ready or another team finishes (which may make one ready); at most a week.
        upcoming = ready_at[candidates[mine]]
        if one_team_per_stage:
            # Many teams wait at once: waking each at every other team's finish would cost (events x waiting
            # teams). Work behind an earlier stage wakes them when that stage is placed, held work when handed back.
            later = float(upcoming[upcoming > now].min()) if (upcoming > now).any() else np.inf
            sleeping.add(team)
            wake[team] = later
            if np.isfinite(later):
                heapq.heappush(queue, (later, team))
            continue
        later_times = [float(t) for t in (upcoming.min() if len(upcoming) else np.inf, queue[0][0] if queue
                                          else np.inf) if np.isfinite(t) and t > now]
        wake[team] = min(later_times + [now + 1.0])
        heapq.heappush(queue, (wake[team], team))
    return timeline.schedule("dispatch", time.perf_counter() - began)


def _carried_on(first_choice: dict[int, np.ndarray], team: int, open_chunk: np.ndarray, ready_at: np.ndarray,
                now: float) -> int | None:
    """The next ready chunk of the task the team has in hand; the task is forgotten once none is left."""
    chunks = first_choice.get(team)
    if chunks is None:
        return None
    chunks = chunks[open_chunk[chunks]]
    if not len(chunks):
        del first_choice[team]
        return None
    first_choice[team] = chunks
    ready = chunks[ready_at[chunks] <= now]
    return int(ready[0]) if len(ready) else None


def _hand_back(first_choice: dict[int, np.ndarray], team: int, held: np.ndarray, open_chunk: np.ndarray,
               wake_up, now: float) -> None:  # type: ignore[no-untyped-def]
    """A team leaving a task unfinished (its next chunk was not ready) hands the rest back to the others."""
    left = first_choice.pop(team, np.zeros(0, dtype=np.int64))
    left = left[open_chunk[left] & (held[left] == team)]
    if len(left):
        held[left] = -1
        wake_up(left, now, now)


def _release_next_stage(problem: PlanProblem, timeline: Timeline, chunks: np.ndarray,
                        ready_at: np.ndarray) -> tuple[np.ndarray, float] | None:
    """Once every chunk of a hazard's earlier stages is placed, its later stages are ready when those finish.
    Returns the chunks that have just come free and when, if any did."""
    h = int(problem.chunk_hazard[chunks[0]])
    released = None
    for stage in (1, 2):
        if timeline.unplaced[h, :stage].any():
            return released
        waiting = chunks[problem.chunk_stage[chunks] == stage]
        done = timeline.stage_finish[h, :stage].max()
        if len(waiting) and np.isinf(ready_at[waiting]).any():
            released = (waiting, float(done)) if released is None else (
                np.concatenate([released[0], waiting]), min(released[1], float(done)))
        # Not ready before (inf) -> ready when the earlier stages end; a wait set since (one team per stage) stays.
        ready_at[waiting] = np.where(np.isinf(ready_at[waiting]), done, np.maximum(ready_at[waiting], done))
    return released
