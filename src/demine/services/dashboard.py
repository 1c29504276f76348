"""The dashboard's figures: a week and everything so far, a weekly trend and the district table.

Only approved data is official: an output or an item counts when its progress report is approved, or when it came
without one (imported completion data). Totals are SQL aggregates; only the per-day sums of the trend come back to
Python, to be put into weeks the same way on both backends (date functions differ between SQLite and PostgreSQL).
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from demine.services.map_layers import approved_only
from demine.services.register import Register
from demine.store.changes import change_stamp
from demine.store.tables.core import admin_areas
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import activities, items_found, land_release_outputs
from demine.store.tables.people import incidents

OUTCOMES = ("cleared", "reduced", "cancelled")
UXO_CATEGORIES = ("uxo", "axo", "submunition")  # the weekly statement's "UXOs": everything that is not a mine
TREND_WEEKS = 12

outputs, items = land_release_outputs, items_found


@dataclass
class Totals:
    released_m2: dict[str, float] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0.0))
    items: dict[str, int] = field(default_factory=dict)  # by category
    killed: int = 0
    injured: int = 0

    @property
    def released_ha(self) -> dict[str, float]:
        return {k: v / 10_000 for k, v in self.released_m2.items()}

    @property
    def total_ha(self) -> float:
        return sum(self.released_m2.values()) / 10_000

    def count(self, *categories: str) -> int:
        return sum(self.items.get(c, 0) for c in categories)

    @property
    def ap(self) -> int:
        return self.count("ap_mine")

    @property
    def at(self) -> int:
        return self.count("at_mine")

    @property
    def uxo(self) -> int:
        return self.count(*UXO_CATEGORIES)


@dataclass
class WeekBar:
    week_start: dt.date
    released_ha: dict[str, float]
    items: int


@dataclass
class DistrictRow:
    name: str
    released_ha: dict[str, float]
    ap: int
    at: int
    uxo: int
    open_hazards: int
    open_hazard_ha: float


@dataclass
class Dashboard:
    week_start: dt.date
    week_end: dt.date
    week: Totals
    cumulative: Totals
    trend: list[WeekBar]
    districts: list[DistrictRow]


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday, as the weekly statements count (e.g. July 29 to August 4)."""
    start = day - dt.timedelta(days=day.weekday())
    return start, start + dt.timedelta(days=6)


def dashboard(register: Register, *, day: dt.date | None = None) -> Dashboard:
    """Figures for the week holding `day`; by default the latest week with approved results.

    Kept per register and day with the write counts of every table they are computed from (store.changes): while no
    write lands, a request costs a lookup, not a pass over every item found (about 2 s at 200,000 items); the first
    request after a write computes them again. The stamp is read before the figures, in the same transaction.
    """
    key = (register.location, day, dt.date.today() if day is None else None)  # an empty register shows today's week
    with register.reading() as connection:
        stamp = change_stamp(connection, FIGURES_FROM)
        with _KEPT_LOCK:
            held = _KEPT.get(key)
        if held is not None and held[0] == stamp:
            return copy.deepcopy(held[1])  # callers may change what they get; the kept figures stay as computed
        figures = compute_dashboard(connection, day=day)
    with _KEPT_LOCK:
        _KEPT[key] = (stamp, figures)
        while len(_KEPT) > KEPT_DASHBOARDS:
            _KEPT.pop(next(iter(_KEPT)))  # the oldest kept first (dicts keep insertion order)
    return copy.deepcopy(figures)


def compute_dashboard(connection: Connection, *, day: dt.date | None = None) -> Dashboard:
    """The figures computed from the tables now, with no keeping."""
    day = day or _latest_reported_day(connection) or dt.date.today()
    start, end = week_bounds(day)
    return Dashboard(start, end, _totals(connection, start, end), _totals(connection, None, None),
                     _trend(connection, end), _districts(connection))


# Every table the figures read: a write to any of them makes kept figures stale.
FIGURES_FROM = ("land_release_outputs", "items_found", "progress_reports", "incidents", "hazard_areas", "activities",
                "admin_areas")
KEPT_DASHBOARDS = 64  # registers x weeks asked for; each is a few KiB
_KEPT: dict[tuple, tuple[tuple[int, ...], Dashboard]] = {}
_KEPT_LOCK = threading.Lock()


def _latest_reported_day(connection: Connection) -> dt.date | None:
    days = [connection.execute(select(func.max(outputs.c.release_date)).where(
                outputs.c.retired_at.is_(None), approved_only(outputs))).scalar(),
            connection.execute(select(func.max(items.c.found_date)).where(
                items.c.retired_at.is_(None), approved_only(items))).scalar()]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _totals(connection: Connection, start: dt.date | None, end: dt.date | None) -> Totals:
    def period(column):  # type: ignore[no-untyped-def]
        return [] if start is None else [column.between(start, end)]

    totals = Totals()
    for outcome, area in connection.execute(
            select(outputs.c.outcome, func.sum(outputs.c.area_m2)).where(
                outputs.c.retired_at.is_(None), approved_only(outputs), *period(outputs.c.release_date))
            .group_by(outputs.c.outcome)):
        totals.released_m2[outcome] = float(area or 0)
    totals.items = {category: int(quantity or 0) for category, quantity in connection.execute(
        select(items.c.category, func.sum(items.c.quantity)).where(
            items.c.retired_at.is_(None), approved_only(items), *period(items.c.found_date))
        .group_by(items.c.category))}
    killed, injured = connection.execute(select(func.sum(incidents.c.killed), func.sum(incidents.c.injured)).where(
        incidents.c.retired_at.is_(None), *period(incidents.c.incident_date))).one()
    totals.killed, totals.injured = int(killed or 0), int(injured or 0)
    return totals


def _trend(connection: Connection, last_day: dt.date) -> list[WeekBar]:
    first_week = week_bounds(last_day)[0] - dt.timedelta(weeks=TREND_WEEKS - 1)
    bars = {first_week + dt.timedelta(weeks=i): WeekBar(first_week + dt.timedelta(weeks=i),
                                                        dict.fromkeys(OUTCOMES, 0.0), 0) for i in range(TREND_WEEKS)}
    for day, outcome, area in connection.execute(
            select(outputs.c.release_date, outputs.c.outcome, func.sum(outputs.c.area_m2)).where(
                outputs.c.retired_at.is_(None), approved_only(outputs),
                outputs.c.release_date.between(first_week, last_day))
            .group_by(outputs.c.release_date, outputs.c.outcome)):
        bars[week_bounds(day)[0]].released_ha[outcome] += float(area or 0) / 10_000
    for day, quantity in connection.execute(
            select(items.c.found_date, func.sum(items.c.quantity)).where(
                items.c.retired_at.is_(None), approved_only(items), items.c.found_date.between(first_week, last_day))
            .group_by(items.c.found_date)):
        bars[week_bounds(day)[0]].items += int(quantity or 0)
    return list(bars.values())


def _districts(connection: Connection) -> list[DistrictRow]:
    released: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0.0))
    for area_id, outcome, area in connection.execute(
            select(activities.c.admin_area_id, outputs.c.outcome, func.sum(outputs.c.area_m2))
            .select_from(outputs.join(activities, activities.c.id == outputs.c.activity_id))
            .where(outputs.c.retired_at.is_(None), approved_only(outputs))
            .group_by(activities.c.admin_area_id, outputs.c.outcome)):
        released[area_id][outcome] = float(area or 0) / 10_000
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for area_id, category, quantity in connection.execute(
            select(activities.c.admin_area_id, items.c.category, func.sum(items.c.quantity))
            .select_from(items.join(activities, activities.c.id == items.c.activity_id))
            .where(items.c.retired_at.is_(None), approved_only(items))
            .group_by(activities.c.admin_area_id, items.c.category)):
        found[area_id][category] = int(quantity or 0)
    hazards = {area_id: (count, float(area or 0) / 10_000) for area_id, count, area in connection.execute(
        select(hazard_areas.c.admin_area_id, func.count(), func.sum(hazard_areas.c.area_m2))
        .where(hazard_areas.c.retired_at.is_(None), hazard_areas.c.work_status != "closed")
        .group_by(hazard_areas.c.admin_area_id))}
    rows = []
    for area_id, name, order in connection.execute(select(admin_areas.c.id, admin_areas.c.name,
                                                          admin_areas.c.reporting_order)
                                                   .order_by(admin_areas.c.reporting_order, admin_areas.c.name)):
        if order is None and area_id not in released and area_id not in hazards and area_id not in found:
            continue  # districts outside the programme's reporting order appear only when they hold data
        categories = found.get(area_id, {})
        count, hectares = hazards.get(area_id, (0, 0.0))
        rows.append(DistrictRow(name, released.get(area_id, dict.fromkeys(OUTCOMES, 0.0)),
                                categories.get("ap_mine", 0), categories.get("at_mine", 0),
                                sum(categories.get(c, 0) for c in UXO_CATEGORIES), count, hectares))
    return rows
