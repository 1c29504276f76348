"""Everything record verification reads from the register, as (Geo)DataFrames in WGS84.

The database filters (live records only, mines only among the items found) and the comparison runs in-process, as
ARCHITECTURE.md prescribes; retired records take no part.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection, select

from demine.domain.vocabulary import EOCategory
from demine.store.frames import query_frame, query_geoframe
from demine.store.tables.core import admin_areas, ordnance_models
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import items_found, land_release_outputs
from demine.store.tables.people import incidents
from demine.store.tables.records import minefield_record_mines, minefield_record_rows, minefield_records

MINE_CATEGORIES = (EOCategory.AP_MINE.value, EOCategory.AT_MINE.value)


@dataclass
class VerificationInputs:
    records: gpd.GeoDataFrame  # id, code, admin_area_id, ap_count, at_count, mine_models, geometry (perimeter)
    rows: pd.DataFrame  # record_id, start_longitude, start_latitude, bearing_deg, mine_spacing_m, mine_count, mine_model
    single_mines: pd.DataFrame  # record_id, longitude, latitude, mine_model
    mines_found: pd.DataFrame  # longitude, latitude, category, model, found_date
    outputs: gpd.GeoDataFrame  # outcome, geometry
    confirmed: gpd.GeoDataFrame  # CHA polygons
    hazards: gpd.GeoDataFrame  # every live hazard area's polygon (SHA and CHA), whatever its work status
    incidents: pd.DataFrame  # longitude, latitude, category, admin_area_id, incident_date
    districts: gpd.GeoDataFrame  # id, name, reporting_order (set for the districts the authority reports on), geometry
    model_category: dict[str, str]  # catalogue code -> EO category


def load_inputs(connection: Connection) -> VerificationInputs:
    live = lambda table: table.c.retired_at.is_(None)  # noqa: E731
    r = minefield_records.c
    records = query_geoframe(connection, select(r.id, r.code, r.admin_area_id, r.ap_count, r.at_count, r.mine_models,
                                                r.geom).where(live(minefield_records)).order_by(r.id))
    w = minefield_record_rows.c
    rows = query_frame(connection, select(w.record_id, w.start_longitude, w.start_latitude, w.bearing_deg,
                                          w.mine_spacing_m, w.mine_count, w.mine_model)
                       .where(live(minefield_record_rows)).order_by(w.record_id, w.row_label))
    m = minefield_record_mines.c
    single = query_frame(connection, select(m.record_id, m.longitude, m.latitude, m.mine_model)
                         .where(live(minefield_record_mines)))
    i = items_found.c
    found = query_frame(connection, select(i.longitude, i.latitude, i.category, i.model, i.found_date)
                        .where(live(items_found), i.category.in_(MINE_CATEGORIES)))
    o = land_release_outputs.c
    outputs = query_geoframe(connection, select(o.outcome, o.geom).where(live(land_release_outputs)))
    h = hazard_areas.c
    hazards = query_geoframe(connection, select(h.code, h.hazard_class, h.geom).where(live(hazard_areas)))
    confirmed = hazards[hazards["hazard_class"] == "cha"].reset_index(drop=True)
    n = incidents.c
    people = query_frame(connection, select(n.longitude, n.latitude, n.category, n.admin_area_id, n.incident_date)
                         .where(live(incidents)))
    a = admin_areas.c
    districts = query_geoframe(connection, select(a.id, a.name, a.reporting_order, a.geom).where(live(admin_areas)))
    catalogue = dict(connection.execute(select(ordnance_models.c.code, ordnance_models.c.category)).all())
    return VerificationInputs(records, rows, single, found, outputs, confirmed, hazards, people, districts,
                              catalogue)
