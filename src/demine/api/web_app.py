"""Plug the web application (pages, map data, sign-in) into the API app: one call from create_app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from demine.api.routes import auth, dashboard, entries, language, map as map_routes, ogc, progress
from demine.api.security import WebSecurity, csrf_cookie_middleware, resolve_secret
from demine.api.templating import WEB
from demine.settings import Settings


def install_web_application(app: FastAPI, settings: Settings) -> None:
    """Refuses to start beyond loopback without a secret key (ConfigurationError), before anything is served."""
    app.state.web_security = WebSecurity(resolve_secret(settings))
    app.middleware("http")(csrf_cookie_middleware)
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")
    for router in (auth.router, map_routes.router, dashboard.router, progress.router, entries.router,
                   ogc.router, language.router):
        app.include_router(router)
