"""The latest verification of every live record as map and export layers.

`verification_layer`: one feature per record that has been verified, on its perimeter as supplied, with its class
and the main metrics, so that QGIS, the web map or a report can style the records by how far they can be trusted.
`correction_layer`: the proposed corrected perimeter of each shifted record, the part not yet released: a proposal for
planners, never applied to the record itself.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from sqlalchemy import Connection, and_, func, select

from demine.store.tables.base import BBox, bbox_filter
from demine.store.tables.core import admin_areas
from demine.store.tables.records import minefield_records, record_verifications

# Columns of the verification layer, in the order a reader wants them.
VERIFICATION_COLUMNS = ("code", "district", "verification_class", "run_at", "recorded_mines", "worked_before",
                        "match_before", "worked_after", "match_after", "inside_share", "explained_share",
                        "worked_area_share", "cleared_area_share", "confirmed_area_share", "shift_dx_m",
                        "shift_dy_m", "rotation_deg", "residual_m")


def _latest(connection: Connection, bbox: BBox | None, *, corrected: bool):
    v, r = record_verifications.c, minefield_records.c
    last = (select(v.record_id, func.max(v.run_at).label("run_at")).group_by(v.record_id).subquery("last"))
    geometry = v.geom if corrected else r.geom
    query = (select(r.code, admin_areas.c.name.label("district"), *[v[c] for c in VERIFICATION_COLUMNS[2:]],
                    geometry.label("geom"))
             .select_from(record_verifications
                          .join(last, and_(last.c.record_id == v.record_id, last.c.run_at == v.run_at))
                          .join(minefield_records, r.id == v.record_id)
                          .outerjoin(admin_areas, admin_areas.c.id == r.admin_area_id))
             .where(r.retired_at.is_(None)).order_by(r.code))
    if corrected:
        query = query.where(v.geom.is_not(None))
    if bbox is not None:
        query = query.where(*bbox_filter(record_verifications if corrected else minefield_records, bbox))
    return connection.execute(query).all()


def verification_layer(connection: Connection,
                       bbox: BBox | None = None) -> gpd.GeoDataFrame:
    return _frame(_latest(connection, bbox, corrected=False))


def correction_layer(connection: Connection,
                     bbox: BBox | None = None) -> gpd.GeoDataFrame:
    return _frame(_latest(connection, bbox, corrected=True))


def _frame(rows) -> gpd.GeoDataFrame:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(rows, columns=[*VERIFICATION_COLUMNS, "geom"])
    geometry = gpd.GeoSeries(frame.pop("geom").tolist(), crs="EPSG:4326")
    frame["run_at"] = pd.to_datetime(frame["run_at"], utc=True)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
