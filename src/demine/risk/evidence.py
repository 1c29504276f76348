"""What the register knows that bears on contamination, read once, live records only, as (Geo)DataFrames in WGS84.

The database filters; the geometry work runs in-process (ARCHITECTURE.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection, select

from demine.store.frames import query_frame, query_geoframe
from demine.store.tables.core import admin_areas
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import items_found, land_release_outputs
from demine.store.tables.people import incidents
from demine.store.tables.records import minefield_records


@dataclass
class RegisterEvidence:
    finds: pd.DataFrame  # longitude, latitude, category, quantity
    incidents: pd.DataFrame  # longitude, latitude, category
    records: gpd.GeoDataFrame  # minefield record perimeters
    hazards: gpd.GeoDataFrame  # hazard_class, work_status, geometry
    outputs: gpd.GeoDataFrame  # outcome (cancelled / reduced / cleared), geometry
    districts: gpd.GeoDataFrame  # name, geometry

    def is_empty(self) -> bool:
        return not (len(self.finds) or len(self.incidents) or len(self.records) or len(self.hazards))


def load_evidence(connection: Connection) -> RegisterEvidence:
    live = lambda table: table.c.retired_at.is_(None)  # noqa: E731
    i = items_found.c
    finds = query_frame(connection, select(i.longitude, i.latitude, i.category, i.quantity).where(live(items_found)))
    n = incidents.c
    people = query_frame(connection, select(n.longitude, n.latitude, n.category).where(live(incidents)))
    r = minefield_records.c
    records = query_geoframe(connection, select(r.code, r.geom).where(live(minefield_records)))
    h = hazard_areas.c
    hazards = query_geoframe(connection, select(h.code, h.hazard_class, h.work_status, h.geom)
                             .where(live(hazard_areas)))
    o = land_release_outputs.c
    outputs = query_geoframe(connection, select(o.outcome, o.geom).where(live(land_release_outputs)))
    a = admin_areas.c
    districts = query_geoframe(connection, select(a.name, a.geom).where(live(admin_areas)))
    return RegisterEvidence(finds, people, records, hazards, outputs, districts)
