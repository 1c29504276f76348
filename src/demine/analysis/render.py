"""Render the full report to a file format; HTML and PDF share one Jinja2 template (web/templates/reports)."""

from __future__ import annotations

import base64

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Connection

from demine.analysis.charts import TREND_WEEKS, Pictures, draw_pictures
from demine.analysis.figures import PeriodFigures
from demine.analysis.report_files import cell_text, render_csv, render_hxl, render_markdown, render_xlsx
from demine.analysis.statement import Statement
from demine.analysis.report_language import Words
from demine.analysis.tables import report_tables
from demine.errors import DemineError


def pictures(connection: Connection, figures: PeriodFigures) -> Pictures:
    return draw_pictures(connection, figures)


def render_html(figures: PeriodFigures, statement: Statement, shown: Pictures) -> str:
    environment = Environment(loader=PackageLoader("demine", "web/templates"), autoescape=select_autoescape(["html"]))
    template = environment.get_template("reports/full.html")
    return template.render(
        lang=statement.lang, period=figures.period, statement=statement, pending=figures.weekly.pending,
        tables=report_tables(figures, statement.lang), trend_weeks=TREND_WEEKS, t=Words(statement.lang),
        trend_png=base64.b64encode(shown.trend_png).decode("ascii"),
        map_png=base64.b64encode(shown.map_png).decode("ascii"),
        number=lambda value: cell_text(round(value, 1) if isinstance(value, float) else value, statement.numbers),
        cell=lambda value: cell_text(value, statement.numbers),
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # needs Debian libpango; imported only for PDF

    return HTML(string=html).write_pdf()


def render(figures: PeriodFigures, statement: Statement, report_format: str, shown: Pictures | None) -> bytes:
    tables = report_tables(figures, statement.lang)
    if report_format == "md":
        return render_markdown(figures, statement, tables)
    if report_format == "csv":
        return render_csv(tables)
    if report_format == "hxl":
        return render_hxl(figures)
    if report_format == "xlsx":
        return render_xlsx(figures, statement, tables)
    if report_format in ("html", "pdf"):
        if shown is None:
            raise DemineError("The HTML and PDF reports need their pictures drawn.")
        html = render_html(figures, statement, shown)
        return html.encode("utf-8") if report_format == "html" else render_pdf(html)
    raise DemineError(f"Unknown report format {report_format!r}.")
