"""Clearance planning over HTTP (JSON for the web application): priorities, the schedule against greedy, forecast.

The work is in demine.planning; these routes only read the query and shape the answer. They need a signed-in role
that may read the register (hazard codes and places are single records, not aggregates). Computation is bounded by
the query limits (years, seconds per window, runs) so that a request cannot hold the server for long.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
from fastapi import APIRouter, Query

from demine.api.deps import RegisterDep
from demine.api.security import CurrentUser, require
from demine.domain.roles import Right

router = APIRouter(prefix="/planning", tags=["planning"])
AS_OF = Query(None, description="Plan with the data known at this date (default: today).")
ADD_TEAMS = Query([], description="What-if teams, N:method or N:method@base; repeatable.")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records", date_format="iso", date_unit="s"))


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@router.get("/priorities")
def priorities(register: RegisterDep, user: CurrentUser, as_of: dt.date | None = AS_OF,
               limit: int = Query(100, ge=1, le=100_000)) -> dict[str, Any]:
    """Hazard areas still to be worked, ranked, with each criterion's value and contribution to the score."""
    from demine.planning.plan import prepare

    require(user, Right.READ_REGISTER)
    setup = prepare(register, as_of=as_of)
    return {"as_of": setup.inputs.as_of.isoformat(), "criteria": setup.criteria.weights,
            "total": len(setup.ranking), "items": _records(setup.ranking.head(limit))}


@router.get("/schedule")
def schedule(register: RegisterDep, user: CurrentUser, as_of: dt.date | None = AS_OF,
             years: float = Query(2.0, gt=0, le=10), seconds_per_window: float = Query(0.5, gt=0, le=5),
             add_teams: list[str] = ADD_TEAMS, limit: int = Query(2000, ge=1, le=200_000)) -> dict[str, Any]:
    """The CP-SAT plan week by week, its comparison with the greedy ranking, and the weekly release."""
    from demine.planning import plan as planning

    require(user, Right.READ_REGISTER)
    setup = planning.prepare(register, as_of=as_of, extra_teams=tuple(add_teams))
    result = planning.schedule(setup, years=years, seconds_per_window=seconds_per_window)
    table = planning.assignments(result.problem, result.optimised)
    return {"start": result.problem.calendar.start.isoformat(), "years": years,
            "comparison": _records(result.comparison()), "gain_over_greedy": round(result.gain(), 4),
            "unreachable": _records(result.unreachable()), "total": len(table),
            "assignments": _records(table.head(limit)),
            "weekly": _records(planning.weekly_release(result.problem, result.optimised))}


@router.get("/forecast")
def forecast(register: RegisterDep, user: CurrentUser, as_of: dt.date | None = AS_OF,
             runs: int = Query(30, ge=1, le=200), seed: int = 1, add_teams: list[str] = ADD_TEAMS) -> dict[str, Any]:
    """When the known task ends, per district, per project and nationally, with P10-P90."""
    from demine.planning.forecast import forecast_completion
    from demine.planning.plan import prepare

    require(user, Right.READ_REGISTER)
    label = "With the added teams" if add_teams else "At the current capacity"
    result = forecast_completion(prepare(register, as_of=as_of, extra_teams=tuple(add_teams)), runs=runs, seed=seed,
                                 capacity_label=label)
    return {"as_of": result.as_of.isoformat(), "runs": result.runs, "sentence": result.sentence(),
            "national": {k: _date(v) for k, v in result.national.items()},
            "districts": _records(result.districts), "projects": _records(result.projects),
            "released": _records(result.released)}
