"""Indicators of the full report beyond items and land: productivity, clearance that found nothing, casualties, risk
education, and the data quality checks (flagged submissions, teams that did not report)."""

from __future__ import annotations

from sqlalchemy import Connection, String, and_, cast, exists, func, literal, not_, or_, select, union_all

from demine.analysis.aggregates import AREA_DECIMALS, AdminArea, _live, is_approved, reported_work
from demine.analysis.figures import (
    EORE_GROUPS,
    Casualties,
    EmptyClearance,
    FlaggedRecord,
    LateReport,
    MissingReport,
    Productivity,
    RiskEducation,
)
from demine.analysis.period import Period
from demine.store.tables.core import organisations, teams
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import activities, items_found, land_release_outputs, progress_reports
from demine.store.tables.people import eore_sessions, incidents, victims

CLEARANCE_TYPES = ("clearance", "bac")
# Days after a report's last day by which it is due. Weekly reports of a week ending on Sunday are expected by the
# middle of the next week; an authority with a different rule passes its own (`demine report full --reports-due-after`).
REPORT_DUE_DAYS = 3
FLAGGED_SHOWN = 200  # the report lists the first ones and counts all


def productivity(connection: Connection, period: Period,
                 team_names: dict[int, tuple[str, str, int]],
                 organisation_names: dict[int, tuple[str, str]]) -> tuple[tuple[Productivity, ...], tuple[Productivity, ...]]:
    """Per team and per method, from approved progress reports that end in the period.

    Unit-days are working days x deminers (or dog pairs, or machines) as reported, or the team's size when the report
    does not say; a report belongs to the period in which it ends, so a week is never counted in two periods.
    """
    p, a, t = progress_reports, activities, teams
    units = func.coalesce(p.c.deminers, t.c.members, 1)
    query = (
        select(a.c.team_id, a.c.method, func.sum(p.c.area_worked_m2), func.sum(p.c.working_days * units))
        .select_from(p.join(a, a.c.id == p.c.activity_id).outerjoin(t, t.c.id == a.c.team_id))
        .where(p.c.period_end.between(period.start, period.end), p.c.review_status == "approved", *_live(p, a))
        .group_by(a.c.team_id, a.c.method)
    )
    per_team: list[Productivity] = []
    per_method: dict[str, tuple[float, float]] = {}
    for team_id, method, area, unit_days in connection.execute(query):
        area, unit_days = round(float(area or 0), AREA_DECIMALS), float(unit_days or 0)
        code, name, org_id = team_names.get(team_id, ("(no team)", "(no team)", None))
        organisation = organisation_names.get(org_id, ("", ""))[0] if org_id else ""
        per_team.append(Productivity(method, area, unit_days, code, name, organisation))
        total = per_method.get(method, (0.0, 0.0))
        per_method[method] = (total[0] + area, total[1] + unit_days)
    per_team.sort(key=lambda r: (r.method, r.team_code or ""))
    methods = tuple(Productivity(m, round(a_, AREA_DECIMALS), d) for m, (a_, d) in sorted(per_method.items()))
    return tuple(per_team), methods


def _has_approved_item(activity_id) -> object:  # type: ignore[no-untyped-def]
    i, p = items_found, progress_reports
    return exists(select(literal(1)).select_from(i.outerjoin(p, p.c.id == i.c.progress_report_id))
                  .where(i.c.activity_id == activity_id, is_approved(i), *_live(i)))


def empty_clearance(connection: Connection, period: Period) -> EmptyClearance:
    """Cleared land released in the period by tasks that never found an item, and completed tasks that found none."""
    o, a = land_release_outputs, activities
    found = _has_approved_item(o.c.activity_id)
    area = (
        select(found.label("found"), o.c.area_m2.label("m2"))
        .select_from(reported_work(o))
        .where(o.c.outcome == "cleared", o.c.release_date.between(period.start, period.end),
               a.c.activity_type.in_(CLEARANCE_TYPES), is_approved(o), *_live(o, a))
        .subquery()
    )
    # Grouped outside the subquery: both backends then group by a plain column, not by a correlated EXISTS.
    by_found = {bool(f): round(float(m2), AREA_DECIMALS) for f, m2 in connection.execute(
        select(area.c.found, func.sum(area.c.m2)).group_by(area.c.found))}
    tasks = (
        select(_has_approved_item(a.c.id).label("found"))
        .where(a.c.activity_type.in_(CLEARANCE_TYPES), a.c.status == "completed",
               a.c.end_date.between(period.start, period.end), *_live(a))
        .subquery()
    )
    task_counts = {bool(f): int(n) for f, n in connection.execute(
        select(tasks.c.found, func.count()).group_by(tasks.c.found))}
    return EmptyClearance(
        cleared_m2=round(sum(by_found.values()), AREA_DECIMALS),
        cleared_m2_nothing_found=by_found.get(False, 0.0),
        completed_tasks=sum(task_counts.values()),
        completed_tasks_nothing_found=task_counts.get(False, 0),
    )


def casualties(connection: Connection, period: Period, areas: dict[int, AdminArea]) -> Casualties:
    """Incidents by district and kind; victims counted by age group, sex and activity (no personal data read)."""
    n = incidents
    in_period = [n.c.incident_date.between(period.start, period.end), *_live(n)]
    query = (select(n.c.admin_area_id, n.c.kind, func.count(), func.sum(n.c.killed), func.sum(n.c.injured))
             .where(*in_period).group_by(n.c.admin_area_id, n.c.kind))
    by_kind: dict[str, int] = {}
    by_district: dict[str, tuple[int, int, int]] = {}
    totals = [0, 0, 0]
    for area_id, kind, count, killed, injured in connection.execute(query):
        row = (int(count), int(killed or 0), int(injured or 0))
        by_kind[kind] = by_kind.get(kind, 0) + row[0]
        name = areas[area_id].name if area_id in areas else "(outside any district)"
        old = by_district.get(name, (0, 0, 0))
        by_district[name] = tuple(x + y for x, y in zip(old, row))  # type: ignore[assignment]
        totals = [x + y for x, y in zip(totals, row)]
    v = victims
    groups = (select(v.c.age_group, v.c.sex, v.c.activity, func.count())
              .select_from(v.join(n, n.c.id == v.c.incident_id)).where(*in_period, *_live(v))
              .group_by(v.c.age_group, v.c.sex, v.c.activity))
    age: dict[str, int] = {}
    sex: dict[str, int] = {}
    activity: dict[str, int] = {}
    for age_group, victim_sex, victim_activity, count in connection.execute(groups):
        for tally, key in ((age, age_group), (sex, victim_sex), (activity, victim_activity)):
            tally[key] = tally.get(key, 0) + int(count)
    return Casualties(totals[0], totals[1], totals[2], by_kind, by_district, age, sex, activity)


def risk_education(connection: Connection, period: Period, areas: dict[int, AdminArea]) -> RiskEducation:
    e = eore_sessions
    query = (select(e.c.admin_area_id, func.count(), *[func.sum(e.c[g]) for g in EORE_GROUPS])
             .where(e.c.session_date.between(period.start, period.end), *_live(e)).group_by(e.c.admin_area_id))
    sessions = 0
    groups = dict.fromkeys(EORE_GROUPS, 0)
    by_district: dict[str, int] = {}
    for area_id, count, *sums in connection.execute(query):
        sessions += int(count)
        values = [int(s or 0) for s in sums]
        for group, value in zip(EORE_GROUPS, values):
            groups[group] += value
        name = areas[area_id].name if area_id in areas else "(outside any district)"
        by_district[name] = by_district.get(name, 0) + sum(values)
    return RiskEducation(sessions, groups, by_district)


def flagged_records(connection: Connection, period: Period) -> tuple[tuple[FlaggedRecord, ...], int]:
    """Records of the period stored with plausibility warnings, for the information officer to review."""
    p, o, h = progress_reports, land_release_outputs, hazard_areas
    parts = [
        select(literal("progress report").label("kind"), p.c.code, p.c.period_end.label("day"),
               cast(p.c.quality_flags, String).label("flags"))
        .where(p.c.quality_flags.is_not(None), p.c.period_end.between(period.start, period.end), *_live(p)),
        select(literal("land release output"), o.c.code, o.c.release_date, cast(o.c.quality_flags, String))
        .where(o.c.quality_flags.is_not(None), o.c.release_date.between(period.start, period.end), *_live(o)),
        select(literal("hazard area"), h.c.code, h.c.reported_date, cast(h.c.quality_flags, String))
        .where(h.c.quality_flags.is_not(None), h.c.reported_date.between(period.start, period.end), *_live(h)),
    ]
    union = union_all(*parts).subquery()
    total = int(connection.execute(select(func.count()).select_from(union)).scalar_one())
    rows = connection.execute(select(union).order_by(union.c.day, union.c.kind, union.c.code).limit(FLAGGED_SHOWN))
    return tuple(FlaggedRecord(kind, code, day, flags) for kind, code, day, flags in rows), total


def missing_reports(connection: Connection, period: Period) -> tuple[MissingReport, ...]:
    """Teams with a task under way in the period that sent no progress report overlapping it (in any state)."""
    t, a, p, org = teams, activities, progress_reports, organisations
    working = and_(a.c.team_id == t.c.id, a.c.start_date <= period.end,
                   or_(a.c.end_date.is_(None), a.c.end_date >= period.start),
                   a.c.status.in_(("ongoing", "completed")), *_live(a))
    reported = (select(literal(1)).select_from(p.join(a, a.c.id == p.c.activity_id))
                .where(a.c.team_id == t.c.id, p.c.period_start <= period.end, p.c.period_end >= period.start,
                       *_live(p)))
    query = (select(t.c.code, t.c.name, org.c.code).select_from(t.join(org, org.c.id == t.c.organisation_id))
             .where(exists(select(literal(1)).select_from(a).where(working)), not_(exists(reported)), *_live(t))
             .order_by(org.c.code, t.c.code))
    return tuple(MissingReport(code, name, organisation) for code, name, organisation in connection.execute(query))


def late_reports(connection: Connection, period: Period, due_days: int = REPORT_DUE_DAYS) -> tuple[LateReport, ...]:
    """Reports whose period ends in this period and that were sent more than `due_days` days after it ended.

    A report whose sending day is unknown (imported without `submitted_on`) is never counted late. Retired reports are
    left out; reports in any review state count, since lateness is about when the team sent it.
    """
    t, a, p, org = teams, activities, progress_reports, organisations
    query = (select(p.c.code, t.c.code, org.c.code, p.c.period_end, p.c.submitted_on)
             .select_from(p.join(a, a.c.id == p.c.activity_id).join(org, org.c.id == a.c.organisation_id)
                          .outerjoin(t, t.c.id == a.c.team_id))
             .where(p.c.period_end.between(period.start, period.end), p.c.submitted_on.is_not(None), *_live(p)))
    # The date arithmetic is done here rather than in SQL, where SQLite and PostgreSQL spell it differently; a
    # period holds at most a few thousand reports.
    late = []
    for code, team, organisation, end, sent in connection.execute(query):
        days = (sent - end).days - due_days
        if days > 0:
            late.append(LateReport(code, team or "", organisation, end, sent, days))
    return tuple(sorted(late, key=lambda r: (-r.days_late, r.organisation, r.team_code, r.report_code)))
