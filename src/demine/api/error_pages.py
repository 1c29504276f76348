"""Errors as the caller can read them: RFC 9457 problem details for scripts and the API, an HTML page in the user's
language for a browser that asked for a page. Mapped here and nowhere else."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from demine.api.security import current_user
from demine.api.templating import render
from demine.errors import DemineError, ValidationFailed

# Machine endpoints answer JSON whatever the Accept header says: QGIS or a script must never get a page.
_MACHINE_PREFIXES = ("/api", "/ogc", "/health", "/static", "/docs", "/openapi.json")
# Page titles by status; the texts are keys of the interface's translations (web/locales).
TITLES = {400: "The request cannot be used", 401: "Sign in required", 403: "Not permitted", 404: "Not found",
          405: "Not allowed here", 409: "Conflict", 422: "The data cannot be accepted"}
OTHER_TITLE = "Something went wrong"


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(DemineError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)


def wants_page(request: Request) -> bool:
    """A browser navigating: it accepts HTML and the path is a page, not a data endpoint."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(_MACHINE_PREFIXES)


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DemineError)
    if wants_page(request):
        return _page(request, error.http_status, error.message)
    body: dict = {"type": "about:blank", "title": type(error).__name__, "status": error.http_status,
                  "detail": error.message}
    if isinstance(error, ValidationFailed):
        body["issues"] = [{"file": i.file, "row": i.row, "field": i.field, "reason": i.reason,
                           "severity": i.severity} for i in error.issues[:1000]]
    return JSONResponse(body, status_code=error.http_status, media_type="application/problem+json")


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if wants_page(request) and error.status_code >= 400:
        return _page(request, error.status_code, str(error.detail))
    return await http_exception_handler(request, error)


def _page(request: Request, status: int, detail: str) -> Response:
    try:
        user = current_user(request)
    except DemineError:  # an unknown token: show the page as to the public
        user = None
    title = TITLES.get(status, OTHER_TITLE)
    return render(request, "error.html", user, status_code=status, title=title, status=status, detail=detail)
