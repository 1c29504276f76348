"""The hidden truth: every contamination site (minefield, battle area, cluster strike) and the items it holds.

Sites are light records; their items are regenerated on demand from a per-site seed, so the bench scale never holds
its tens of millions of items at once, and the same seed always yields the same items.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

from demine.simulate import battlefields, minefields
from demine.simulate.config import WITHDRAWAL_DISTRICTS, ScenarioConfig
from demine.simulate.emplaced import ItemBatch
from demine.simulate.geography import Theatre
from demine.simulate.minefields import LaidRow
from demine.simulate.settlements import Settlement

# Roughly the centre of the formerly held territory (near Shusha): the side of the line the records come from.
_HELD_SIDE = (611_000.0, 4_400_000.0)
_CLUSTER_WEIGHT = {"Jabrayil": 4.0, "Fuzuli": 2.0, "Aghdam": 1.0}  # FACTS.md: 2025 submunitions by district


class SiteKind(StrEnum):
    ROW_BELT = "row_belt"
    PROTECTIVE = "protective"
    WITHDRAWAL = "withdrawal"
    BATTLE_AREA = "battle_area"
    CLUSTER_STRIKE = "cluster_strike"


@dataclass(frozen=True, slots=True)
class ContaminationSite:
    """One place where ordnance lies. `rows` is what the laying unit would have written down (row minefields)."""

    site_id: int
    kind: SiteKind
    district: int
    x: float
    y: float
    bearing: float
    footprint: Polygon  # the true polygon (hull of the items, or the fought-over area)
    laid_date: dt.date
    rows: tuple[LaidRow, ...]
    held_side: bool  # laid by the side that later supplied records
    registered: bool  # becomes a hazard area; unregistered sites cause incidents off the map
    n_items: int

    @property
    def is_minefield(self) -> bool:
        return self.kind in (SiteKind.ROW_BELT, SiteKind.PROTECTIVE, SiteKind.WITHDRAWAL)


def _site_rng(seed: int, site_id: int) -> np.random.Generator:
    return np.random.default_rng([seed, 7, site_id])


def emplace(seed: int, site: ContaminationSite, config: ScenarioConfig) -> tuple[ItemBatch, tuple[LaidRow, ...]]:
    """The items of a site, identical on every call for the same seed."""
    rng = _site_rng(seed, site.site_id)
    if site.kind is SiteKind.ROW_BELT:
        items, rows = minefields.lay_row_belt(rng, site.x, site.y, site.bearing, config.belt_length_m)
        return items, tuple(rows)
    if site.kind is SiteKind.PROTECTIVE:
        items, rows = minefields.lay_protective(rng, site.x, site.y, site.bearing)
        return items, tuple(rows)
    if site.kind is SiteKind.WITHDRAWAL:
        return minefields.lay_withdrawal(rng, site.x, site.y, site.bearing), ()
    if site.kind is SiteKind.CLUSTER_STRIKE:
        _, items = battlefields.strike_footprint(rng, site.x, site.y, site.bearing)
        return items, ()
    return battlefields.scatter_uxo(rng, site.footprint, config.uxo_clusters_per_100_ha, config.uxo_spot_size), ()


class _FootprintGrid:
    """Footprints bucketed on a 3 km grid: enough to keep sites from overlapping without rebuilding a tree."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[tuple[int, BaseGeometry]]] = defaultdict(list)
        self._n = 0

    def _keys(self, geom: BaseGeometry) -> list[tuple[int, int]]:
        minx, miny, maxx, maxy = (int(v // 3000) for v in geom.bounds)
        return [(i, j) for i in range(minx, maxx + 1) for j in range(miny, maxy + 1)]

    def near(self, geom: BaseGeometry) -> list[BaseGeometry]:
        # In insertion order, never by id(): the result must not depend on memory addresses (determinism).
        seen: dict[int, BaseGeometry] = {}
        for k in self._keys(geom):
            for n, g in self._cells.get(k, ()):
                seen[n] = g
        return [seen[n] for n in sorted(seen)]

    def hits(self, geom: BaseGeometry) -> bool:
        return any(geom.intersects(g) for g in self.near(geom))

    def add(self, geom: BaseGeometry) -> None:
        self._n += 1
        for k in self._keys(geom):
            self._cells[k].append((self._n, geom))


class SitePlanner:
    """Places sites in the order armies made them: line belts, protective fields, withdrawal fields, then fighting."""

    def __init__(self, seed: int, config: ScenarioConfig, theatre: Theatre, settlements: list[Settlement],
                 roads: list) -> None:
        self.seed, self.config, self.theatre = seed, config, theatre
        self.settlements, self.roads = settlements, roads
        self.rng = np.random.default_rng([seed, 1])
        self.sites: list[ContaminationSite] = []
        self.grid = _FootprintGrid()

    def plan(self) -> list[ContaminationSite]:
        km = self.theatre.line.length / 1000
        self._along_line(SiteKind.ROW_BELT, int(km * self.config.row_belts_per_km_of_line), (100, 2500))
        self._along_line(SiteKind.PROTECTIVE, int(km * self.config.protective_per_km_of_line), (800, 6000))
        self._withdrawal()
        self._battle_areas()
        self._cluster_strikes()
        return self.sites

    def _add(self, kind: SiteKind, x: float, y: float, bearing: float, footprint: Polygon | None,
             held_side: bool) -> bool:
        district = int(self.theatre.district_at(np.array([x]), np.array([y]))[0])
        if district < 0:
            return False
        site_id = len(self.sites)
        probe = ContaminationSite(site_id, kind, district, x, y, bearing, footprint or Polygon(), dt.date(2000, 1, 1),
                                  (), held_side, True, 0)
        items, rows = emplace(self.seed, probe, self.config)
        if len(items) < 3:
            return False
        if footprint is None:
            footprint = MultiPoint(np.column_stack([items.x, items.y])).convex_hull.buffer(10)
        if not shapely.contains_xy(self.theatre.land, x, y):
            return False
        if self.config.separate_sites:
            if self.grid.hits(footprint):
                return False
            self.grid.add(footprint)
        unregistered = self.config.unregistered_share * (4 if kind is SiteKind.WITHDRAWAL else 1)
        laid = (dt.date(2020, 11, int(self.rng.integers(10, 26))) if kind is SiteKind.WITHDRAWAL
                else dt.date(int(self.rng.integers(1993, 2021)), int(self.rng.integers(1, 10)), 1))
        self.sites.append(ContaminationSite(site_id, kind, district, x, y, bearing, footprint, laid, rows, held_side,
                                            bool(self.rng.random() >= unregistered), len(items)))
        return True

    def _along_line(self, kind: SiteKind, n: int, offset_m: tuple[float, float]) -> None:
        line = self.theatre.line
        if line.is_empty or n == 0:
            return
        for _ in range(n * 4):
            if n == 0:
                break
            s = float(self.rng.uniform(0, line.length))
            p, q = line.interpolate(s), line.interpolate(min(s + 50, line.length - 1e-6))
            bearing = float(np.degrees(np.arctan2(q.x - p.x, q.y - p.y))) % 360
            nx, ny = np.cos(np.radians(bearing)), -np.sin(np.radians(bearing))  # unit normal, one side
            held = (_HELD_SIDE[0] - p.x) * nx + (_HELD_SIDE[1] - p.y) * ny > 0
            side = 1.0 if held else -1.0
            if self.rng.random() < 0.2:  # the other army's fields, on its own side
                side, held = -side, not held
            d = float(self.rng.uniform(*offset_m)) * side
            x, y = p.x + d * nx, p.y + d * ny
            if self._add(kind, x, y, bearing + float(self.rng.normal(0, 4)), None, held):
                n -= 1

    def _withdrawal(self) -> None:
        names = list(self.theatre.districts["name"])
        for name in [n for n in names if n in WITHDRAWAL_DISTRICTS]:  # list order: set order varies per process
            geom = self.theatre.districts.geometry.iloc[names.index(name)]
            roads = [r for r in self.roads if r.intersects(geom)]
            placed = 0
            for _ in range(self.config.withdrawal_minefields * 4):
                if placed >= self.config.withdrawal_minefields or not roads:
                    break
                road = roads[int(self.rng.integers(len(roads)))]
                p = road.interpolate(float(self.rng.uniform(0, road.length)))
                (x0, y0), (x1, y1) = road.coords[0], road.coords[-1]
                bearing = float(np.degrees(np.arctan2(x1 - x0, y1 - y0)))
                placed += self._add(SiteKind.WITHDRAWAL, p.x, p.y, bearing, None, False)

    def _battle_areas(self) -> None:
        land = self.theatre.land
        n = int(land.area / 1e9 * self.config.battle_areas_per_1000_km2)
        minx, miny, maxx, maxy = land.bounds
        for _ in range(n * 3):
            if n == 0:
                break
            if self.rng.random() < 0.6 and not self.theatre.line.is_empty:
                p = self.theatre.line.interpolate(float(self.rng.uniform(0, self.theatre.line.length)))
                x, y = p.x + self.rng.normal(0, 6000), p.y + self.rng.normal(0, 6000)
            else:
                x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            a = float(self.rng.uniform(*self.config.battle_area_axis_m))  # wide: most of it is later cancelled
            area = battlefields.blob(self.rng, x, y, a, a * float(self.rng.uniform(0.4, 0.9)),
                                     float(self.rng.uniform(0, 180)))
            if not shapely.contains(land, area):  # the prepared test is cheap; clipping to the border is not
                area = area.intersection(land)
            if area.is_empty:
                continue
            near = self.grid.near(area) if self.config.separate_sites else []
            if near:
                # A gap around minefields; neighbouring battle areas may touch (buffering them costs too much).
                small = [g for g in near if g.area < 5e6]
                gaps = shapely.buffer(shapely.oriented_envelope(small), 100, join_style="mitre")
                blocked = shapely.union_all([*gaps,
                                             *[g for g in near if g.area >= 5e6]])
                area = area.difference(blocked)
            area = _largest_polygon(area)
            # A sliver is not worth a hazard: 20 ha at national scale, scaled with the smallest axis.
            if area is not None and area.area > 200_000 * (self.config.battle_area_axis_m[0] / 2500) ** 2:
                c = area.representative_point()
                n -= self._add(SiteKind.BATTLE_AREA, c.x, c.y, 0.0, area, False)

    def _cluster_strikes(self) -> None:
        names = list(self.theatre.districts["name"])
        n = int(self.theatre.land.area / 1e9 * self.config.cluster_strikes_per_1000_km2)
        weights = np.array([_CLUSTER_WEIGHT.get(names[s.district], 0.3) for s in self.settlements])
        weights = weights / weights.sum()
        for _ in range(n * 4):
            if n == 0:
                break
            s = self.settlements[int(self.rng.choice(len(self.settlements), p=weights))]
            x, y = s.x + self.rng.normal(0, 1500), s.y + self.rng.normal(0, 1500)
            bearing = float(self.rng.uniform(0, 360))
            footprint, _ = battlefields.strike_footprint(_site_rng(self.seed, len(self.sites)), x, y, bearing)
            n -= self._add(SiteKind.CLUSTER_STRIKE, x, y, bearing, footprint, False)


def _largest_polygon(geom: BaseGeometry) -> Polygon | None:
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon)]
    return max(parts, key=lambda g: g.area) if parts else None
