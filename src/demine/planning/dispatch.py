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


def dispatch_schedule(problem: PlanProblem, *, first_choice: dict[int, np.ndarray] | None = None,
                      one_team_per_stage: bool = False) -> Schedule:
    began = time.perf_counter()
    timeline = Timeline(problem)
    horizon = float(problem.calendar.weeks)
    allowed = np.ascontiguousarray(np.isfinite(problem.effort).T)  # (team, chunk): one row read per decision
    open_chunk = np.ones(problem.chunks, dtype=bool)
    # A chunk is ready at once when its hazard has no chunk of an earlier stage (that stage is done or empty).
    earlier = np.cumsum(timeline.unplaced, axis=1) - timeline.unplaced
    ready_at = np.where(earlier[problem.chunk_hazard, problem.chunk_stage] == 0, 0.0, np.inf)
    members: dict[int, np.ndarray] = {}
    for h in np.unique(problem.chunk_hazard):
        members[int(h)] = np.flatnonzero(problem.chunk_hazard == h)
    first_choice = {k: c for k, c in (first_choice or {}).items() if len(c)}
    queue = [(0.0, k) for k in range(len(problem.teams)) if allowed[k].any()]
    heapq.heapify(queue)
    wake = {k: 0.0 for _, k in queue}  # each team's one live entry in the queue (older ones are skipped)
    sleeping: set[int] = set()  # teams waiting for work to come free (one team per stage)
    while queue:
        now, team = heapq.heappop(queue)
        if wake.get(team) != now:
            continue  # woken earlier since
        sleeping.discard(team)
        if now >= horizon:
            continue
        candidates = open_chunk & allowed[team]
        ready = candidates & (ready_at <= now)
        own = _carried_on(first_choice, team, open_chunk, ready)
        if own is not None or ready.any():
            # The team's own task first; else chunks are in priority order: the first ready one is the top.
            chunk = own if own is not None else int(np.argmax(ready))
            # Not before the chunk is free to take (another team may have held its stage until then).
            timeline.team_free[team] = max(timeline.team_free[team], ready_at[chunk])
            start, finish = timeline.candidate_one(chunk, team)
            open_chunk[chunk] = False
            if finish <= horizon:
                timeline.place(chunk, team, start, finish)
                hazard = members[int(problem.chunk_hazard[chunk])]
                if one_team_per_stage:  # the rest of this stage waits until this team is done with its part
                    same = hazard[(problem.chunk_stage[hazard] == problem.chunk_stage[chunk]) & open_chunk[hazard]]
                    ready_at[same] = np.maximum(ready_at[same], finish)
                released = _release_next_stage(problem, timeline, hazard, ready_at)
                if released is not None and sleeping:  # a stage came free: wake those who may work it
                    chunks, free_at = released
                    for k in [k for k in sleeping if wake[k] > free_at and allowed[k, chunks].any()]:
                        wake[k] = max(free_at, now)
                        heapq.heappush(queue, (wake[k], k))
                        sleeping.discard(k)
                wake[team] = finish
                heapq.heappush(queue, (finish, team))
            else:
                wake[team] = now
                heapq.heappush(queue, (now, team))  # that chunk cannot end in time; look again
            continue
        if not candidates.any():
            continue  # nothing left this team may do
        # Wait until a chunk becomes ready or another team finishes (which may make one ready); at most a week.
        # With one team per stage many teams wait at once: waking each at every other team's finish would cost
        # (events x waiting teams), so they wake when a chunk of theirs comes free, or after a week.
        upcoming = ready_at[candidates]
        next_finish = queue[0][0] if queue and not one_team_per_stage else np.inf
        later = [float(t) for t in (upcoming.min(), next_finish) if np.isfinite(t) and t > now]
        wake[team] = min(later + [now + 1.0])
        heapq.heappush(queue, (wake[team], team))
        if one_team_per_stage:
            sleeping.add(team)
    return timeline.schedule("dispatch", time.perf_counter() - began)


def _carried_on(first_choice: dict[int, np.ndarray], team: int, open_chunk: np.ndarray,
                ready: np.ndarray) -> int | None:
    """The next ready chunk of the task the team was on at the date; the task is forgotten once none is left."""
    chunks = first_choice.get(team)
    if chunks is None:
        return None
    chunks = chunks[open_chunk[chunks]]
    if not len(chunks):
        del first_choice[team]
        return None
    first_choice[team] = chunks
    now = chunks[ready[chunks]]
    return int(now[0]) if len(now) else None


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
