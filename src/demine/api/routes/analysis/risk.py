"""The contamination risk map for the web map: the latest published prediction, limited to the viewport."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from demine.api.deps import SettingsDep
from demine.api.routes.register import _parse_bbox as parse_bbox
from demine.api.security import CurrentUser, require
from demine.domain.roles import Right

router = APIRouter(prefix="/risk", tags=["risk model"])


@router.get("/cells")
def cells(settings: SettingsDep, user: CurrentUser,
          bbox: str = Query(..., description="min_lon,min_lat,max_lon,max_lat (WGS84): the cells in view"),
          limit: int = Query(20_000, ge=1, le=100_000, description="at most this many cells, the riskiest first"),
          zoom: int | None = Query(None, ge=0, le=24, description="the map's zoom: cells drawn smaller than a few "
                                   "pixels are merged into blocks carrying their highest risk")
          ) -> dict[str, Any]:
    """Grid cells of the latest published risk prediction in the box, as a GeoJSON FeatureCollection (`risk`: the
    probability that the cell holds explosive ordnance; `risk_explained`: the features that moved it most).

    Signed-in readers of the register only, anonymous users never: a low risk is not land release, and a public
    risk map would be read as one."""
    from demine.risk.published import read_published

    require(user, Right.READ_REGISTER)
    return read_published(settings.risk_layer, parse_bbox(bbox), limit=limit, zoom=zoom)
