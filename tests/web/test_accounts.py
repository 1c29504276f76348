"""Accounts, sessions, CSRF, throttling, API tokens and the secret key rule."""

from __future__ import annotations

import pytest

from demine.api.app import create_app
from demine.api.security import LoginThrottle
from demine.errors import ConfigurationError, DemineError, NotFound
from demine.services.accounts import add_user, authenticate
from demine.settings import Settings

from .conftest import PASSWORD, csrf_of, sign_in


def test_passwords_are_hashed_and_checked(register):
    add_user(register, "alice", PASSWORD, role="analyst", actor="test")
    from sqlalchemy import select

    from demine.store.tables.accounts import users
    with register.reading() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert authenticate(register, "alice", PASSWORD).role.value == "analyst"
    assert authenticate(register, "alice", "wrong password!") is None
    assert authenticate(register, "nobody", PASSWORD) is None


@pytest.mark.parametrize("role, organisation, error", [
    ("operator", None, DemineError), ("emperor", None, DemineError), ("operator", "NOPE", NotFound)],
    ids=["operator-needs-organisation", "unknown-role", "unknown-organisation"])
def test_bad_users_are_refused(register, role, organisation, error):
    with pytest.raises(error):
        add_user(register, "bob", PASSWORD, role=role, organisation=organisation, actor="test")


def test_short_password_refused(register):
    with pytest.raises(DemineError, match="at least"):
        add_user(register, "bob", "short", role="viewer", actor="test")


def test_sign_in_sets_http_only_cookie_and_sign_out_ends_it(client):
    response = sign_in(client, "analyst")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "demine_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/account")
    assert page.status_code == 200 and "analyst" in page.text
    out = client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303  # back to the sign-in page


def test_writes_without_csrf_token_are_refused(client):
    sign_in(client, "analyst")
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 403
    assert client.post("/account/tokens", data={"name": "x", "csrf_token": "0" * 64}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/login", data={"username": "analyst", "password": PASSWORD}).status_code == 403


def test_wrong_password_is_throttled(client):
    for _ in range(5):
        assert sign_in(client, "viewer", "wrong password!").status_code == 401
    throttled = sign_in(client, "viewer", PASSWORD)  # even the right password waits now
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert sign_in(client, "analyst").status_code == 303  # other accounts are not locked out


def test_throttle_window_passes():
    now = [0.0]
    throttle = LoginThrottle(max_failures=2, window_seconds=60, clock=lambda: now[0])
    throttle.failed("u", "1.2.3.4")
    throttle.failed("U", "1.2.3.4")
    assert throttle.retry_after("u", "1.2.3.4") == 60
    assert throttle.retry_after("u", "5.6.7.8") == 0
    now[0] = 61
    assert throttle.retry_after("u", "1.2.3.4") == 0


def test_api_token_for_scripts(client):
    sign_in(client, "officer")
    page = client.get("/account")
    made = client.post("/account/tokens", data={"name": "nightly", "csrf_token": csrf_of(page.text)})
    token = made.text.split('<pre class="token">')[1].split("</pre>")[0]
    client.cookies.clear()
    layer = client.get("/map/layers/items", params={"bbox": "46,39,48,41"},
                       headers={"Authorization": f"Bearer {token}"}).json()
    assert layer["aggregated"] is False and len(layer["features"]) == 3
    bad = client.get("/map/layers/items", params={"bbox": "46,39,48,41"}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_exposed_host_needs_a_secret_key(sqlite_register_url):
    with pytest.raises(ConfigurationError, match="DEMINE_SECRET_KEY"):
        create_app(Settings(database_url=sqlite_register_url, host="0.0.0.0"))
    with pytest.raises(ConfigurationError, match="at least"):
        create_app(Settings(database_url=sqlite_register_url, host="0.0.0.0", secret_key="short"))
    app = create_app(Settings(database_url=sqlite_register_url, host="0.0.0.0", secret_key="k" * 40))
    app.state.register.close()
