"""Read access to the register by kind (the web application's data entry comes with its own issue)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from demine.api.deps import RegisterDep
from demine.api.security import CurrentUser, require
from demine.domain.roles import Right
from demine.errors import DemineError
from demine.io.formats import FORMATS
from demine.services.queries import history, list_records, show_record

router = APIRouter(tags=["register"])
PUBLIC_KINDS = [k for k in FORMATS if k != "victims"]  # personal data waits for roles (web application issue)


def _public_kind(kind: str) -> str:
    if kind not in PUBLIC_KINDS:
        raise DemineError(f"Unknown or protected kind {kind!r}; use one of: {', '.join(PUBLIC_KINDS)}.")
    return kind


@router.get("/kinds")
def kinds() -> list[dict[str, str]]:
    return [{"kind": k, "title": FORMATS[k].title, "description": FORMATS[k].description} for k in PUBLIC_KINDS]


@router.get("/{kind}")
def list_kind(kind: str, register: RegisterDep, user: CurrentUser, limit: int = Query(50, ge=1, le=1000),
              offset: int = Query(0, ge=0),
              bbox: str | None = Query(None, description="min_lon,min_lat,max_lon,max_lat (WGS84)")) -> dict[str, Any]:
    require(user, Right.READ_REGISTER)  # the public sees aggregates (map, dashboard), not single records
    columns, rows, total = list_records(register, _public_kind(kind), limit=limit, offset=offset,
                                        bbox=_parse_bbox(bbox))
    return {"kind": kind, "total": total, "limit": limit, "offset": offset, "columns": columns, "items": rows}


def _parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise DemineError(f"bbox {text!r} is not four numbers") from None
    if len(values) != 4:
        raise DemineError("bbox is min_lon,min_lat,max_lon,max_lat")
    return values  # type: ignore[return-value]


@router.get("/{kind}/{code}")
def show_kind(kind: str, code: str, register: RegisterDep, user: CurrentUser) -> dict[str, Any]:
    require(user, Right.READ_REGISTER)
    return show_record(register, _public_kind(kind), code)


@router.get("/{kind}/{code}/history")
def record_history(kind: str, code: str, register: RegisterDep, user: CurrentUser) -> list[dict[str, Any]]:
    require(user, Right.READ_REGISTER)
    return [{"at": e.at, "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in history(register, code, kind=_public_kind(kind))]
