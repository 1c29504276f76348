"""The API as a client sees it: health, OpenAPI, register reads, problem+json errors, no personal data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from demine.api.app import create_app
from demine.services.imports import import_file
from demine.settings import Settings


@pytest.fixture
def client(register_url, programme_files):
    """A script's client: an analyst's API token on every request."""
    from demine.services.accounts import add_user, authenticate, issue_token

    app = create_app(Settings(database_url=register_url))
    for kind, path in programme_files.items():
        import_file(app.state.register, kind, path, actor="test")
    add_user(app.state.register, "analyst", "a long passphrase 42", role="analyst", actor="test")
    token = issue_token(app.state.register, authenticate(app.state.register, "analyst", "a long passphrase 42"),
                        "tests")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as test_client:
        yield test_client
    app.state.register.close()


def test_anonymous_gets_no_single_records(client):
    client.headers.pop("Authorization")
    for path in ("/api/items", "/api/incidents/INC-1", "/api/hazards/HA-1/history"):
        assert client.get(path).status_code == 401, path


def test_health_and_openapi(client):
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    schema = client.get("/openapi.json").json()
    assert "/api/{kind}" in schema["paths"]
    assert client.get("/docs").status_code == 200


def test_list_show_and_history(client):
    listing = client.get("/api/hazards").json()
    assert listing["total"] == 2 and [i["code"] for i in listing["items"]] == ["HA-1", "HA-2"]
    hazard = client.get("/api/hazards/HA-1").json()
    assert hazard["admin_area"] == "Aghdam" and hazard["wkt"].startswith("POLYGON")
    history = client.get("/api/hazards/HA-1/history").json()
    assert history[0]["action"] == "created"


def test_errors_are_problem_json(client):
    missing = client.get("/api/hazards/HA-404")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert "HA-404" in missing.json()["detail"]


def test_victims_personal_data_is_not_served(client):
    response = client.get("/api/victims")
    assert response.status_code == 400
    assert "protected" in response.json()["detail"]
    assert "A. Shepherd" not in response.text
    assert "victims" not in [k["kind"] for k in client.get("/api/kinds").json()]


def test_bounding_box_filter(client):
    from register_files import lonlat

    west, south = lonlat(-50, -50)
    east, north = lonlat(500, 500)
    inside = client.get("/api/hazards", params={"bbox": f"{west},{south},{east},{north}"}).json()
    assert [i["code"] for i in inside["items"]] == ["HA-1"]  # HA-2 lies 1 km east
    assert client.get("/api/hazards", params={"bbox": "1,2,3"}).status_code == 400
    assert client.get("/api/hazards", params={"bbox": "5,5,1,1"}).status_code == 400
