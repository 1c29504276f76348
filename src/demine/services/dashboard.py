"""The dashboard's figures: a week and everything so far, a weekly trend and the district table.

Only approved data is official: an output or an item counts when its progress report is approved, or when it came
without one (imported completion data). Totals are SQL aggregates, over the counts kept as rows are written (kept per
day and district and per district by triggers, migration 0008) or, as the reference, over the rows; only the per-day sums of the trend
come back to Python, to be put into weeks the same way on both backends (date functions differ between SQLite and
PostgreSQL).
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
from demine.store.tables.kept_counts import dashboard_item_days as kept_items
from demine.store.tables.kept_counts import dashboard_item_districts as kept_item_districts
from demine.store.tables.kept_counts import dashboard_open_hazards as kept_hazards
from demine.store.tables.kept_counts import dashboard_output_days as kept_outputs
from demine.store.tables.kept_counts import dashboard_output_districts as kept_output_districts
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

    Computed from the counts the register keeps as rows are written (kept_counts, migration 0008: items and outputs
    per day and district, open hazards per district): tens of milliseconds at ten million items, against half a
    minute over the rows. Also kept per register and day with the write counts of every table they come from
    (store.changes), so that while no write lands a request costs a lookup. The stamp is read before the figures, in
    the same connection.
    """
    key = (register.location, day, dt.date.today() if day is None else None)  # an empty register shows today's week
    with register.reading() as connection:
        stamp = change_stamp(connection, FIGURES_FROM)
        with _KEPT_LOCK:
            held = _KEPT.get(key)
        if held is not None and held[0] == stamp:
            return copy.deepcopy(held[1])  # callers may change what they get; the kept figures stay as computed
        figures = compute_dashboard(connection, day=day, kept=True)
    with _KEPT_LOCK:
        _KEPT[key] = (stamp, figures)
        while len(_KEPT) > KEPT_DASHBOARDS:
            _KEPT.pop(next(iter(_KEPT)))  # the oldest kept first (dicts keep insertion order)
    return copy.deepcopy(figures)


def compute_dashboard(connection: Connection, *, day: dt.date | None = None, kept: bool = False) -> Dashboard:
    """The figures now: from the kept counts (`kept`), or from the register's rows themselves (the reference the
    kept counts are tested against)."""
    sums: Sums = KeptSums(connection) if kept else RowSums(connection)
    day = day or sums.latest_day() or dt.date.today()
    start, end = week_bounds(day)
    return Dashboard(start, end, _totals(sums, connection, start, end), _totals(sums, connection, None, None),
                     _trend(sums, end), _districts(sums, connection))


# Every table the figures read: a write to any of them makes kept figures stale.
FIGURES_FROM = ("land_release_outputs", "items_found", "progress_reports", "incidents", "hazard_areas", "activities",
                "admin_areas")
KEPT_DASHBOARDS = 64  # registers x weeks asked for; each is a few KiB
_KEPT: dict[tuple, tuple[tuple[int, ...], Dashboard]] = {}
_KEPT_LOCK = threading.Lock()


def square_metres(area: float | None) -> float:
    """A sum of areas to the square centimetre: sums over the rows and over the kept counts add the same areas in
    another order, and must not differ in the last bits (a hectare is shown to 0.1)."""
    return round(float(area or 0), 4)


Period = tuple[dt.date, dt.date] | None


class Sums:
    """The sums the figures are made of; two sources give the same (RowSums, KeptSums)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _rows(self, query):  # type: ignore[no-untyped-def]
        return [tuple(r) for r in self.connection.execute(query)]

    def latest_day(self) -> dt.date | None:
        raise NotImplementedError

    def released(self, period: Period) -> list[tuple[str, float]]:  # outcome, m2
        raise NotImplementedError

    def found(self, period: Period) -> list[tuple[str, int]]:  # category, quantity
        raise NotImplementedError

    def released_per_day(self, period: Period) -> list[tuple[dt.date, str, float]]:
        raise NotImplementedError

    def found_per_day(self, period: Period) -> list[tuple[dt.date, int]]:
        raise NotImplementedError

    def released_per_district(self) -> list[tuple[int, str, float]]:
        raise NotImplementedError

    def found_per_district(self) -> list[tuple[int, str, int]]:
        raise NotImplementedError

    def open_hazards(self) -> list[tuple[int, int, float]]:  # district, hazards, m2
        raise NotImplementedError


class RowSums(Sums):
    """Over the register's rows (only approved data counts; see map_layers.approved_only)."""

    def latest_day(self) -> dt.date | None:
        days = [self.connection.execute(select(func.max(outputs.c.release_date)).where(
                    outputs.c.retired_at.is_(None), approved_only(outputs))).scalar(),
                self.connection.execute(select(func.max(items.c.found_date)).where(
                    items.c.retired_at.is_(None), approved_only(items))).scalar()]
        known = [d for d in days if d is not None]
        return max(known) if known else None

    def released(self, period: Period) -> list[tuple[str, float]]:
        return self._rows(select(outputs.c.outcome, func.sum(outputs.c.area_m2)).where(
            *self._official(outputs, outputs.c.release_date, period)).group_by(outputs.c.outcome))

    def found(self, period: Period) -> list[tuple[str, int]]:
        return self._rows(select(items.c.category, func.sum(items.c.quantity)).where(
            *self._official(items, items.c.found_date, period)).group_by(items.c.category))

    def released_per_day(self, period: Period) -> list[tuple[dt.date, str, float]]:
        return self._rows(select(outputs.c.release_date, outputs.c.outcome, func.sum(outputs.c.area_m2)).where(
            *self._official(outputs, outputs.c.release_date, period))
            .group_by(outputs.c.release_date, outputs.c.outcome))

    def found_per_day(self, period: Period) -> list[tuple[dt.date, int]]:
        return self._rows(select(items.c.found_date, func.sum(items.c.quantity)).where(
            *self._official(items, items.c.found_date, period)).group_by(items.c.found_date))

    def released_per_district(self) -> list[tuple[int, str, float]]:
        return self._rows(select(activities.c.admin_area_id, outputs.c.outcome, func.sum(outputs.c.area_m2))
                          .select_from(outputs.join(activities, activities.c.id == outputs.c.activity_id))
                          .where(*self._official(outputs, None, None))
                          .group_by(activities.c.admin_area_id, outputs.c.outcome))

    def found_per_district(self) -> list[tuple[int, str, int]]:
        return self._rows(select(activities.c.admin_area_id, items.c.category, func.sum(items.c.quantity))
                          .select_from(items.join(activities, activities.c.id == items.c.activity_id))
                          .where(*self._official(items, None, None))
                          .group_by(activities.c.admin_area_id, items.c.category))

    def open_hazards(self) -> list[tuple[int, int, float]]:
        return self._rows(select(hazard_areas.c.admin_area_id, func.count(), func.sum(hazard_areas.c.area_m2))
                          .where(hazard_areas.c.retired_at.is_(None), hazard_areas.c.work_status != "closed")
                          .group_by(hazard_areas.c.admin_area_id))

    @staticmethod
    def _official(table, date, period: Period) -> list:  # type: ignore[no-untyped-def]
        return ([table.c.retired_at.is_(None), approved_only(table)]
                + ([] if period is None else [date.between(*period)]))


class KeptSums(Sums):
    """Over the counts kept as rows are written (store/tables/kept_counts.py): already live and approved only, per
    day and district, so each sum reads at most days x districts x categories rows. A group whose rows were all
    retired or un-approved stays as a row of zero records and counts as absent."""

    def latest_day(self) -> dt.date | None:
        days = [self.connection.execute(select(func.max(kept_outputs.c.release_date)).where(
                    kept_outputs.c.records > 0)).scalar(),
                self.connection.execute(select(func.max(kept_items.c.found_date)).where(
                    kept_items.c.records > 0)).scalar()]
        known = [d for d in days if d is not None]
        return max(known) if known else None

    def released(self, period: Period) -> list[tuple[str, float]]:
        if period is None:  # everything so far: from the per-district sums (districts x outcomes rows)
            d = kept_output_districts.c
            return self._rows(select(d.outcome, func.sum(d.area_m2)).where(d.records > 0).group_by(d.outcome))
        k = kept_outputs.c
        return self._rows(select(k.outcome, func.sum(k.area_m2)).where(*self._counted(k.records, k.release_date,
                                                                                        period)).group_by(k.outcome))

    def found(self, period: Period) -> list[tuple[str, int]]:
        if period is None:
            d = kept_item_districts.c
            return self._rows(select(d.category, func.sum(d.quantity)).where(d.records > 0).group_by(d.category))
        k = kept_items.c
        return self._rows(select(k.category, func.sum(k.quantity)).where(
            *self._counted(k.records, k.found_date, period)).group_by(k.category))

    def released_per_day(self, period: Period) -> list[tuple[dt.date, str, float]]:
        k = kept_outputs.c
        return self._rows(select(k.release_date, k.outcome, func.sum(k.area_m2)).where(
            *self._counted(k.records, k.release_date, period)).group_by(k.release_date, k.outcome))

    def found_per_day(self, period: Period) -> list[tuple[dt.date, int]]:
        k = kept_items.c
        return self._rows(select(k.found_date, func.sum(k.quantity)).where(
            *self._counted(k.records, k.found_date, period)).group_by(k.found_date))

    def released_per_district(self) -> list[tuple[int, str, float]]:
        d = kept_output_districts.c
        return self._rows(select(d.admin_area_id, d.outcome, d.area_m2).where(d.records > 0))

    def found_per_district(self) -> list[tuple[int, str, int]]:
        d = kept_item_districts.c
        return self._rows(select(d.admin_area_id, d.category, d.quantity).where(d.records > 0))

    def open_hazards(self) -> list[tuple[int, int, float]]:
        k = kept_hazards.c
        return self._rows(select(k.admin_area_id, k.records, k.area_m2).where(k.records > 0))

    @staticmethod
    def _counted(records, date, period: Period) -> list:  # type: ignore[no-untyped-def]
        return [records > 0] + ([] if period is None else [date.between(*period)])


def _totals(sums: Sums, connection: Connection, start: dt.date | None, end: dt.date | None) -> Totals:
    period = None if start is None else (start, end)
    totals = Totals()
    for outcome, area in sums.released(period):
        totals.released_m2[outcome] = square_metres(area)
    totals.items = {category: int(quantity or 0) for category, quantity in sums.found(period)}
    # Incidents are few (thousands): summed from their rows.
    dates = [] if start is None else [incidents.c.incident_date.between(start, end)]
    killed, injured = connection.execute(select(func.sum(incidents.c.killed), func.sum(incidents.c.injured)).where(
        incidents.c.retired_at.is_(None), *dates)).one()
    totals.killed, totals.injured = int(killed or 0), int(injured or 0)
    return totals


def _trend(sums: Sums, last_day: dt.date) -> list[WeekBar]:
    first_week = week_bounds(last_day)[0] - dt.timedelta(weeks=TREND_WEEKS - 1)
    bars = {first_week + dt.timedelta(weeks=i): WeekBar(first_week + dt.timedelta(weeks=i),
                                                        dict.fromkeys(OUTCOMES, 0.0), 0) for i in range(TREND_WEEKS)}
    for day, outcome, area in sorted(sums.released_per_day((first_week, last_day))):  # one order for both sources
        bars[week_bounds(day)[0]].released_ha[outcome] += square_metres(area) / 10_000
    for day, quantity in sums.found_per_day((first_week, last_day)):
        bars[week_bounds(day)[0]].items += int(quantity or 0)
    return list(bars.values())


def _districts(sums: Sums, connection: Connection) -> list[DistrictRow]:
    released: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0.0))
    for area_id, outcome, area in sums.released_per_district():
        released[area_id][outcome] = square_metres(area) / 10_000
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for area_id, category, quantity in sums.found_per_district():
        found[area_id][category] = int(quantity or 0)
    hazards = {area_id: (count, square_metres(area) / 10_000) for area_id, count, area in sums.open_hazards()}
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
                                sum(categories.get(c, 0) for c in UXO_CATEGORIES), int(count), hectares))
    return rows
