"""What validation asks of the register, answered on the import's own connection (so inside its transaction)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, select

from demine.store.geometry import decode_geometry
from demine.store.tables import metadata
from demine.store.tables.core import admin_areas, ordnance_models, teams
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import activities

# Margin around the gazetteer: its boundaries are simplified, and positions on the border are within about 100 m.
COUNTRY_MARGIN_DEG = 0.02
CHUNK = 5_000  # bound on the number of values in one IN (...) list


class ConnectionLookup:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._extent: tuple[shapely.Geometry | None, str] | None = None
        self._areas: tuple[np.ndarray, np.ndarray] | None = None

    def ids_by_code(self, table: str, codes: Iterable[str]) -> dict[str, int]:
        t = metadata.tables[table]
        wanted = list(codes)
        found: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            query = select(t.c.code, t.c.id).where(t.c.code.in_(chunk), t.c.retired_at.is_(None))
            found.update({code: id_ for code, id_ in self.connection.execute(query)})
        return found

    def country_extent(self) -> tuple[shapely.Geometry | None, str]:
        if self._extent is None:
            rows = self.connection.execute(
                select(admin_areas.c.geom, admin_areas.c.country_code).where(admin_areas.c.retired_at.is_(None))
            ).all()
            if not rows:
                self._extent = (None, "the country")
            else:
                union = shapely.union_all([r.geom for r in rows])
                countries = sorted({r.country_code for r in rows})
                self._extent = (shapely.buffer(union, COUNTRY_MARGIN_DEG), "/".join(countries))
        return self._extent

    def model_categories(self) -> dict[str, str]:
        return dict(self.connection.execute(select(ordnance_models.c.code, ordnance_models.c.category)).all())

    def activity_facts(self, ids: Iterable[int]) -> pd.DataFrame:
        wanted = [int(i) for i in ids]
        rows = []
        for start in range(0, len(wanted), CHUNK):
            query = (
                select(
                    activities.c.id,
                    activities.c.method,
                    teams.c.members,
                    activities.c.hazard_area_id,
                    hazard_areas.c.area_m2.label("hazard_area_m2"),
                )
                .select_from(activities.outerjoin(teams).outerjoin(hazard_areas))
                .where(activities.c.id.in_(wanted[start : start + CHUNK]))
            )
            rows.extend(self.connection.execute(query).all())
        columns = ["id", "method", "members", "hazard_area_id", "hazard_area_m2"]
        return pd.DataFrame(rows, columns=columns).set_index("id")

    def hazard_geometries(self, ids: Iterable[int]) -> dict[int, shapely.Geometry]:
        wanted = list(ids)
        found: dict[int, shapely.Geometry] = {}
        for start in range(0, len(wanted), CHUNK):
            query = select(hazard_areas.c.id, hazard_areas.c.geom).where(
                hazard_areas.c.id.in_(wanted[start : start + CHUNK])
            )
            found.update({id_: geom for id_, geom in self.connection.execute(query)})
        return found

    def admin_areas(self) -> tuple[np.ndarray, np.ndarray]:
        """Ids and geometries of the areas, smallest first (so a point takes the finest area holding it)."""
        if self._areas is None:
            rows = self.connection.execute(
                select(admin_areas.c.id, admin_areas.c.geom)
                .where(admin_areas.c.retired_at.is_(None))
                .order_by(admin_areas.c.area_m2)
            ).all()
            self._areas = (
                np.array([r.id for r in rows], dtype=np.int64),
                np.array([r.geom for r in rows], dtype=object),
            )
        return self._areas


__all__ = ["ConnectionLookup", "decode_geometry"]
