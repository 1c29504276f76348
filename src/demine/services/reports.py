"""Report use cases that the CLI and the API share: the weekly statement with its figures, and the full report file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from demine.analysis.compute import period_figures, weekly_figures
from demine.analysis.figures import AreaFigures, WeeklyFigures
from demine.analysis.indicators import REPORT_DUE_DAYS
from demine.analysis.period import Period
from demine.analysis.statement import Statement, write_statement
from demine.errors import DemineError
from demine.services.register import Register

REPORT_FORMATS = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


@dataclass(frozen=True, slots=True)
class WeeklyReport:
    statement: Statement
    figures: WeeklyFigures


@dataclass(frozen=True, slots=True)
class ReportFile:
    content: bytes
    media_type: str
    file_name: str


def weekly_report(register: Register, period: Period, *, lang: str = "en", numbers: str | None = None) -> WeeklyReport:
    with register.reading() as connection:
        figures = weekly_figures(connection, period)
    return WeeklyReport(write_statement(figures, lang=lang, numbers=numbers), figures)


def full_report(register: Register, period: Period, *, report_format: str, since: dt.date | None = None,
                lang: str = "en", numbers: str | None = None, due_days: int = REPORT_DUE_DAYS) -> ReportFile:
    """The full report rendered to one file format (md, csv, hxl, xlsx, html or pdf); progress reports sent more
    than `due_days` after their period are listed as late."""
    if report_format not in REPORT_FORMATS:
        raise DemineError(f"Unknown report format {report_format!r}; use one of: {', '.join(REPORT_FORMATS)}.")
    from demine.analysis import render  # renderers pull in matplotlib, openpyxl, WeasyPrint: only when asked

    with register.reading() as connection:
        figures = period_figures(connection, period, since=since, due_days=due_days)
        statement = write_statement(figures.weekly, lang=lang, numbers=numbers)
        pictures = render.pictures(connection, figures) if report_format in ("html", "pdf") else None
    content = render.render(figures, statement, report_format, pictures)
    suffix = "csv" if report_format == "hxl" else report_format
    name = f"demine-report-{period.start.isoformat()}-{period.end.isoformat()}.{suffix}"
    return ReportFile(content, REPORT_FORMATS[report_format], name)


def _area_json(area: AreaFigures) -> dict[str, Any]:
    items = area.items
    return {"code": area.code, "name": area.name, "reporting_order": area.reporting_order,
            "ap_mines": items.ap_mines, "at_mines": items.at_mines, "unexploded_ordnance": items.unexploded,
            "items_by_category": dict(items.by_category), "items_total": items.total,
            "cancelled_ha": round(area.land.hectares("cancelled"), 4), "reduced_ha": round(area.land.hectares("reduced"), 4),
            "cleared_ha": round(area.land.hectares("cleared"), 4), "released_ha": round(area.land.total_ha, 4),
            "items_per_hectare": area.items_per_hectare}


def weekly_json(report: WeeklyReport) -> dict[str, Any]:
    """The statement and its figures as the API returns them."""
    figures = report.figures
    return {
        "period": {"from": figures.period.start.isoformat(), "to": figures.period.end.isoformat(),
                   "kind": figures.period.kind.value},
        "lang": report.statement.lang, "numbers": report.statement.numbers,
        "statement": report.statement.text,
        "sentences": [report.statement.finds, report.statement.land],
        "national": _area_json(figures.national),
        "districts": [_area_json(d) for d in figures.districts],
        "named_districts": [d.name for d in figures.named_districts],
        "pending": {"reports": figures.pending.reports, "items": figures.pending.items,
                    "released_ha": round(figures.pending.land_m2 / 10_000, 4)},
    }
