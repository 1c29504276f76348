"""The full report as plain tables (title, columns, rows of raw values): every file format renders these same tables,
so a figure can never differ between the PDF and the spreadsheet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from demine.analysis.figures import AreaFigures, PeriodFigures, Totals
from demine.analysis.report_language import Words
from demine.domain.geodesy import M2_PER_HECTARE
from demine.domain.vocabulary import EOCategory, codes

Value = str | int | float | None
CATEGORIES = codes(EOCategory)


@dataclass(frozen=True, slots=True)
class ReportTable:
    key: str  # sheet name and file-safe name
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    note: str = ""


def _ha(m2: float) -> float:
    return round(m2 / M2_PER_HECTARE, 4)


AREA_COLUMNS = (*[c.replace("_", " ") for c in CATEGORIES], "items", "cancelled ha", "reduced ha", "cleared ha",
                "released ha", "items per ha")  # in English; each report says them in its language (Words)


def _area_row(area: AreaFigures) -> tuple[Value, ...]:
    per_ha = area.items_per_hectare
    return (*[area.items.by_category.get(c, 0) for c in CATEGORIES], area.items.total,
            _ha(area.land.cancelled_m2), _ha(area.land.reduced_m2), _ha(area.land.cleared_m2), _ha(area.land.total_m2),
            round(per_ha, 3) if per_ha is not None else None)


def _areas(w: Words, key: str, title: str, first: str, areas: Sequence[AreaFigures], national: AreaFigures,
           note: str = "") -> ReportTable:
    rows = [(a.name, *_area_row(a)) for a in areas] + [(w("Total"), *_area_row(national))]
    return ReportTable(key, w(title), (w(first), *[w(c) for c in AREA_COLUMNS]), tuple(rows), w(note) if note else "")


def _change(now: float, before: float) -> float | None:
    return round((now - before) / before * 100, 1) if before else None


def _comparison(w: Words, figures: PeriodFigures) -> ReportTable:
    national, previous, cumulative = figures.national, figures.previous, figures.cumulative
    measures = [("AP mines", lambda t: t.items.ap_mines), ("AT mines", lambda t: t.items.at_mines),
                ("unexploded ordnance (UXO, AXO, submunitions)", lambda t: t.items.unexploded),
                ("all items", lambda t: t.items.total),
                ("cancelled ha", lambda t: _ha(t.land.cancelled_m2)), ("reduced ha", lambda t: _ha(t.land.reduced_m2)),
                ("cleared ha", lambda t: _ha(t.land.cleared_m2)), ("released ha", lambda t: _ha(t.land.total_m2))]
    now = Totals(figures.period, national.items, national.land)
    rows = tuple((w(name), get(now), get(previous), _change(get(now), get(previous)),
                  get(cumulative) if cumulative else None) for name, get in measures)
    since = (w("since {date}", date=cumulative.period.start.isoformat()) if cumulative
             else w("cumulative (no start date given)"))
    return ReportTable("comparison", w("This period, the previous period and cumulative figures"),
                       (w("measure"), w("this period"), w("previous ({period})", period=previous.period),
                        w("change %"), since), rows)


def _indicators(w: Words, figures: PeriodFigures) -> ReportTable:
    empty, pending = figures.empty_clearance, figures.weekly.pending
    per_ha = figures.national.items_per_hectare

    def pct(share: float | None) -> float | None:
        return round(share * 100, 2) if share is not None else None

    rows = (
        ("items per hectare cleared or reduced", round(per_ha, 3) if per_ha is not None else None),
        ("cleared ha (clearance and BAC tasks)", _ha(empty.cleared_m2)),
        ("cleared ha by tasks that found nothing", _ha(empty.cleared_m2_nothing_found)),
        ("share of cleared area where nothing was found, %", pct(empty.area_share)),
        ("clearance tasks completed", empty.completed_tasks),
        ("completed clearance tasks that found nothing", empty.completed_tasks_nothing_found),
        ("share of completed clearance tasks where nothing was found, %", pct(empty.task_share)),
        ("progress reports awaiting review (not counted)", pending.reports),
        ("items in reports awaiting review", pending.items),
        ("ha in reports awaiting review", _ha(pending.land_m2)),
    )
    return ReportTable("indicators", w("Indicators"), (w("indicator"), w("value")),
                       tuple((w(name), value) for name, value in rows))


def _productivity(w: Words, figures: PeriodFigures) -> list[ReportTable]:
    def rate(value: float | None) -> float | None:
        return round(value, 1) if value is not None else None

    teams = tuple((p.organisation, p.team_code, p.team_name, p.method, round(p.area_m2), p.unit_days,
                   rate(p.m2_per_unit_day)) for p in figures.team_productivity)
    methods = tuple((p.method, round(p.area_m2), p.unit_days, rate(p.m2_per_unit_day))
                    for p in figures.method_productivity)
    note = w("Approved progress reports ending in the period; a unit is a deminer, a dog pair or a machine.")
    return [ReportTable("productivity_teams", w("Productivity per team"),
                        tuple(w(c) for c in ("operator", "team", "name", "method", "m² worked", "unit-days",
                                             "m² per unit-day")), teams, note),
            ReportTable("productivity_methods", w("Productivity per method"),
                        tuple(w(c) for c in ("method", "m² worked", "unit-days", "m² per unit-day")), methods, note)]


def _people(w: Words, figures: PeriodFigures) -> list[ReportTable]:
    c, e = figures.casualties, figures.risk_education
    by_district = tuple((name, *values) for name, values in sorted(c.by_district.items()))
    dimensions = [("age group", c.by_age_group), ("sex", c.by_sex), ("activity", c.by_activity)]
    casualty_rows = tuple((w(dim), key, n) for dim, tally in dimensions for key, n in sorted(tally.items()))
    kinds = tuple((kind, n) for kind, n in sorted(c.by_kind.items()))
    eore = tuple((w(group.replace("_", " ")), n) for group, n in e.beneficiaries.items()) + ((w("total"), e.total),)
    return [
        ReportTable("incidents", w("Incidents and accidents per district"),
                    (w("district"), w("incidents"), w("killed"), w("injured")),
                    by_district + ((w("Total"), c.incidents, c.killed, c.injured),)),
        ReportTable("incident_kinds", w("Incidents and accidents by kind"), (w("kind"), w("incidents")), kinds),
        ReportTable("casualties", w("Casualties by age group, sex and activity"),
                    (w("by"), w("group"), w("casualties")), casualty_rows,
                    w("Counted from victim records; no personal data is shown.")),
        ReportTable("risk_education", w("Risk education: {sessions} session(s), beneficiaries", sessions=e.sessions),
                    (w("group"), w("beneficiaries")), eore),
        ReportTable("risk_education_districts", w("Risk education beneficiaries per district"),
                    (w("district"), w("beneficiaries")), tuple(sorted(e.by_district.items()))),
    ]


def _quality(w: Words, figures: PeriodFigures) -> list[ReportTable]:
    flagged = tuple((f.kind, f.code, f.date.isoformat(), f.flags) for f in figures.flagged)
    shown = (w("{shown} of {total} shown.", shown=len(flagged), total=figures.flagged_total)
             if figures.flagged_total > len(flagged) else "")
    missing = tuple((m.organisation, m.team_code, m.team_name) for m in figures.missing_reports)
    return [
        ReportTable("flagged", w("Implausible submissions flagged for review ({count})", count=figures.flagged_total),
                    (w("record"), w("code"), w("date"), w("flags")), flagged, shown),
        ReportTable("missing_reports", w("Teams with no progress report for the period ({count})", count=len(missing)),
                    (w("operator"), w("team"), w("name")), missing,
                    w("Teams with a task under way in the period and no report overlapping it, in any state.")),
        ReportTable("late_reports", w("Progress reports sent late ({count})", count=len(figures.late_reports)),
                    (w("operator"), w("team"), w("report"), w("period end"), w("sent on"), w("days late")),
                    tuple((r.organisation, r.team_code, r.report_code, r.period_end.isoformat(),
                           r.submitted_on.isoformat(), r.days_late) for r in figures.late_reports),
                    w("Reports ending in the period sent more than {days} day(s) after their last day; reports with "
                      "no sending day recorded are not judged.", days=figures.report_due_days)),
    ]


RECORD_CLASSES = ("accurate", "shifted", "partially_accurate", "inaccurate", "not_verifiable")


def _records(w: Words, figures: PeriodFigures) -> ReportTable:
    """Minefield records by verification class per district, and the share of verifiable records that are accurate."""
    districts: dict[str, dict[str, int]] = {}
    for district, klass, n in figures.record_classes:
        districts.setdefault(district, {})[klass] = n

    def row(name: str, counts: dict[str, int]) -> tuple[Value, ...]:
        verifiable = sum(n for k, n in counts.items() if k != "not_verifiable")
        share = round(counts.get("accurate", 0) / verifiable * 100, 1) if verifiable else None
        return (name, *[counts.get(k, 0) for k in RECORD_CLASSES], sum(counts.values()), share)

    national: dict[str, int] = {}
    for counts in districts.values():
        for k, n in counts.items():
            national[k] = national.get(k, 0) + n
    rows = tuple(row(d, c) for d, c in sorted(districts.items())) + ((row(w("Total"), national),) if districts else ())
    note = w("The latest run of `demine records verify`, over all records (not only this period); classes and "
             "thresholds in docs/records-verification.md." if districts else
             "No record has been verified yet: run `demine records verify`.")
    return ReportTable("records", w("Minefield records by verification class"),
                       (w("district"), *[w(k.replace("_", " ")) for k in RECORD_CLASSES], w("records"),
                        w("accurate % of verifiable")), rows, note)


def report_tables(figures: PeriodFigures, lang: str = "en") -> list[ReportTable]:
    """The report's tables, their titles, headings and fixed labels in `lang` (en, az, ru); codes stay codes."""
    w = Words(lang)
    national = figures.national
    models = tuple((m.category, m.model or w("(model not recorded)"), m.quantity) for m in figures.models)
    return [
        _comparison(w, figures),
        _areas(w, "districts", "Items found and land released per district", "district", figures.weekly.districts,
               national, "Districts with approved work in the period, in the authority's order."),
        _areas(w, "operators", "Items found and land released per operator", "operator", figures.operators, national),
        _areas(w, "methods", "Items found and land released by method", "method", figures.methods, national),
        ReportTable("models", w("Items found by category and model"), (w("category"), w("model"), w("quantity")),
                    models),
        _indicators(w, figures),
        *_productivity(w, figures),
        *_people(w, figures),
        _records(w, figures),
        *_quality(w, figures),
    ]
