"""Web security in one place: the secret key, signed cookies, CSRF tokens, login throttling, who is asking.

CSRF: double submit with a keyed hash. Every browser gets a random `demine_csrf` cookie; forms carry
HMAC(secret, cookie) and scripts using the session send it as X-CSRF-Token. A cross-site page can make the browser
send the cookie but can neither read it nor compute the HMAC, so it cannot forge the field. Requests signed with an
API token (Authorization: Bearer) carry no ambient credential and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from demine.domain.roles import Right, has_right
from demine.errors import ConfigurationError, DemineError
from demine.services.accounts import SESSION_LIFETIME, User, session_user, token_user
from demine.settings import Settings

SESSION_COOKIE = "demine_session"
CSRF_COOKIE = "demine_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
MIN_SECRET_LENGTH = 32


class AccessDenied(DemineError):
    http_status = 403


class SignInRequired(DemineError):
    http_status = 401


class TooManyAttempts(DemineError):
    http_status = 429


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve anywhere: treat as exposed


def resolve_secret(settings: Settings) -> str:
    """The configured key; on loopback only, a per-process random one when none is set (unsafe defaults refused)."""
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
        if len(key) < MIN_SECRET_LENGTH:
            raise ConfigurationError(f"DEMINE_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters.")
        return key
    if not is_loopback(settings.host):
        raise ConfigurationError(f"Serving on {settings.host} needs DEMINE_SECRET_KEY (at least {MIN_SECRET_LENGTH} "
                                 "random characters); only a loopback address may run without one.")
    return secrets.token_urlsafe(48)


@dataclass
class LoginThrottle:
    """Failed sign-ins per (username, client address) in a sliding window; in memory, so per server process."""

    max_failures: int = 5
    window_seconds: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def retry_after(self, username: str, address: str) -> float:
        """Seconds to wait before another attempt is heard; 0 when allowed."""
        with self._lock:
            failures = self._recent((username.lower(), address))
            if len(failures) < self.max_failures:
                return 0.0
            return max(0.0, failures[0] + self.window_seconds - self.clock())

    def failed(self, username: str, address: str) -> None:
        with self._lock:
            self._recent((username.lower(), address)).append(self.clock())

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username.lower(), address), None)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] + self.window_seconds <= self.clock():
            failures.popleft()
        self._failures[key] = failures
        return failures


class WebSecurity:
    """Per-app security state: the signing key, the cookie serializer and the throttle."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()
        self._sessions = URLSafeTimedSerializer(secret, salt="demine.session")
        self.throttle = LoginThrottle()

    def sign_session(self, token: str) -> str:
        return self._sessions.dumps(token)

    def unsign_session(self, value: str) -> str | None:
        try:
            return self._sessions.loads(value, max_age=int(SESSION_LIFETIME.total_seconds()))
        except BadSignature:
            return None

    def csrf_token(self, request: Request) -> str:
        return hmac.new(self._secret, _csrf_seed(request).encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, request: Request, submitted: str | None) -> None:
        if not submitted or not hmac.compare_digest(submitted, self.csrf_token(request)):
            raise AccessDenied("This form has expired or did not come from Demine (CSRF token missing or wrong); "
                               "reload the page and try again.")


def _csrf_seed(request: Request) -> str:
    """The browser's CSRF cookie, or the one the middleware is about to set on this response."""
    return getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE, "")


async def csrf_cookie_middleware(request: Request, call_next):  # type: ignore[no-untyped-def]
    """Give every browser a CSRF cookie before it first sees a form."""
    if CSRF_COOKIE not in request.cookies:
        request.state.csrf_seed = secrets.token_urlsafe(32)
    response = await call_next(request)
    if getattr(request.state, "csrf_seed", None) and CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, request.state.csrf_seed, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")
    return response


def security_of(request: Request) -> WebSecurity:
    return request.app.state.web_security


def current_user(request: Request) -> User | None:
    """Bearer token first (scripts), then the session cookie (browsers); None means anonymous."""
    register = request.app.state.register
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        user = token_user(register, authorization[7:].strip())
        if user is None:
            raise SignInRequired("The API token is unknown or revoked.")
        request.state.via_token = True
        return user
    cookie = request.cookies.get(SESSION_COOKIE)
    token = security_of(request).unsign_session(cookie) if cookie else None
    return session_user(register, token) if token else None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def require(user: User | None, right: Right) -> User:
    if user is None:
        raise SignInRequired("Sign in first.")
    if not has_right(user.role, right):
        raise AccessDenied(f"The role {user.role.value} may not do this.")
    return user


def check_write(request: Request, submitted: str | None = None) -> None:
    """A cookie-authenticated write needs the CSRF token (form field or header); token-authenticated ones do not."""
    if getattr(request.state, "via_token", False):
        return
    security_of(request).check_csrf(request, submitted or request.headers.get(CSRF_HEADER))


CurrentUser = Annotated[User | None, Depends(current_user)]
SecurityDep = Annotated[WebSecurity, Depends(security_of)]
