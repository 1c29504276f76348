"""The full report as Markdown, CSV, HXL-tagged CSV and XLSX (HTML and PDF are in report_html)."""

from __future__ import annotations

import csv
import io

from babel.numbers import format_decimal

from demine.analysis.figures import PeriodFigures
from demine.analysis.report_language import Words
from demine.analysis.statement import Statement
from demine.analysis.tables import CATEGORIES, ReportTable, Value
from demine.domain.geodesy import M2_PER_HECTARE

# HXL hashtags of the district figures (docs/reports.md). #output is HXL's hashtag for what an activity produced; the
# attributes say what is counted. Not #affected: that hashtag counts people affected, not ordnance.
HXL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("district", "#adm2+name"),
    ("district code", "#adm2+code"),
    ("period start", "#date+start"),
    ("period end", "#date+end"),
    ("AP mines", "#output+explosive+ap_mine+num"),
    ("AT mines", "#output+explosive+at_mine+num"),
    ("unexploded ordnance (UXO, AXO, submunitions)", "#output+explosive+uxo+num"),
    ("all items found", "#output+explosive+total+num"),
    ("cancelled ha", "#output+land+cancelled+ha+num"),
    ("reduced ha", "#output+land+reduced+ha+num"),
    ("cleared ha", "#output+land+cleared+ha+num"),
    ("released ha", "#output+land+released+ha+num"),
)


def cell_text(value: Value, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return format_decimal(value, locale=locale)
    return format_decimal(value, format="#,##0.0##", locale=locale)


def _heading(figures: PeriodFigures, statement: Statement) -> list[str]:
    period, pending, w = figures.period, figures.weekly.pending.reports, Words(statement.lang)
    return ["# " + w("Operational report, {start} to {end}", start=period.start.isoformat(),
                     end=period.end.isoformat()), "",
            f"> {statement.finds} {statement.land}", "",
            w("Only approved data counts; {count} progress report(s) awaiting review are not included.", count=pending)
            if pending else w("Only approved data counts; no progress report is awaiting review."), ""]


def render_markdown(figures: PeriodFigures, statement: Statement, tables: list[ReportTable]) -> bytes:
    lines = _heading(figures, statement)
    for table in tables:
        lines += [f"## {table.title}", ""]
        if table.note:
            lines += [table.note, ""]
        if not table.rows:
            lines += [Words(statement.lang)("None in this period."), ""]
            continue
        lines.append("| " + " | ".join(table.columns) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(table.columns))) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(cell_text(v, statement.numbers).replace("|", "/") for v in row) + " |")
        lines.append("")
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def render_csv(tables: list[ReportTable]) -> bytes:
    """Every table one after the other, each headed by its title: raw values, dot decimals, for any spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for table in tables:
        writer.writerow([f"# {table.title}"])
        writer.writerow(table.columns)
        writer.writerows([["" if v is None else v for v in row] for row in table.rows])
        writer.writerow([])
    return out.getvalue().encode("utf-8")


def render_hxl(figures: PeriodFigures) -> bytes:
    """The district figures as an HXL-tagged CSV (header row, hashtag row, one row per district) for HDX."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c for c, _ in HXL_COLUMNS])
    writer.writerow([t for _, t in HXL_COLUMNS])
    period = figures.period
    for area in figures.weekly.districts:
        land = area.land
        writer.writerow([area.name, area.code, period.start.isoformat(), period.end.isoformat(), area.items.ap_mines,
                         area.items.at_mines, area.items.unexploded, area.items.total,
                         *[round(m2 / M2_PER_HECTARE, 4) for m2 in (land.cancelled_m2, land.reduced_m2,
                                                                     land.cleared_m2, land.total_m2)]])
    return out.getvalue().encode("utf-8")


def render_xlsx(figures: PeriodFigures, statement: Statement, tables: list[ReportTable]) -> bytes:
    """One sheet per table, after a first sheet with the statement; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    first.title = "statement"
    for line in _heading(figures, statement):
        first.append([line.lstrip("#> ")])
    first["A1"].font = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(list(table.columns))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        if table.note:
            sheet.append([])
            sheet.append([table.note])
        sheet.column_dimensions["A"].width = max(14, min(48, max((len(str(r[0])) for r in table.rows), default=0) + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


__all__ = ["CATEGORIES", "render_markdown", "render_csv", "render_hxl", "render_xlsx", "cell_text", "HXL_COLUMNS"]
