"""The truth, written apart from the register files (truth/), for evaluation only: never imported.

CSV with WGS84 coordinates or WKT, like the register files, so any tool (or QGIS) can open them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from demine.simulate.config import ScenarioConfig
from demine.simulate.emplaced import CATEGORY_OF_INDEX, MODEL_CODES
from demine.simulate.geography import Theatre, to_wgs84_xy, wkt_wgs84
from demine.simulate.hazards import HazardArea
from demine.simulate.incidents import IncidentTruth
from demine.simulate.operations import OperationsLog
from demine.simulate.records import SuppliedRecord
from demine.simulate.truth import ContaminationSite
from demine.simulate.writer import CsvSink

CATEGORY_OF_INDEX_LIST: list[str] = CATEGORY_OF_INDEX.tolist()


def write_truth(truth_dir: Path, theatre: Theatre, sites: list[ContaminationSite], records: list[SuppliedRecord],
                hazards: list[HazardArea], incidents: list[IncidentTruth], settlements, roads, site_items,
                log: OperationsLog, config: ScenarioConfig) -> Path:
    truth_dir.mkdir(parents=True, exist_ok=True)
    site_sink = CsvSink(truth_dir / "sites.csv", ("site_id", "kind", "district", "laid_date", "held_side",
                                                  "registered", "n_items", "wkt"))
    item_sink = CsvSink(truth_dir / "items.csv", ("site_id", "item", "category", "model", "depth_cm", "found_date",
                                                  "longitude", "latitude"))
    names = list(theatre.districts["name"])
    for s in sites:
        site_sink.row((s.site_id, s.kind.value, names[s.district], s.laid_date, s.held_side, s.registered, s.n_items,
                       wkt_wgs84(s.footprint)))
        items = site_items(s.site_id)
        found = log.found.get(s.site_id, np.zeros(len(items), np.int32))
        lon, lat = to_wgs84_xy(items.x, items.y)
        # Plain lists and zip, not numpy scalars per cell: the bench truth holds more than ten million items.
        dates = {d: dt.date.fromordinal(d).isoformat() if d else "" for d in set(found.tolist())}
        site = str(s.site_id)
        item_sink.rows([[site, str(k), CATEGORY_OF_INDEX_LIST[m], MODEL_CODES[m], f"{d:.1f}", dates[f], f"{x:.7f}",
                         f"{y:.7f}"]
                        for k, m, d, f, x, y in zip(range(len(items)), items.model.tolist(), items.depth_cm.tolist(),
                                                    found.tolist(), lon.tolist(), lat.tolist())])
    site_sink.close()
    item_sink.close()
    rec = CsvSink(truth_dir / "records.csv", ("record_code", "site_id", "true_class", "shift_x_m", "shift_y_m",
                                              "rotation_deg"))
    for r in records:
        rec.row((r.code, r.site_id, r.true_class, round(r.shift_x, 1), round(r.shift_y, 1), round(r.rotation_deg, 2)))
    rec.close()
    haz = CsvSink(truth_dir / "hazards.csv", ("hazard_code", "site_id", "record_code"))
    for h in hazards:
        haz.row((h.code, h.site_id, h.record_code))
    haz.close()
    inc = CsvSink(truth_dir / "incidents.csv", ("incident_code", "site_id", "item", "category", "model",
                                                "longitude", "latitude"))
    for i in incidents:
        lon, lat = to_wgs84_xy(np.array([i.x]), np.array([i.y]))
        inc.row((i.code, i.site_id, i.item_index, i.category, i.model, round(float(lon[0]), 7),
                 round(float(lat[0]), 7)))
    inc.close()
    week = CsvSink(truth_dir / "weekly.csv", ("week_end", "released_ha", "ap", "at", "uxo"))
    for end, ha, ap, at, uxo in log.weekly:
        week.row((end, round(ha, 1), ap, at, uxo))
    week.close()
    geo = CsvSink(truth_dir / "geography.csv", ("feature", "name", "population", "wkt"))
    geo.row(("line_of_contact", "former line of contact (approximate)", None, wkt_wgs84(theatre.line)))
    for s in settlements:
        from shapely.geometry import Point

        geo.row(("settlement", s.name, s.population, wkt_wgs84(Point(s.x, s.y))))
    for road in roads:
        geo.row(("road", None, None, wkt_wgs84(road)))
    geo.close()
    (truth_dir / "README.md").write_text(
        f"Ground truth of a {config.scale} scenario: for evaluation only, never import it into the register.\n"
        "sites.csv: every contamination site (true polygon); items.csv: every emplaced item, with the date it was\n"
        "found (empty: still in the ground); records.csv: true class and shift of each supplied record;\n"
        "hazards.csv: which site or record each hazard was drawn from; incidents.csv: the item behind each incident;\n"
        "weekly.csv: the weekly figures as generated; geography.csv: line of contact, settlements, roads.\n",
        encoding="utf-8")
    return truth_dir
