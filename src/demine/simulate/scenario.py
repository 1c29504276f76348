"""generate_scenario: the truth, the register files built from it, the deliberate errors, and the manifest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod

from demine.simulate import truth_files
from demine.simulate.config import ScenarioConfig, config_for
from demine.simulate.emplaced import ItemBatch
from demine.simulate.entry_errors import write_entry_errors
from demine.simulate.geography import load_theatre, to_wgs84_xy, wkt_wgs84
from demine.simulate.hazards import HazardArea, build_register
from demine.simulate.incidents import assistance_of, draw_incidents, victims_of
from demine.simulate.operations import Operations, OperationsLog, weeks
from demine.simulate.organisations import ORGANISATIONS, raise_teams
from demine.simulate.projects import plan_projects
from demine.simulate.records import SuppliedRecord, supply_records
from demine.simulate.settlements import build_roads, place_settlements
from demine.simulate.truth import ContaminationSite, SitePlanner, emplace
from demine.simulate.writer import LOAD_ORDER, ScenarioSinks

_GEOD = Geod(ellps="WGS84")
_SUPPLIER = "Former opposing forces (handed over through an intermediary)"


@dataclass(frozen=True)
class ScenarioManifest:
    scale: str
    seed: int
    out_dir: Path
    files: dict[str, Path]  # kind -> CSV, in load order
    truth_dir: Path
    errors_manifest: Path
    counts: dict[str, int] = field(default_factory=dict)


class _SiteItems:
    """Items of a site on demand; cached at small and national scale, regenerated at bench scale."""

    def __init__(self, seed: int, config: ScenarioConfig, sites: list[ContaminationSite], cache: bool) -> None:
        self.seed, self.config, self.sites, self.cache = seed, config, sites, cache
        self._cache: dict[int, ItemBatch] = {}
        self._tree: shapely.STRtree | None = None

    def under(self, polygon) -> list[int]:  # type: ignore[no-untyped-def]
        """Sites whose footprint meets the polygon, by id (deterministic order)."""
        if self._tree is None:
            self._tree = shapely.STRtree([s.footprint for s in self.sites])
        return sorted(int(i) for i in self._tree.query(polygon, predicate="intersects"))

    def __call__(self, site_id: int) -> ItemBatch:
        if site_id in self._cache:
            return self._cache[site_id]
        items, _ = emplace(self.seed, self.sites[site_id], self.config)
        if self.cache:
            self._cache[site_id] = items
        return items


def generate_scenario(out_dir: Path, *, scale: str = "small", seed: int = 1) -> ScenarioManifest:
    config = config_for(scale)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    theatre = load_theatre(config.districts)
    settlements = place_settlements(np.random.default_rng([seed, 2]), theatre, config.settlements_per_100_km2)
    roads = build_roads(settlements)
    sites = SitePlanner(seed, config, theatre, settlements, roads).plan()
    names = list(theatre.districts["name"])
    records = supply_records(seed, config, sites, names)
    hazards = build_register(seed, sites, records, config.ops_start)
    site_items = _SiteItems(seed, config, sites, cache=scale != "bench")

    sinks = ScenarioSinks(out_dir)
    _write_organisations(sinks)
    teams = raise_teams(seed, config, settlements)
    for t in teams:
        lon, lat = to_wgs84_xy(np.array([t.base.x]), np.array([t.base.y]))
        sinks["teams"].row((t.code, t.organisation, t.name, t.method.value, t.members, t.base.name,
                            round(float(lon[0]), 7), round(float(lat[0]), 7), t.active_from))
    log = Operations(seed, hazards, teams, site_items, sinks, config.ops_start, config.ops_end,
                     cells_per_hazard=config.cells_per_hazard,
                     minefield_section_m2=config.minefield_section_m2,
                     meet_other_sites=config.separate_sites).run()
    _write_hazards(sinks, hazards, log, settlements)
    _write_records(sinks, records)
    found = lambda site_id: log.found.get(site_id, np.zeros(len(site_items(site_id)), np.int32))  # noqa: E731
    incidents = draw_incidents(seed, config.incidents, sites, settlements, site_items, found, config.ops_start,
                               config.ops_end)
    _write_people(seed, sinks, incidents, config, settlements)
    for row, geom in plan_projects(seed, config.projects, settlements, roads, config.ops_end):
        # A project is planned within the districts worked: the part beyond them is another authority's affair.
        inside = geom.intersection(theatre.land)
        if inside.is_empty or inside.geom_type not in ("Point", "LineString", "Polygon", "MultiLineString",
                                                         "MultiPolygon"):
            continue
        sinks["projects"].row((*row, wkt_wgs84(inside)))
    sinks.close()
    counts = {kind: sinks[kind].count for kind in LOAD_ORDER}
    errors = write_entry_errors(seed, out_dir, config.entry_errors, counts["items"])
    truth_dir = truth_files.write_truth(out_dir / "truth", theatre, sites, records, hazards, incidents, settlements,
                                        roads, site_items, log, config)
    return ScenarioManifest(scale, seed, out_dir, {k: out_dir / f"{k}.csv" for k in LOAD_ORDER}, truth_dir, errors,
                            counts)


def _write_organisations(sinks: ScenarioSinks) -> None:
    for code, name, kind in ORGANISATIONS:
        sinks["organisations"].row((code, name, kind, "AZE", True))


def _write_hazards(sinks: ScenarioSinks, hazards: list[HazardArea], log: OperationsLog, settlements) -> None:
    for h in hazards:
        bench = h.polygon.representative_point()
        lon, lat = to_wgs84_xy(np.array([bench.x]), np.array([bench.y]))
        status = log.status.get(h.code, "open")
        confirmed = log.confirmed.get(h.code, ())
        cls = "cha" if confirmed else h.hazard_class.value
        evidence = "visible_item" if confirmed and h.evidence_type not in ("minefield_record",) else h.evidence_type
        sinks["hazards"].row((h.code, f"{h.hazard_type.value.replace('_', ' ')} {h.code[-4:]}", cls,
                              h.hazard_type.value, status, h.reported_date, "ANAMA", round(float(lon[0]), 7),
                              round(float(lat[0]), 7), ",".join(h.suspected), ",".join(confirmed) or None,
                              evidence, _evidence_text(evidence), round(float(lon[0]), 7), round(float(lat[0]), 7),
                              int(100 + 1000 * h.priority), "agricultural", wkt_wgs84(h.polygon)))


def _evidence_text(evidence: str) -> str:
    return {"minefield_record": "Supplied minefield record", "visible_item": "Items seen or found on the surface",
            "military_position": "Former military positions and trenches",
            "witness_statement": "Shelling and fighting reported by returning residents"}.get(evidence, evidence)


def _write_records(sinks: ScenarioSinks, records: list[SuppliedRecord]) -> None:
    for r in records:
        models = sorted({row.model for row in r.rows})
        ap = sum(row.count for row in r.rows if not row.model.startswith("TM"))
        at = sum(row.count for row in r.rows if row.model.startswith("TM"))
        lon, lat = to_wgs84_xy(np.array([r.reference1[0], r.reference2[0]]),
                               np.array([r.reference1[1], r.reference2[1]]))
        sinks["records"].row((r.code, f"Form {r.code[-5:]}", _SUPPLIER, r.received_date, r.laid_date,
                              r.laying_unit, "rows", "hand_laid", ap, at, ",".join(models), "pressure", "indefinite",
                              False, None, round(float(lon[0]), 7), round(float(lat[0]), 7), round(float(lon[1]), 7),
                              round(float(lat[1]), 7), wkt_wgs84(r.perimeter)))
        sx, sy = to_wgs84_xy(np.array([row.start_x for row in r.rows]), np.array([row.start_y for row in r.rows]))
        grid = np.radians([row.bearing_deg for row in r.rows])
        lengths = np.array([row.length_m for row in r.rows])
        ex, ey = to_wgs84_xy(np.array([row.start_x for row in r.rows]) + lengths * np.sin(grid),
                             np.array([row.start_y for row in r.rows]) + lengths * np.cos(grid))
        # Forms give bearings from true north; the rows were laid on the UTM grid (about 1.3° apart here).
        true_bearing, _, _ = _GEOD.inv(sx, sy, ex, ey)
        for k, row in enumerate(r.rows):
            sinks["record-rows"].row((f"{r.code}-{row.label}", r.code, row.label, round(float(sx[k]), 7),
                                      round(float(sy[k]), 7), round(float(true_bearing[k]) % 360, 1),
                                      round(row.length_m, 1), round(row.spacing_m, 2), row.count, row.model))


def _write_people(seed: int, sinks: ScenarioSinks, incidents, config: ScenarioConfig, settlements) -> None:
    rng = np.random.default_rng([seed, 11])
    for inc in incidents:
        victims = victims_of(rng, inc)
        killed = sum(v[8] == "killed" for v in victims)
        lon, lat = to_wgs84_xy(np.array([inc.x + rng.normal(0, 20)]), np.array([inc.y + rng.normal(0, 20)]))
        sinks["incidents"].row((inc.code, "civilian_incident", inc.date, inc.category, None, inc.activity, None,
                                killed, len(victims) - killed, f"Explosion during {inc.activity.replace('_', ' ')}",
                                round(float(lon[0]), 7), round(float(lat[0]), 7)))
        for v in victims:
            sinks["victims"].row(v)
            for a in assistance_of(rng, v, inc.date):
                if a[3] <= config.ops_end:
                    sinks["assistance"].row(a)
    n = 0
    for week_start, _ in weeks(config.ops_start, config.ops_end):
        for _ in range(rng.poisson(config.eore_sessions_per_week)):
            s = settlements[int(rng.integers(len(settlements)))]
            lon, lat = to_wgs84_xy(np.array([s.x]), np.array([s.y]))
            n += 1
            group = rng.poisson([12, 14, 10, 11, 4, 5])
            group[1] += 1  # a session always has someone in it
            school = rng.random() < 0.4
            if school:
                group[2:] = 0
            sinks["eore"].row((f"EORE-{n:06d}", week_start + dt.timedelta(days=int(rng.integers(0, 5))), "ANAMA",
                               "school" if school else "face_to_face", s.name, *(int(g) for g in group),
                               round(float(lon[0]), 7), round(float(lat[0]), 7)))
