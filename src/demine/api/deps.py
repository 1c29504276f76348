"""Dependencies shared by the routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from demine.services.register import Register
from demine.settings import Settings


def _register(request: Request) -> Register:
    return request.app.state.register


def _settings(request: Request) -> Settings:
    return request.app.state.settings


RegisterDep = Annotated[Register, Depends(_register)]
SettingsDep = Annotated[Settings, Depends(_settings)]
