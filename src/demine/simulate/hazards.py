"""The hazard register as survey builds it: hazard areas drawn around known sites and around supplied records.

A hazard drawn around a site is wider than the true footprint (surveyors draw generously), and now and then offset
(a landmark misread), which leaves some true items outside it. A record that matches no surveyed hazard becomes a
suspected area of its own; when the record was shifted or invented, the land is empty and survey cancels it.
Each hazard is worked on a grid of cells: cells with items are cleared, their neighbours reduced by technical survey,
the rest cancelled by non-technical survey.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from demine.domain.vocabulary import EOCategory, HazardClass, HazardType
from demine.simulate.emplaced import CATEGORY_OF_INDEX, ItemBatch
from demine.simulate.records import SuppliedRecord
from demine.simulate.truth import ContaminationSite, SiteKind

_TYPE_OF_KIND = {
    SiteKind.ROW_BELT: HazardType.MINEFIELD, SiteKind.PROTECTIVE: HazardType.MINEFIELD,
    SiteKind.WITHDRAWAL: HazardType.MINEFIELD, SiteKind.BATTLE_AREA: HazardType.BATTLE_AREA,
    SiteKind.CLUSTER_STRIKE: HazardType.CLUSTER_STRIKE,
}


@dataclass(slots=True)
class HazardArea:
    code: str
    site_id: int | None
    record_code: str | None
    polygon: Polygon
    hazard_class: HazardClass
    hazard_type: HazardType
    reported_date: dt.date
    district: int
    suspected: tuple[str, ...]
    evidence_type: str
    priority: float  # higher first: casualties, people returning, projects (ANAMA's criteria)


@dataclass(slots=True)
class CellPlan:
    """The hazard cut into cells, each with its area inside the hazard and the items it holds."""

    x0: np.ndarray  # lower-left corner of each cell (metres); boxes are built only when a cell is released, so
    y0: np.ndarray  # a queue of 100,000 hazards (bench) holds arrays, not tens of millions of polygons
    size: float
    area_m2: np.ndarray
    interior: np.ndarray  # cell wholly inside the hazard: its output needs no clipping
    item_cell: np.ndarray  # cell index of each item (-1: item outside the hazard, never found through it)
    stages: dict[str, list[int]]  # "cancel", "reduce", "clear": cell indices in sweep order


def build_register(seed: int, sites: list[ContaminationSite], records: list[SuppliedRecord],
                   ops_start: dt.date) -> list[HazardArea]:
    rng = np.random.default_rng([seed, 4])
    hazards: list[HazardArea] = []
    by_site: dict[int, HazardArea] = {}
    for site in sites:
        if not site.registered:
            continue
        hazard = _site_hazard(rng, len(hazards), site, ops_start)
        hazards.append(hazard)
        by_site[site.site_id] = hazard
    for record in records:
        matched = by_site.get(record.site_id) if record.site_id is not None else None
        if matched is not None and matched.polygon.intersects(record.perimeter):
            matched.evidence_type, matched.record_code = "minefield_record", record.code
            continue
        # The record alone drives the suspicion; it takes over the site only when survey never found that site.
        site_id = record.site_id if (record.site_id is not None and record.site_id not in by_site) else None
        polygon = record.perimeter.buffer(50)
        hazards.append(HazardArea(f"HAZ-{len(hazards) + 1:06d}", site_id, record.code, polygon, HazardClass.SHA,
                                  HazardType.MINEFIELD, max(record.received_date, ops_start) + dt.timedelta(days=30),
                                  record.district, ("ap_mine", "at_mine"), "minefield_record", float(rng.random())))
    return hazards


def _site_hazard(rng: np.random.Generator, n: int, site: ContaminationSite, ops_start: dt.date) -> HazardArea:
    if site.kind is SiteKind.BATTLE_AREA:
        polygon, suspected, evidence = site.footprint, ("uxo", "axo"), "witness_statement"
    elif site.kind is SiteKind.CLUSTER_STRIKE:
        polygon, suspected, evidence = site.footprint.buffer(100), ("submunition", "uxo"), "visible_item"
    else:
        polygon = site.footprint.buffer(float(rng.uniform(30, 120)))
        if rng.random() < 0.15:  # misread landmark: the surveyed polygon sits off the true one
            polygon = shapely.affinity.translate(polygon, *rng.normal(0, 60, 2))
        suspected, evidence = ("ap_mine", "at_mine"), "military_position"
    cha = site.kind is SiteKind.CLUSTER_STRIKE or (site.is_minefield and rng.random() < 0.5)
    late = site.kind is SiteKind.WITHDRAWAL or rng.random() < 0.3  # found as survey reached the area
    # Survey reaches new areas to the end: 1,166,702 ha were suspected, so hazards are still reported in 2025.
    reported = ops_start + dt.timedelta(days=int(rng.integers(20, 1500 if late else 200)))
    priority = float(rng.random()) + (0.6 if site.kind is SiteKind.CLUSTER_STRIKE else 0.0)
    return HazardArea(f"HAZ-{n + 1:06d}", site.site_id, None, polygon,
                      HazardClass.CHA if cha else HazardClass.SHA, _TYPE_OF_KIND[site.kind], reported, site.district,
                      suspected, "visible_item" if cha and evidence != "minefield_record" else evidence, priority)


def plan_cells(hazard: HazardArea, items: ItemBatch, cells_per_hazard: int = 120) -> CellPlan:
    """Grid the hazard so that a team-week is a few cells; sort the cells by what will release them."""
    polygon = hazard.polygon
    # Whole metres: neighbouring cells then share exact edges, so their union needs no snapping.
    size = float(np.ceil(np.clip(np.sqrt(polygon.area / cells_per_hazard), 40, 700)))
    minx, miny, maxx, maxy = polygon.bounds
    minx, miny = float(np.floor(minx)), float(np.floor(miny))
    nx, ny = int(np.ceil((maxx - minx) / size)), int(np.ceil((maxy - miny) / size))
    ix, iy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    x0, y0 = (minx + ix * size).ravel(), (miny + iy * size).ravel()
    boxes = shapely.box(x0, y0, x0 + size, y0 + size)
    # Only cells on the boundary need an overlay; the prepared predicates sort out the rest cheaply.
    shapely.prepare(polygon)
    interior = shapely.contains_properly(polygon, boxes)
    edge = ~interior & shapely.intersects(polygon, boxes)
    area = np.where(interior, size * size, 0.0)
    area[edge] = shapely.area(shapely.intersection(boxes[edge], polygon))
    keep = area > 1.0
    index_of = np.full(len(boxes), -1)
    index_of[keep] = np.arange(int(keep.sum()))
    inside = shapely.contains_xy(polygon, items.x, items.y) if len(items) else np.zeros(0, bool)
    gx = np.clip(((items.x - minx) // size).astype(int), 0, nx - 1)
    gy = np.clip(((items.y - miny) // size).astype(int), 0, ny - 1)
    item_cell = np.where(inside, index_of[gx * ny + gy], -1)
    counts = np.bincount(item_cell[item_cell >= 0], minlength=int(keep.sum()))
    grid_has = np.zeros(nx * ny, bool)
    grid_has[keep] = counts > 0
    grid = grid_has.reshape(nx, ny)
    near = np.zeros_like(grid)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            near |= np.roll(np.roll(grid, dx, 0), dy, 1)
    near = near.ravel()[keep] & ~(counts > 0)
    cells = np.arange(int(keep.sum()))
    stages = {"cancel": cells[~near & (counts == 0)].tolist(), "reduce": cells[near].tolist(),
              "clear": cells[counts > 0].tolist()}
    if hazard.hazard_type is HazardType.MINEFIELD:
        # Clearance goes on to a fade-out distance beyond the last mine found (IMAS 09.10): the cells next to mines are
        # cleared, not reduced, so a minefield's cleared land holds far fewer mines per hectare than its rows.
        stages["clear"] = cells[near | (counts > 0)].tolist()
        stages["reduce"] = []
    if hazard.hazard_class is HazardClass.CHA:  # direct evidence: nothing is cancelled by survey alone
        stages["reduce"] = sorted(stages["reduce"] + stages["cancel"])
        stages["cancel"] = []
    return CellPlan(x0[keep], y0[keep], size, area[keep], interior[keep], item_cell, stages)


def cell_boxes(plan: CellPlan, cells: list[int]) -> np.ndarray:
    x0, y0 = plan.x0[cells], plan.y0[cells]
    return shapely.box(x0, y0, x0 + plan.size, y0 + plan.size)


def categories_of(items: ItemBatch) -> tuple[str, ...]:
    found = set(CATEGORY_OF_INDEX[items.model].tolist()) if len(items) else set()
    return tuple(c.value for c in EOCategory if c.value in found)


