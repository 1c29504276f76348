"""Server-rendered pages: one Jinja environment with the helpers every template needs, in the reader's language.

The interface speaks en, az and ru. Templates mark text with `_("English text")`; the English text is the key of a
small dictionary per language (web/locales/<lang>.json), and a missing entry falls back to English, so a page never
breaks for want of a translation (tests/web/test_i18n.py checks that every marked text is translated). The language
is the `demine_lang` cookie set by the switch in the header, else the browser's Accept-Language, else English.
Numbers follow the language's conventions through Babel (az 8.086 and 2.790,9; en 8,086 and 2,790.9).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from demine.services.accounts import User

WEB = Path(str(resources.files("demine") / "web"))
templates = Jinja2Templates(directory=str(WEB / "templates"))
LANGUAGES = ("en", "az", "ru")
LANGUAGE_NAMES = {"en": "English", "az": "Azərbaycanca", "ru": "Русский"}
LANGUAGE_COOKIE = "demine_lang"


@cache
def dictionary(language: str) -> dict[str, str]:
    """English text -> text in the language (empty for English itself)."""
    if language == "en":
        return {}
    return json.loads((WEB / "locales" / f"{language}.json").read_text(encoding="utf-8"))


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def translator(language: str):  # type: ignore[no-untyped-def]
    words = dictionary(language)
    return lambda text: words.get(text) or text


@pass_context
def _number(context: Any, value: float | int | None, digits: int = 0) -> str:
    """Numbers as the page's language writes them (en 2,790.9; az 2.790,9; ru 2 790,9)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=context.get("lang", "en"))


templates.env.filters["number"] = _number


def render(request: Request, name: str, user: User | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    security = request.app.state.web_security
    language = language_of(request)
    return templates.TemplateResponse(request, name, {
        "user": user, "csrf_token": security.csrf_token(request), "lang": language, "_": translator(language),
        "languages": LANGUAGE_NAMES, **context}, status_code=status_code)
