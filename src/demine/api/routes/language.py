"""The language switch: remembered in a cookie, then back to the page the reader was on."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from demine.api.routes.auth import _local
from demine.api.templating import LANGUAGE_COOKIE, LANGUAGES
from demine.errors import NotFound

router = APIRouter(tags=["web: language"], include_in_schema=False)
YEAR = 365 * 24 * 3600


@router.get("/language/{language}")
def choose_language(language: str, next: str | None = None) -> Response:
    if language not in LANGUAGES:
        raise NotFound(f"The interface speaks {', '.join(LANGUAGES)}, not {language!r}.")
    response = RedirectResponse(_local(next), status_code=303)
    # A preference, not a credential: readable by scripts is harmless, and it outlives the session.
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=YEAR, samesite="lax", path="/")
    return response
