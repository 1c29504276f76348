"""Reports over HTTP: the weekly statement with its figures (JSON) and the full report as a file download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query, Response

from demine.analysis.period import resolve_period
from demine.api.deps import RegisterDep
from demine.analysis.indicators import REPORT_DUE_DAYS
from demine.services.reports import REPORT_FORMATS, full_report, weekly_json, weekly_report

router = APIRouter(prefix="/reports", tags=["reports"])
LANG = Query("en", pattern="^(en|az|ru)$", description="Language of the statement.")
NUMBERS = Query(None, description="Number format of another locale, e.g. az for 8.086 and 2.790,9.")


@router.get("/weekly")
def weekly(register: RegisterDep, start: dt.date | None = Query(None, alias="from"),
           end: dt.date | None = Query(None, alias="to"), period: str | None = Query(None, pattern="^(week|month|year)$"),
           lang: str = LANG, numbers: str | None = NUMBERS) -> dict[str, Any]:
    """The statement of a period in the agency's form and the figures it is written from (approved data only)."""
    chosen = resolve_period(start=start, end=end, kind=period)
    return weekly_json(weekly_report(register, chosen, lang=lang, numbers=numbers))


@router.get("/full")
def full(register: RegisterDep, start: dt.date | None = Query(None, alias="from"),
         end: dt.date | None = Query(None, alias="to"), period: str | None = Query(None, pattern="^(week|month|year)$"),
         report_format: str = Query("html", alias="format", pattern="^(" + "|".join(REPORT_FORMATS) + ")$"),
         cumulative_from: dt.date | None = Query(None, description="Start of the cumulative figures."),
         reports_due_after: int = Query(REPORT_DUE_DAYS, ge=0, le=60,
                                        description="Days after its period by which a progress report is due."),
         lang: str = LANG, numbers: str | None = NUMBERS) -> Response:
    """The full report as a file: md, csv, hxl (HXL-tagged CSV of the district figures), xlsx, html or pdf."""
    chosen = resolve_period(start=start, end=end, kind=period)
    result = full_report(register, chosen, report_format=report_format, since=cumulative_from, lang=lang,
                         numbers=numbers, due_days=reports_due_after)
    return Response(result.content, media_type=result.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{result.file_name}"'})
