"""Sign in and out, and API tokens for scripts. Every form here is CSRF-checked; sign-in is throttled."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from demine.api.security import (
    SESSION_COOKIE,
    CurrentUser,
    SecurityDep,
    SignInRequired,
    check_write,
    client_address,
)
from demine.api.templating import render
from demine.services.accounts import SESSION_LIFETIME, authenticate, end_session, issue_token, open_session

router = APIRouter(tags=["web: accounts"], include_in_schema=False)
FormText = Annotated[str, Form()]


def _local(target: str | None) -> str:
    """Only same-site paths after sign-in: an open redirect would help phishing."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/map"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    return render(request, "login.html", user, next=_local(next), error=None)


@router.post("/login")
def login(request: Request, security: SecurityDep, username: FormText, password: FormText,
          csrf_token: Annotated[str | None, Form()] = None, next: Annotated[str | None, Form()] = None) -> Response:
    check_write(request, csrf_token)
    register = request.app.state.register
    address = client_address(request)
    wait = security.throttle.retry_after(username, address)
    if wait > 0:
        response = render(request, "login.html", None, status_code=429, next=_local(next),
                          error=f"Too many failed sign-ins. Try again in {math.ceil(wait / 60)} minutes.")
        response.headers["Retry-After"] = str(math.ceil(wait))
        return response
    user = authenticate(register, username, password)
    if user is None:
        security.throttle.failed(username, address)
        return render(request, "login.html", None, status_code=401, next=_local(next),
                      error="Wrong username or password.")
    security.throttle.succeeded(username, address)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, security.sign_session(open_session(register, user)), httponly=True,
                        samesite="lax", secure=request.url.scheme == "https", path="/",
                        max_age=int(SESSION_LIFETIME.total_seconds()))
    return response


@router.post("/logout")
def logout(request: Request, security: SecurityDep, csrf_token: Annotated[str | None, Form()] = None) -> Response:
    check_write(request, csrf_token)
    cookie = request.cookies.get(SESSION_COOKIE)
    token = security.unsign_session(cookie) if cookie else None
    if token:
        end_session(request.app.state.register, token)
    response = RedirectResponse("/map", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, user: CurrentUser) -> Response:
    if user is None:
        return RedirectResponse("/login?next=/account", status_code=303)
    return render(request, "account.html", user, new_token=None)


@router.post("/account/tokens", response_class=HTMLResponse)
def new_token(request: Request, user: CurrentUser, name: FormText,
              csrf_token: Annotated[str | None, Form()] = None) -> Response:
    check_write(request, csrf_token)
    if user is None:
        raise SignInRequired("Sign in first.")
    token = issue_token(request.app.state.register, user, name)
    return render(request, "account.html", user, new_token=token)
