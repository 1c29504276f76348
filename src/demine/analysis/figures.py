"""The figures of a reporting period, as typed values: what the statement and every report are written from.

Only approved data counts: an item found or a land release output counts when its progress report is approved, or when
it was recorded without one (an EOD call-out, a completion report); submissions still awaiting review are counted
apart as pending. Retired records never count. See docs/reports.md for each figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from demine.analysis.period import Period
from demine.domain.geodesy import M2_PER_HECTARE

# The statement's "unexploded ordnance": everything that is not a mine and was fired, dropped or abandoned. The full
# tables keep the categories apart.
UNEXPLODED = ("uxo", "axo", "submunition")
OUTCOMES = ("cancelled", "reduced", "cleared")


@dataclass(frozen=True, slots=True)
class ItemCounts:
    """Items found by EO category (quantities, so a lot of small arms ammunition counts its rounds)."""

    by_category: dict[str, int] = field(default_factory=dict)

    @property
    def ap_mines(self) -> int:
        return self.by_category.get("ap_mine", 0)

    @property
    def at_mines(self) -> int:
        return self.by_category.get("at_mine", 0)

    @property
    def unexploded(self) -> int:
        return sum(self.by_category.get(c, 0) for c in UNEXPLODED)

    @property
    def total(self) -> int:
        return sum(self.by_category.values())

    def plus(self, category: str, quantity: int) -> ItemCounts:
        merged = dict(self.by_category)
        merged[category] = merged.get(category, 0) + quantity
        return ItemCounts(merged)


@dataclass(frozen=True, slots=True)
class LandReleased:
    """Land released by outcome, in m² (shown in hectares)."""

    cancelled_m2: float = 0.0
    reduced_m2: float = 0.0
    cleared_m2: float = 0.0

    @property
    def total_m2(self) -> float:
        return self.cancelled_m2 + self.reduced_m2 + self.cleared_m2

    @property
    def total_ha(self) -> float:
        return self.total_m2 / M2_PER_HECTARE

    def hectares(self, outcome: str) -> float:
        return getattr(self, f"{outcome}_m2") / M2_PER_HECTARE

    def plus(self, outcome: str, area_m2: float) -> LandReleased:
        values = {f"{o}_m2": getattr(self, f"{o}_m2") for o in OUTCOMES}
        values[f"{outcome}_m2"] += area_m2
        return LandReleased(**values)


@dataclass(frozen=True, slots=True)
class AreaFigures:
    """Items and land of one district, one operator, one method or the whole programme in the period."""

    code: str
    name: str
    items: ItemCounts = ItemCounts()
    land: LandReleased = LandReleased()
    reporting_order: int | None = None

    @property
    def items_per_hectare(self) -> float | None:
        """Items per hectare of land physically worked (cleared or reduced); cancelled land is released by survey."""
        worked_ha = (self.land.cleared_m2 + self.land.reduced_m2) / M2_PER_HECTARE
        return self.items.total / worked_ha if worked_ha > 0 else None

    @property
    def has_work(self) -> bool:
        return self.items.total > 0 or self.land.total_m2 > 0


@dataclass(frozen=True, slots=True)
class Totals:
    """National items and land of a period: for the comparison with the previous period and the cumulative figure."""

    period: Period
    items: ItemCounts
    land: LandReleased


@dataclass(frozen=True, slots=True)
class ModelCount:
    category: str
    model: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class Productivity:
    """Area worked per unit-day (deminer, dog pair or machine) from approved progress reports ending in the period."""

    method: str
    area_m2: float
    unit_days: float
    team_code: str | None = None
    team_name: str | None = None
    organisation: str | None = None

    @property
    def m2_per_unit_day(self) -> float | None:
        return self.area_m2 / self.unit_days if self.unit_days else None


@dataclass(frozen=True, slots=True)
class EmptyClearance:
    """Clearance that found nothing: the main waste of a programme (under 3% of cleared land held EO in 15 countries)."""

    cleared_m2: float = 0.0
    cleared_m2_nothing_found: float = 0.0
    completed_tasks: int = 0
    completed_tasks_nothing_found: int = 0

    @property
    def area_share(self) -> float | None:
        return self.cleared_m2_nothing_found / self.cleared_m2 if self.cleared_m2 else None

    @property
    def task_share(self) -> float | None:
        return self.completed_tasks_nothing_found / self.completed_tasks if self.completed_tasks else None


@dataclass(frozen=True, slots=True)
class Casualties:
    """Incidents and accidents in the period, and their casualties disaggregated (never a name)."""

    incidents: int = 0
    killed: int = 0
    injured: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # incidents per kind
    by_district: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # name -> incidents, killed, injured
    by_age_group: dict[str, int] = field(default_factory=dict)  # casualties (victim records)
    by_sex: dict[str, int] = field(default_factory=dict)
    by_activity: dict[str, int] = field(default_factory=dict)


EORE_GROUPS = ("girls", "boys", "women", "men", "elderly_women", "elderly_men")


@dataclass(frozen=True, slots=True)
class RiskEducation:
    sessions: int = 0
    beneficiaries: dict[str, int] = field(default_factory=dict)  # by EORE_GROUPS
    by_district: dict[str, int] = field(default_factory=dict)  # name -> beneficiaries

    @property
    def total(self) -> int:
        return sum(self.beneficiaries.values())


@dataclass(frozen=True, slots=True)
class Pending:
    """Submissions awaiting review: not in the official figures yet."""

    reports: int = 0
    items: int = 0
    land_m2: float = 0.0


@dataclass(frozen=True, slots=True)
class FlaggedRecord:
    kind: str
    code: str
    date: dt.date
    flags: str


@dataclass(frozen=True, slots=True)
class MissingReport:
    team_code: str
    team_name: str
    organisation: str


@dataclass(frozen=True, slots=True)
class LateReport:
    """A progress report sent after its due day (the period's last day plus the days the authority allows)."""
    report_code: str
    team_code: str
    organisation: str
    period_end: dt.date
    submitted_on: dt.date
    days_late: int


@dataclass(frozen=True, slots=True)
class WeeklyFigures:
    """What the weekly statement needs: items and land per district and nationally, and what is pending."""

    period: Period
    districts: tuple[AreaFigures, ...]  # districts with work, in the authority's order, then the others by name
    national: AreaFigures
    pending: Pending

    @property
    def named_districts(self) -> tuple[AreaFigures, ...]:
        """Districts the statement names: those with a reporting order and with work in the period."""
        return tuple(d for d in self.districts if d.reporting_order is not None)


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Everything the full report shows."""

    weekly: WeeklyFigures
    operators: tuple[AreaFigures, ...]
    methods: tuple[AreaFigures, ...]
    models: tuple[ModelCount, ...]
    team_productivity: tuple[Productivity, ...]
    method_productivity: tuple[Productivity, ...]
    empty_clearance: EmptyClearance
    casualties: Casualties
    risk_education: RiskEducation
    previous: Totals
    cumulative: Totals | None
    flagged: tuple[FlaggedRecord, ...]
    flagged_total: int
    missing_reports: tuple[MissingReport, ...]
    late_reports: tuple[LateReport, ...]
    report_due_days: int  # the rule late_reports was judged by, printed with the list
    # The latest verification of the minefield records: (district, verification class, records), none if never run.
    record_classes: tuple[tuple[str, str, int], ...] = ()

    @property
    def period(self) -> Period:
        return self.weekly.period

    @property
    def national(self) -> AreaFigures:
        return self.weekly.national
