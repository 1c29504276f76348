"""Health: is the database reachable and its schema current."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from demine import __version__
from demine.api.deps import RegisterDep
from demine.services.register import is_current

router = APIRouter(tags=["health"])


@router.get("/health")
def health(register: RegisterDep) -> JSONResponse:
    try:
        current = is_current(register)
    except Exception as error:  # any database failure means unhealthy; say which
        return JSONResponse({"status": "unavailable", "detail": type(error).__name__}, status_code=503)
    status = "ok" if current else "schema out of date"
    return JSONResponse({"status": status, "version": __version__, "backend": register.backend.value},
                        status_code=200 if current else 503)
