"""The FastAPI application factory: settings in, app out; nothing read at import time."""

from __future__ import annotations

from fastapi import FastAPI

from demine import __version__
from demine.api.routes import health, register as register_routes, reports
from demine.api.error_pages import install_error_pages
from demine.api.routes.analysis import analysis_routers
from demine.api.web_app import install_web_application
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
    install_error_pages(app)
    return app

