"""The report's pictures: the weekly trend and a map of the period's work over the district boundaries (PNG).

matplotlib's object API with the Agg canvas: no pyplot global state, so reports can be drawn from API worker threads.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlalchemy import Connection, select

from demine.analysis import aggregates as agg
from demine.analysis.figures import UNEXPLODED, PeriodFigures
from demine.analysis.period import Period
from demine.store.tables.core import admin_areas
from demine.store.tables.operations import activities, items_found, land_release_outputs

TREND_WEEKS = 12
MAP_ITEMS_LIMIT = 50_000  # points drawn; the map shows where work was, the tables give the counts
OUTCOME_COLOURS = {"cancelled": "#9ACD32", "reduced": "#1E90FF", "cleared": "#0000CD"}
ITEM_COLOURS = {"ap_mine": "#D7191C", "at_mine": "#7B0000", "unexploded": "#F4A718"}


@dataclass(frozen=True, slots=True)
class TrendWeek:
    start: dt.date
    end: dt.date
    ap_mines: int
    at_mines: int
    unexploded: int
    released_ha: float


@dataclass(frozen=True, slots=True)
class Pictures:
    trend_png: bytes
    map_png: bytes
    trend: tuple[TrendWeek, ...]


def weekly_trend(connection: Connection, end: dt.date, weeks: int = TREND_WEEKS) -> tuple[TrendWeek, ...]:
    """Approved national figures for the `weeks` seven-day weeks ending on `end`."""
    window = Period(end - dt.timedelta(days=7 * weeks - 1), end)
    buckets = [[0, 0, 0, 0.0] for _ in range(weeks)]

    def week_of(day: dt.date) -> int:
        return weeks - 1 - (end - day).days // 7

    for day, category, quantity in agg.daily_items(connection, window):
        slot = buckets[week_of(day)]
        if category == "ap_mine":
            slot[0] += quantity
        elif category == "at_mine":
            slot[1] += quantity
        elif category in UNEXPLODED:
            slot[2] += quantity
    for day, _outcome, m2 in agg.daily_land(connection, window):
        buckets[week_of(day)][3] += m2 / 10_000
    return tuple(TrendWeek(end - dt.timedelta(days=7 * (weeks - k) - 1), end - dt.timedelta(days=7 * (weeks - 1 - k)),
                           int(b[0]), int(b[1]), int(b[2]), round(b[3], 1)) for k, b in enumerate(buckets))


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    FigureCanvasAgg(figure).print_png(out)
    return out.getvalue()


def trend_png(trend: tuple[TrendWeek, ...]) -> bytes:
    figure = Figure(figsize=(8, 3.6), dpi=110)
    items_axis = figure.add_subplot(1, 1, 1)
    x = np.arange(len(trend))
    labels = [w.end.strftime("%d %b") for w in trend]
    width = 0.27
    for offset, (name, values, colour) in zip((-width, 0, width), (
            ("AP mines", [w.ap_mines for w in trend], ITEM_COLOURS["ap_mine"]),
            ("AT mines", [w.at_mines for w in trend], ITEM_COLOURS["at_mine"]),
            ("UXO", [w.unexploded for w in trend], ITEM_COLOURS["unexploded"]))):
        items_axis.bar(x + offset, values, width, label=name, color=colour)
    items_axis.set_ylabel("items found")
    items_axis.set_xticks(x, labels, rotation=45, fontsize=7)
    land_axis = items_axis.twinx()
    land_axis.plot(x, [w.released_ha for w in trend], color="#1B7837", marker="o", label="ha released")
    land_axis.set_ylabel("hectares released")
    handles = items_axis.get_legend_handles_labels()
    more = land_axis.get_legend_handles_labels()
    items_axis.legend(handles[0] + more[0], handles[1] + more[1], fontsize=7, loc="upper left")
    items_axis.set_title("Weeks ending on the dates shown (approved data)", fontsize=9)
    figure.tight_layout()
    return _png(figure)


def _work(connection: Connection, period: Period) -> tuple[list, list]:  # type: ignore[type-arg]
    o, a, i = land_release_outputs, activities, items_found
    outputs = connection.execute(
        select(o.c.outcome, o.c.geom)
        .select_from(agg.reported_work(o))
        .where(o.c.release_date.between(period.start, period.end), agg.is_approved(o), *agg._live(o, a))
        .limit(MAP_ITEMS_LIMIT)).all()
    items = connection.execute(
        select(i.c.category, i.c.longitude, i.c.latitude)
        .select_from(agg.reported_work(i))
        .where(i.c.found_date.between(period.start, period.end), agg.is_approved(i), *agg._live(i, a))
        .limit(MAP_ITEMS_LIMIT)).all()
    return outputs, items


def _draw_polygon(axis, geometry: shapely.Geometry, **style) -> None:  # type: ignore[no-untyped-def]
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon":
            continue
        xs, ys = polygon.exterior.xy
        axis.fill(xs, ys, **style)


def map_png(connection: Connection, figures: PeriodFigures) -> bytes:
    """The districts the authority reports on (and any other with work), the period's outputs and items found."""
    worked = {d.code for d in figures.weekly.districts}
    districts = [r for r in connection.execute(select(admin_areas.c.code, admin_areas.c.name,
                                                      admin_areas.c.reporting_order, admin_areas.c.geom))
                 if r.reporting_order is not None or r.code in worked]
    outputs, items = _work(connection, figures.period)
    figure = Figure(figsize=(7, 7), dpi=110)
    axis = figure.add_subplot(1, 1, 1)
    for district in districts:
        _draw_polygon(axis, district.geom, facecolor="#F2F2F2" if district.code in worked else "white",
                      edgecolor="#555555", linewidth=0.6)
        centre = shapely.point_on_surface(district.geom)
        axis.annotate(district.name, (centre.x, centre.y), fontsize=6, ha="center", color="#333333")
    for outcome, geometry in outputs:
        _draw_polygon(axis, geometry, facecolor=OUTCOME_COLOURS.get(outcome, "grey"), edgecolor="none")
        centre = shapely.centroid(geometry)
        axis.plot(centre.x, centre.y, marker="s", markersize=3, color=OUTCOME_COLOURS.get(outcome, "grey"),
                  linestyle="none")
    for category in ("unexploded", "at_mine", "ap_mine"):  # mines drawn last, on top
        chosen = [(x, y) for c, x, y in items if (c in UNEXPLODED if category == "unexploded" else c == category)]
        if chosen:
            xs, ys = zip(*chosen)
            axis.scatter(xs, ys, s=4, color=ITEM_COLOURS[category], label=category.replace("_", " "), zorder=3)
    for outcome, colour in OUTCOME_COLOURS.items():
        axis.plot([], [], marker="s", color=colour, linestyle="none", label=f"{outcome} land")
    axis.legend(fontsize=7, loc="lower left")
    worked_shapes = [d.geom for d in districts if d.code in worked]
    if worked_shapes:  # frame the districts that worked (Gazakh lies far to the north-west)
        minx, miny, maxx, maxy = shapely.total_bounds(np.array(worked_shapes, dtype=object))
        axis.set_xlim(minx - 0.1, maxx + 0.1)
        axis.set_ylim(miny - 0.1, maxy + 0.1)
    axis.set_aspect(1 / np.cos(np.radians(40)))  # degrees of longitude are shorter than of latitude at 40° N
    axis.set_title(f"Work approved, {figures.period}", fontsize=9)
    axis.tick_params(labelsize=7)
    figure.tight_layout()
    return _png(figure)


def draw_pictures(connection: Connection, figures: PeriodFigures) -> Pictures:
    trend = weekly_trend(connection, figures.period.end)
    return Pictures(trend_png(trend), map_png(connection, figures), trend)
