"""Server-rendered pages: one Jinja environment with the helpers every template needs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from demine.services.accounts import User

WEB = Path(str(resources.files("demine") / "web"))
templates = Jinja2Templates(directory=str(WEB / "templates"))
LOCALE = "en"  # the interface languages (en, az, ru) come with the translation work of issue 6


def _number(value: float | int | None, digits: int = 0) -> str:
    """Numbers as the locale writes them (en 2,790.9; az 2.790,9)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


templates.env.filters["number"] = _number


def render(request: Request, name: str, user: User | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    security = request.app.state.web_security
    return templates.TemplateResponse(request, name, {"user": user, "csrf_token": security.csrf_token(request),
                                                      **context}, status_code=status_code)
