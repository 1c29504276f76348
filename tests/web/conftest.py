"""A web client over the small Aghdam programme, with one user per role."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from demine.api.app import create_app
from demine.services.accounts import add_user
from demine.services.imports import import_file
from demine.settings import Settings

PASSWORD = "correct horse battery"
USERS = {"admin": ("administrator", None), "officer": ("information_officer", None), "op1": ("operator", "OP1"),
         "analyst": ("analyst", None), "viewer": ("viewer", None)}


def load_programme(register, programme_files) -> None:
    for kind, path in programme_files.items():
        import_file(register, kind, path, actor="test")
    for name, (role, organisation) in USERS.items():
        add_user(register, name, PASSWORD, role=role, organisation=organisation, actor="test")


@pytest.fixture
def web_app(register_url, programme_files):
    app = create_app(Settings(database_url=register_url))
    load_programme(app.state.register, programme_files)
    yield app
    app.state.register.close()


@pytest.fixture
def client(web_app):
    with TestClient(web_app) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(sqlite_register_url, programme_files):
    """The same on SQLite only: for rules of the web layer that do not depend on the backend."""
    app = create_app(Settings(database_url=sqlite_register_url))
    load_programme(app.state.register, programme_files)
    with TestClient(app) as test_client:
        yield test_client
    app.state.register.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(sqlite_register_url, programme_files) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port, in a thread of this process."""
    port = _free_port()
    app = create_app(Settings(database_url=sqlite_register_url, port=port))
    load_programme(app.state.register, programme_files)
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    app.state.register.close()
