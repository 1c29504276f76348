"""The map page and its per-layer GeoJSON, limited to the viewport (bbox) and simplified by zoom."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from demine.api.deps import RegisterDep
from demine.api.routes.register import _parse_bbox
from demine.api.security import CurrentUser
from demine.api.templating import render
from demine.domain.roles import Right, has_right
from demine.errors import DemineError
from demine.services.map_layers import LAYERS, layer_json

router = APIRouter(tags=["map"])


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/map", status_code=307)


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "map.html", user, layers=list(LAYERS),
                  detailed=has_right(user.role if user else None, Right.READ_REGISTER))


@router.get("/map/layers/{layer}")
def map_layer(layer: str, user: CurrentUser, register: RegisterDep,
              bbox: str = Query(..., description="min_lon,min_lat,max_lon,max_lat (WGS84)"),
              zoom: int = Query(8, ge=0, le=22),
              since: dt.date | None = Query(None, alias="from", description="Dated layers: from this day."),
              until: dt.date | None = Query(None, alias="to", description="Dated layers: up to this day.")
              ) -> Response:
    """GeoJSON of one layer in the viewport. The public gets items found and incidents as grid counts only, and not
    the minefield records. Items found, outputs and incidents keep those of the period `from`..`to` when given."""
    box = _parse_bbox(bbox)
    if box is None:
        raise DemineError("bbox is required")
    if since is not None and until is not None and since > until:
        raise DemineError(f"The period runs from {since} to {until}: 'from' is after 'to'.")
    individual = has_right(user.role if user else None, Right.READ_REGISTER)
    # The service's JSON text as it is: FastAPI's encoder would walk every coordinate of every feature again
    # (measured in bench/web_map.py: ~40 % of a 2,000-polygon response).
    return Response(layer_json(register, layer, box, zoom, individual_points=individual, since=since, until=until),
                    media_type="application/json")
