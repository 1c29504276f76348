"""The FastAPI application factory: settings in, app out; nothing read at import time."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from demine import __version__
from demine.api.routes import health, register as register_routes, reports
from demine.api.routes.analysis import analysis_routers
from demine.api.web_app import install_web_application
from demine.errors import DemineError, ValidationFailed
from demine.services.register import open_register
from demine.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="Demine", version=__version__,
                  description="The national register of mine action: hazards, land release, items found, "
                              "minefield records, incidents, risk education and survivor assistance.")
    app.state.settings = settings
    app.state.register = open_register(settings.database_url)
    app.include_router(health.router)
    app.include_router(reports.router, prefix="/api")  # before /api/{kind}, which would take /api/reports
    for router in analysis_routers():  # risk, planning, ...: also before /api/{kind}
        app.include_router(router, prefix="/api")
    app.include_router(register_routes.router, prefix="/api")
    install_web_application(app, settings)  # pages, map data, sign-in; refuses an exposed host without a secret
    app.add_exception_handler(DemineError, _problem)
    return app


async def _problem(_request: Request, error: Exception) -> JSONResponse:
    """Domain errors as RFC 9457 problem details, mapped here and nowhere else."""
    assert isinstance(error, DemineError)
    body: dict = {"type": "about:blank", "title": type(error).__name__, "status": error.http_status,
                  "detail": error.message}
    if isinstance(error, ValidationFailed):
        body["issues"] = [{"file": i.file, "row": i.row, "field": i.field, "reason": i.reason,
                           "severity": i.severity} for i in error.issues[:1000]]
    return JSONResponse(body, status_code=error.http_status, media_type="application/problem+json")
