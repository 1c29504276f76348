"""A web client over the small Aghdam programme, with one user per role.

The programme and its users are loaded once per session into a template (a SQLite file, a PostGIS database) and
each test gets a copy: loading costs seconds (five argon2 hashes, fourteen imports), a copy a fraction of one.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from demine.api.app import create_app
from demine.services.accounts import add_user
from demine.services.imports import import_file
from demine.services.register import open_register
from demine.settings import Settings

try:
    from register_files import write_programme
except ImportError:  # tests/ as a package
    from ..register_files import write_programme  # type: ignore[no-redef]

PASSWORD = "correct horse battery"
USERS = {"admin": ("administrator", None), "officer": ("information_officer", None), "op1": ("operator", "OP1"),
         "analyst": ("analyst", None), "viewer": ("viewer", None)}


def load_programme(register, programme_files) -> None:
    for kind, path in programme_files.items():
        import_file(register, kind, path, actor="test")
    for name, (role, organisation) in USERS.items():
        add_user(register, name, PASSWORD, role=role, organisation=organisation, actor="test")


def _load_into(url: str, folder: Path) -> None:
    register = open_register(url)
    try:
        load_programme(register, write_programme(folder))
    finally:
        register.close()


@pytest.fixture(scope="session")
def sqlite_programme_template(tmp_path_factory, sqlite_register_template) -> Path:
    folder = tmp_path_factory.mktemp("web-programme")
    path = folder / "register.db"
    shutil.copyfile(sqlite_register_template, path)
    _load_into(str(path), folder / "files")
    return path


@pytest.fixture(scope="session")
def postgis_programme_template(tmp_path_factory, postgis_server, postgis_register_template) -> str:
    name = postgis_server.new_database(template=postgis_register_template)
    _load_into(postgis_server.url(name), tmp_path_factory.mktemp("web-programme-pg"))
    return name


@pytest.fixture
def sqlite_programme_url(sqlite_programme_template, tmp_path) -> str:
    target = tmp_path / "web.db"
    shutil.copyfile(sqlite_programme_template, target)
    return str(target)


@pytest.fixture
def postgis_programme_url(postgis_server, postgis_programme_template) -> Iterator[str]:
    name = postgis_server.new_database(template=postgis_programme_template)
    try:
        yield postgis_server.url(name)
    finally:
        postgis_server.drop_database(name)


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgis", id="postgis", marks=pytest.mark.postgis)])
def programme_url(request: pytest.FixtureRequest) -> str:
    """A register holding the programme and the users, on each backend in turn."""
    return str(request.getfixturevalue(f"{request.param}_programme_url"))


@pytest.fixture
def web_app(programme_url):
    app = create_app(Settings(database_url=programme_url))
    yield app
    app.state.register.close()


@pytest.fixture
def client(web_app):
    with TestClient(web_app) as test_client:
        yield test_client


@pytest.fixture
def sqlite_client(sqlite_programme_url):
    """The same on SQLite only: for rules of the web layer that do not depend on the backend."""
    app = create_app(Settings(database_url=sqlite_programme_url))
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
def server(sqlite_programme_url) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port, in a thread of this process."""
    port = _free_port()
    app = create_app(Settings(database_url=sqlite_programme_url, port=port))
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


# Many features over the programme, for the spatial index, map grid and kept dashboard tests: the templates are built
# once per session and backend, each test gets a copy.
from .viewport_data import postgis_scattered_template, scattered, sqlite_scattered_template  # noqa: E402,F401
