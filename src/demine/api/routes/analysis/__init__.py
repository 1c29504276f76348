"""Routers of the analysis concepts (risk model, clearance planning, ...), one module each.

Every module here that defines `router` is mounted under /api by the application factory, before the register's
catch-all /api/{kind}; a new concept only adds its own file.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter


def analysis_routers() -> list[APIRouter]:
    routers = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        if isinstance(getattr(loaded, "router", None), APIRouter):
            routers.append(loaded.router)
    return routers
