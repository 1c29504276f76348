"""The dashboard page and its figures as JSON (aggregates of approved data only, so public)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from demine.api.deps import RegisterDep
from demine.api.security import CurrentUser
from demine.api.templating import render
from demine.services.dashboard import OUTCOMES, Dashboard, dashboard

router = APIRouter(tags=["dashboard"])
DayQuery = Query(None, description="Any day of the week to show; default: the latest week with approved results.")


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(request: Request, user: CurrentUser, register: RegisterDep,
                   day: dt.date | None = DayQuery) -> Response:
    figures = dashboard(register, day=day)
    return render(request, "dashboard.html", user, d=figures, outcomes=OUTCOMES, chart=_chart(figures))


@router.get("/dashboard/figures")
def dashboard_figures(register: RegisterDep, day: dt.date | None = DayQuery) -> dict[str, Any]:
    figures = dashboard(register, day=day)
    body = dataclasses.asdict(figures)
    for key in ("week", "cumulative"):
        totals = getattr(figures, key)
        body[key].update(released_ha=totals.released_ha, ap=totals.ap, at=totals.at, uxo=totals.uxo)
    return body


def _chart(figures: Dashboard, width: int = 720, height: int = 220) -> dict[str, Any]:
    """Bar geometry for the inline SVG trend (stacked hectares by outcome per week); no chart library needed."""
    top = max((sum(b.released_ha.values()) for b in figures.trend), default=0) or 1.0
    slot = width / max(len(figures.trend), 1)
    bars = []
    for i, bar in enumerate(figures.trend):
        y = height
        for outcome in OUTCOMES:
            h = bar.released_ha[outcome] / top * height
            y -= h
            bars.append({"x": i * slot + 4, "y": y, "w": slot - 8, "h": h, "outcome": outcome,
                         "title": f"{bar.week_start}: {bar.released_ha[outcome]:.1f} ha {outcome}"})
    labels = [{"x": i * slot + slot / 2, "text": b.week_start.strftime("%d %b")} for i, b in enumerate(figures.trend)]
    return {"width": width, "height": height, "top": top, "bars": bars, "labels": labels}
