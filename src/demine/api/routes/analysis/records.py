"""Minefield record verification for the map and the web application: classes, proposed corrections, figures.

Records are the former adversary's minefield maps: single records need the right to read the register; the figures
(shares of accurate records, of mines and incidents outside every record) are aggregates anyone may see.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Query

from demine.api.deps import RegisterDep
from demine.api.routes.register import _parse_bbox as parse_bbox
from demine.api.security import CurrentUser, require
from demine.domain.roles import Right
from demine.errors import NotFound

router = APIRouter(prefix="/records", tags=["minefield records"])
BBOX = Query(None, description="min_lon,min_lat,max_lon,max_lat (WGS84): only what intersects this box")


@router.get("/verifications")
def verifications(register: RegisterDep, user: CurrentUser, bbox: str | None = BBOX,
                  verification_class: str | None = Query(None, alias="class")) -> dict[str, Any]:
    """The latest verification of each record, on its perimeter as supplied, as a GeoJSON FeatureCollection."""
    from demine.analysis.records.layers import verification_layer

    require(user, Right.READ_REGISTER)
    with register.reading() as connection:
        layer = verification_layer(connection, parse_bbox(bbox))
    if verification_class is not None:
        layer = layer[layer["verification_class"] == verification_class]
    return _geojson(layer)


@router.get("/corrections")
def corrections(register: RegisterDep, user: CurrentUser, bbox: str | None = BBOX) -> dict[str, Any]:
    """Shifted records: the corrected perimeter not yet released, proposed to planners (never applied)."""
    from demine.analysis.records.layers import correction_layer

    require(user, Right.READ_REGISTER)
    with register.reading() as connection:
        layer = correction_layer(connection, parse_bbox(bbox))
    return _geojson(layer)


@router.get("/verification-figures")
def verification_figures(register: RegisterDep) -> dict[str, Any]:
    """National and district figures of the latest verification (aggregates: public)."""
    from demine.services.records_verification import latest_figures

    found = latest_figures(register)
    if found is None:
        raise NotFound("No record has been verified yet: run `demine records verify`.")
    def area(a) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        return {"name": a.name, "records": a.records, "verifiable": a.verifiable, "accurate": a.accurate,
                "accurate_share": a.accurate_share, "mines_found": a.mines_found,
                "mines_found_outside": a.mines_found_outside, "mines_outside_share": a.mines_outside_share,
                "mine_incidents": a.mine_incidents, "mine_incidents_outside": a.mine_incidents_outside,
                "incidents_outside_share": a.incidents_outside_share}
    return {"national": area(found.national), "districts": [area(d) for d in found.districts],
            "by_class": found.by_class, "districts_without_records": found.districts_without_records,
            # District-quarters with mines found or mine incidents, none of them inside a record.
            "periods_without_records": [{"district": p.district, "period": p.period, "mines_found": p.mines_found,
                                         "mine_incidents": p.mine_incidents}
                                        for p in found.periods_without_records]}


def _geojson(layer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    layer = layer.copy()
    layer["run_at"] = layer["run_at"].astype(str)
    return json.loads(layer.to_json(na="null", drop_id=True))
