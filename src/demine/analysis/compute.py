"""Compute the figures of a period from the register: the weekly figures, and everything the full report shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable

from sqlalchemy import Connection

from demine.analysis import aggregates as agg
from demine.analysis import indicators
from demine.analysis.figures import (
    AreaFigures,
    ItemCounts,
    LandReleased,
    ModelCount,
    Pending,
    PeriodFigures,
    Totals,
    WeeklyFigures,
)
from demine.analysis.period import Period

OUTSIDE = "(outside any district)"


def _roll_up(items: Iterable[agg.ItemGroup], land: Iterable[agg.LandGroup],
             key: Callable[[agg.ItemGroup | agg.LandGroup], Hashable]) -> dict[Hashable, tuple[ItemCounts, LandReleased]]:
    """Approved items and land summed by `key` (district, operator, method ...)."""
    out: dict[Hashable, tuple[ItemCounts, LandReleased]] = {}
    for group in items:
        counts, released = out.get(key(group), (ItemCounts(), LandReleased()))
        out[key(group)] = (counts.plus(group.category, group.quantity), released)
    for group in land:
        counts, released = out.get(key(group), (ItemCounts(), LandReleased()))
        out[key(group)] = (counts, released.plus(group.outcome, group.area_m2))
    return {k: (c, LandReleased(*(round(x, agg.AREA_DECIMALS) for x in (l.cancelled_m2, l.reduced_m2, l.cleared_m2))))
            for k, (c, l) in out.items()}


def _districts(rolled: dict, areas: dict[int, agg.AdminArea]) -> tuple[AreaFigures, ...]:
    """Districts with work: the authority's order first, then the others by name, then work outside any district."""
    figures = []
    for area_id, (items, land) in rolled.items():
        if area_id in areas:
            area = areas[area_id]
            figures.append(AreaFigures(area.code, area.name, items, land, area.reporting_order))
        else:
            figures.append(AreaFigures("", OUTSIDE, items, land, None))
    figures = [f for f in figures if f.has_work]
    return tuple(sorted(figures, key=lambda f: (f.reporting_order is None, f.reporting_order or 0, f.name == OUTSIDE,
                                                f.name)))


def _national(items: list[agg.ItemGroup], land: list[agg.LandGroup]) -> AreaFigures:
    rolled = _roll_up(items, land, lambda g: "national")
    counts, released = rolled.get("national", (ItemCounts(), LandReleased()))
    return AreaFigures("", "National", counts, released)


def _pending(connection: Connection, period: Period, items: list[agg.ItemGroup],
             land: list[agg.LandGroup]) -> Pending:
    return Pending(agg.pending_reports(connection, period),
                   sum(g.quantity for g in items if g.state == agg.PENDING),
                   round(sum(g.area_m2 for g in land if g.state == agg.PENDING), agg.AREA_DECIMALS))


def _groups(connection: Connection, period: Period, *,
            detailed: bool = True) -> tuple[list[agg.ItemGroup], list[agg.LandGroup]]:
    return (agg.item_groups(connection, period, detailed=detailed),
            agg.land_groups(connection, period, detailed=detailed))


def _weekly_from(connection: Connection, period: Period, items: list[agg.ItemGroup], land: list[agg.LandGroup],
                 areas: dict[int, agg.AdminArea]) -> WeeklyFigures:
    approved_items = [g for g in items if g.state == agg.APPROVED]
    approved_land = [g for g in land if g.state == agg.APPROVED]
    districts = _districts(_roll_up(approved_items, approved_land, lambda g: g.admin_area_id), areas)
    return WeeklyFigures(period, districts, _national(approved_items, approved_land),
                         _pending(connection, period, items, land))


def weekly_figures(connection: Connection, period: Period) -> WeeklyFigures:
    """Items and land per district and nationally, approved only, with what is pending: two grouped queries."""
    items, land = _groups(connection, period, detailed=False)
    return _weekly_from(connection, period, items, land, agg.admin_area_index(connection))


def totals(connection: Connection, period: Period) -> Totals:
    """National approved items and land of a period (previous period, cumulative figures)."""
    land = agg.national_land(connection, period)
    return Totals(period, ItemCounts(agg.national_items(connection, period)),
                  LandReleased(*(land.get(o, 0.0) for o in ("cancelled", "reduced", "cleared"))))


def period_figures(connection: Connection, period: Period, *, since: dt.date | None = None,
                   due_days: int = indicators.REPORT_DUE_DAYS) -> PeriodFigures:
    """Everything the full report shows; `since` starts the cumulative figures (none without it); reports sent more
    than `due_days` after their period are listed as late."""
    items, land = _groups(connection, period)
    areas = agg.admin_area_index(connection)
    organisations = agg.organisation_index(connection)
    team_names = agg.team_index(connection)
    weekly = _weekly_from(connection, period, items, land, areas)
    approved_items = [g for g in items if g.state == agg.APPROVED]
    approved_land = [g for g in land if g.state == agg.APPROVED]
    by_operator = _roll_up(approved_items, approved_land, lambda g: g.organisation_id)
    operators = tuple(sorted((AreaFigures(*organisations.get(k, ("?", "?")), c, l) for k, (c, l) in by_operator.items()),
                             key=lambda f: f.code))
    by_method = _roll_up(approved_items, approved_land, lambda g: g.method)
    methods = tuple(AreaFigures(str(k), str(k), c, l) for k, (c, l) in sorted(by_method.items()))
    model_totals: dict[tuple[str, str | None], int] = {}
    for g in approved_items:
        model_totals[(g.category, g.model)] = model_totals.get((g.category, g.model), 0) + g.quantity
    models = tuple(ModelCount(c, m, q) for (c, m), q in sorted(model_totals.items(), key=lambda kv: (kv[0][0], -kv[1],
                                                                                                  kv[0][1] or "")))
    teams, methods_productivity = indicators.productivity(connection, period, team_names, organisations)
    flagged, flagged_total = indicators.flagged_records(connection, period)
    cumulative = totals(connection, Period(since, period.end)) if since is not None else None
    return PeriodFigures(
        weekly=weekly, operators=operators, methods=methods, models=models,
        team_productivity=teams, method_productivity=methods_productivity,
        empty_clearance=indicators.empty_clearance(connection, period),
        casualties=indicators.casualties(connection, period, areas),
        risk_education=indicators.risk_education(connection, period, areas),
        previous=totals(connection, period.previous()), cumulative=cumulative,
        flagged=flagged, flagged_total=flagged_total,
        missing_reports=indicators.missing_reports(connection, period),
        late_reports=indicators.late_reports(connection, period, due_days), report_due_days=due_days,
        record_classes=_record_classes(connection),
    )


def _record_classes(connection: Connection) -> tuple[tuple[str, str, int], ...]:
    from demine.analysis.records.layers import verification_layer

    layer = verification_layer(connection)
    if layer.empty:
        return ()
    counts = layer.fillna({"district": "(no district)"}).groupby(["district", "verification_class"]).size()
    return tuple((str(d), str(c), int(n)) for (d, c), n in counts.items())
