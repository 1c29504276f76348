"""The SQL aggregates behind the period figures: SQLAlchemy Core, GROUP BY in the database, the same on both backends.

Each query groups by the finest key the reports need (district x operator x method x category ...); the few hundred
groups that come back are rolled up in Python. This keeps the weekly figures at two queries over the period's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from demine.analysis.period import Period
from demine.store.tables.core import admin_areas, organisations, teams
from demine.store.tables.operations import activities, items_found, land_release_outputs, progress_reports

APPROVED, PENDING, OTHER = "approved", "pending", "other"
AREA_DECIMALS = 2  # m² sums are rounded to the cm², so float summation order cannot make the backends differ


def review_state(report_id: ColumnElement, report=progress_reports) -> ColumnElement:  # type: ignore[no-untyped-def]
    """approved (its report approved, or recorded without a report), pending (report submitted) or other."""
    return case(
        (report_id.is_(None), literal(APPROVED)),
        (report.c.retired_at.is_not(None), literal(OTHER)),
        (report.c.review_status == "approved", literal(APPROVED)),
        (report.c.review_status == "submitted", literal(PENDING)),
        else_=literal(OTHER),
    )


def reported_work(table):  # type: ignore[no-untyped-def]
    """Items found or outputs with their task (activity) and, when reported, their progress report: the join every
    approved-only figure reads through `review_state` and `is_approved`."""
    return (table.join(activities, activities.c.id == table.c.activity_id)
            .outerjoin(progress_reports, progress_reports.c.id == table.c.progress_report_id))


def is_approved(table) -> ColumnElement:  # type: ignore[no-untyped-def]
    """For a query that outer-joins progress_reports on table.progress_report_id."""
    return or_(table.c.progress_report_id.is_(None),
               and_(progress_reports.c.review_status == "approved", progress_reports.c.retired_at.is_(None)))


def _live(*tables) -> list[ColumnElement]:  # type: ignore[no-untyped-def]
    return [t.c.retired_at.is_(None) for t in tables]


@dataclass(frozen=True, slots=True)
class ItemGroup:
    state: str
    admin_area_id: int | None
    organisation_id: int | None
    method: str | None
    category: str
    model: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class LandGroup:
    state: str
    admin_area_id: int | None
    organisation_id: int | None
    method: str | None
    outcome: str
    area_m2: float


def item_groups(connection: Connection, period: Period, *, detailed: bool = True) -> list[ItemGroup]:
    """Items found in the period by review state, district (of the activity) and category; `detailed` adds operator,
    method and model (the full report's tables), which the statement does not need."""
    i, a = items_found, activities
    state = review_state(i.c.progress_report_id)
    keys = [state, a.c.admin_area_id, i.c.category]
    keys += [a.c.organisation_id, a.c.method, i.c.model] if detailed else []
    query = (
        select(*keys, func.sum(i.c.quantity))
        .select_from(reported_work(i))
        .where(i.c.found_date.between(period.start, period.end), *_live(i, a))
        .group_by(*keys)
    )
    groups = []
    for row in connection.execute(query):
        org, method, model = row[3:6] if detailed else (None, None, None)
        groups.append(ItemGroup(row[0], row[1], org, method, row[2], model, int(row[-1])))
    return groups


def land_groups(connection: Connection, period: Period, *, detailed: bool = True) -> list[LandGroup]:
    """Land released in the period by review state, district (of the activity) and outcome (+ operator, method)."""
    o, a = land_release_outputs, activities
    state = review_state(o.c.progress_report_id)
    keys = [state, a.c.admin_area_id, o.c.outcome] + ([a.c.organisation_id, a.c.method] if detailed else [])
    query = (
        select(*keys, func.sum(o.c.area_m2))
        .select_from(reported_work(o))
        .where(o.c.release_date.between(period.start, period.end), *_live(o, a))
        .group_by(*keys)
    )
    groups = []
    for row in connection.execute(query):
        org, method = row[3:5] if detailed else (None, None)
        groups.append(LandGroup(row[0], row[1], org, method, row[2], round(float(row[-1]), AREA_DECIMALS)))
    return groups


def pending_reports(connection: Connection, period: Period) -> int:
    """Progress reports submitted and not yet reviewed whose period overlaps the report's."""
    p = progress_reports
    query = select(func.count()).where(p.c.review_status == "submitted", p.c.period_start <= period.end,
                                       p.c.period_end >= period.start, *_live(p))
    return int(connection.execute(query).scalar_one())


def national_items(connection: Connection, period: Period) -> dict[str, int]:
    i, a = items_found, activities
    query = (
        select(i.c.category, func.sum(i.c.quantity))
        .select_from(reported_work(i))
        .where(i.c.found_date.between(period.start, period.end), is_approved(i), *_live(i, a))
        .group_by(i.c.category)
    )
    return {category: int(q) for category, q in connection.execute(query)}


def national_land(connection: Connection, period: Period) -> dict[str, float]:
    o, a = land_release_outputs, activities
    query = (
        select(o.c.outcome, func.sum(o.c.area_m2))
        .select_from(reported_work(o))
        .where(o.c.release_date.between(period.start, period.end), is_approved(o), *_live(o, a))
        .group_by(o.c.outcome)
    )
    return {outcome: round(float(m2), AREA_DECIMALS) for outcome, m2 in connection.execute(query)}


def daily_items(connection: Connection, period: Period) -> list[tuple[object, str, int]]:
    """Approved items per day and category (the weekly trend buckets the days in Python: portable date maths)."""
    i, a = items_found, activities
    query = (
        select(i.c.found_date, i.c.category, func.sum(i.c.quantity))
        .select_from(reported_work(i))
        .where(i.c.found_date.between(period.start, period.end), is_approved(i), *_live(i, a))
        .group_by(i.c.found_date, i.c.category)
    )
    return [(day, category, int(q)) for day, category, q in connection.execute(query)]


def daily_land(connection: Connection, period: Period) -> list[tuple[object, str, float]]:
    o, a = land_release_outputs, activities
    query = (
        select(o.c.release_date, o.c.outcome, func.sum(o.c.area_m2))
        .select_from(reported_work(o))
        .where(o.c.release_date.between(period.start, period.end), is_approved(o), *_live(o, a))
        .group_by(o.c.release_date, o.c.outcome)
    )
    return [(day, outcome, float(m2)) for day, outcome, m2 in connection.execute(query)]


@dataclass(frozen=True, slots=True)
class AdminArea:
    id: int
    code: str
    name: str
    reporting_order: int | None


def admin_area_index(connection: Connection) -> dict[int, AdminArea]:
    rows = connection.execute(select(admin_areas.c.id, admin_areas.c.code, admin_areas.c.name,
                                     admin_areas.c.reporting_order).where(*_live(admin_areas)))
    return {r.id: AdminArea(r.id, r.code, r.name, r.reporting_order) for r in rows}


def organisation_index(connection: Connection) -> dict[int, tuple[str, str]]:
    return {r.id: (r.code, r.name) for r in connection.execute(
        select(organisations.c.id, organisations.c.code, organisations.c.name))}


def team_index(connection: Connection) -> dict[int, tuple[str, str, int]]:
    return {r.id: (r.code, r.name, r.organisation_id) for r in connection.execute(
        select(teams.c.id, teams.c.code, teams.c.name, teams.c.organisation_id))}
