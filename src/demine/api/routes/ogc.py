"""OGC API - Features (Part 1: Core, GeoJSON, OpenAPI 3.0) under /ogc, so QGIS and ArcGIS add the layers directly.

Hazard areas and land released are public, as on the map; items found, incidents and minefield records are
individual records and need a reader of the register (a script or QGIS sends an API token as a Bearer header).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from demine.api.deps import RegisterDep
from demine.api.routes.register import _parse_bbox
from demine.api.security import CurrentUser, require
from demine.domain.roles import Right
from demine.errors import DemineError
from demine.services.features import (
    COLLECTIONS,
    MAX_LIMIT,
    Collection,
    collection,
    extent,
    feature,
    features,
    parse_datetime,
)

router = APIRouter(prefix="/ogc", tags=["OGC API - Features"])
GEOJSON = "application/geo+json"
JSON = "application/json"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _link(href: str, rel: str, media: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media, "title": title}


@router.get("")
@router.get("/", include_in_schema=False)
def landing(request: Request) -> dict[str, Any]:
    """The landing page: what this service is and where its API definition, conformance and data are."""
    base = _base(request)
    root = str(request.base_url).rstrip("/")
    return {"title": "Demine: the national mine action register",
            "description": "Hazard areas, land released, items found, incidents and minefield records.",
            "links": [_link(f"{base}/", "self", JSON, "This document"),
                      _link(f"{root}/openapi.json", "service-desc", "application/vnd.oai.openapi+json;version=3.0",
                            "The API definition"),
                      _link(f"{root}/docs", "service-doc", "text/html", "The API documentation"),
                      _link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
                      _link(f"{base}/collections", "data", JSON, "The collections")]}


@router.get("/conformance")
def conformance() -> dict[str, list[str]]:
    return {"conformsTo": CONFORMANCE}


def _collection_body(request: Request, register, c: Collection) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    base = f"{_base(request)}/collections/{c.id}"
    return {"id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
            "crs": [CRS84], "extent": extent(register, c),
            "links": [_link(base, "self", JSON, c.title), _link(f"{base}/items", "items", GEOJSON, c.title)]}


@router.get("/collections")
def collections(request: Request, register: RegisterDep) -> dict[str, Any]:
    return {"collections": [_collection_body(request, register, c) for c in COLLECTIONS.values()],
            "links": [_link(f"{_base(request)}/collections", "self", JSON, "The collections")]}


@router.get("/collections/{collection_id}")
def collection_page(collection_id: str, request: Request, register: RegisterDep) -> dict[str, Any]:
    return _collection_body(request, register, collection(collection_id))


def _readable(collection_id: str, user) -> Collection:  # type: ignore[no-untyped-def]
    chosen = collection(collection_id)
    if not chosen.public:
        require(user, Right.READ_REGISTER)  # 401 anonymous, 403 a role without the right
    return chosen


@router.get("/collections/{collection_id}/items")
def items(collection_id: str, request: Request, register: RegisterDep, user: CurrentUser,
          bbox: str | None = Query(None, description="min_lon,min_lat,max_lon,max_lat in CRS84"),
          bbox_crs: str | None = Query(None, alias="bbox-crs"),
          datetime: str | None = Query(None, description="An instant or start/end, '..' for an open end"),
          limit: int = Query(10, ge=1, le=MAX_LIMIT), offset: int = Query(0, ge=0)) -> JSONResponse:
    chosen = _readable(collection_id, user)
    if bbox_crs not in (None, CRS84):
        raise DemineError(f"bbox-crs {bbox_crs!r} is not supported; give the bbox in {CRS84}.")
    box = _parse_bbox(_plane(bbox))
    start, end = parse_datetime(datetime)
    found, matched = features(register, chosen, bbox=box, start=start, end=end, limit=limit, offset=offset)
    base = f"{_base(request)}/collections/{chosen.id}/items"
    query = {k: v for k, v in (("bbox", bbox), ("datetime", datetime)) if v}
    links = [_link(f"{base}?{urlencode(query | {'limit': limit, 'offset': offset})}", "self", GEOJSON, "This page"),
             _link(f"{_base(request)}/collections/{chosen.id}", "collection", JSON, chosen.title)]
    if offset + len(found) < matched:
        links.append(_link(f"{base}?{urlencode(query | {'limit': limit, 'offset': offset + limit})}", "next",
                           GEOJSON, "Next page"))
    if offset > 0:
        links.append(_link(f"{base}?{urlencode(query | {'limit': limit, 'offset': max(0, offset - limit)})}", "prev",
                           GEOJSON, "Previous page"))
    body = {"type": "FeatureCollection", "features": found, "numberMatched": matched, "numberReturned": len(found),
            "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "links": links}
    return JSONResponse(body, media_type=GEOJSON)


def _plane(bbox: str | None) -> str | None:
    """A 3D bbox (six numbers) is accepted and read as its 2D extent."""
    if bbox is None:
        return None
    parts = bbox.split(",")
    return ",".join(parts[0:2] + parts[3:5]) if len(parts) == 6 else bbox


@router.get("/collections/{collection_id}/items/{feature_id}")
def item(collection_id: str, feature_id: str, request: Request, register: RegisterDep,
         user: CurrentUser) -> JSONResponse:
    chosen = _readable(collection_id, user)
    body = feature(register, chosen, feature_id)
    base = f"{_base(request)}/collections/{chosen.id}"
    body["links"] = [_link(f"{base}/items/{feature_id}", "self", GEOJSON, feature_id),
                     _link(base, "collection", JSON, chosen.title)]
    return JSONResponse(body, media_type=GEOJSON)
