"""The planning routes as the web application calls them (JSON), and refused to anonymous callers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from demine.api.app import create_app
from demine.settings import Settings


@pytest.fixture
def client(planning_register):  # type: ignore[no-untyped-def]
    from demine.services.accounts import add_user, authenticate, issue_token

    app = create_app(Settings(database_url=planning_register.location))
    add_user(app.state.register, "planner", "a long passphrase 42", role="analyst", actor="test")
    token = issue_token(app.state.register, authenticate(app.state.register, "planner", "a long passphrase 42"),
                        "tests")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as test_client:
        yield test_client
    app.state.register.close()


def test_planning_routes(client) -> None:  # type: ignore[no-untyped-def]
    ranking = client.get("/api/planning/priorities", params={"as_of": "2024-09-01", "limit": 3}).json()
    assert ranking["total"] == 7 and [r["rank"] for r in ranking["items"]] == [1, 2, 3]
    assert {"score", "explanation", "contribution_casualties"} <= set(ranking["items"][0])
    teams = ["1:survey", "1:mechanical"]
    plan = client.get("/api/planning/schedule", params={"as_of": "2024-09-01", "years": 1,
                                                        "seconds_per_window": 0.2, "add_teams": teams}).json()
    assert [c["solver"] for c in plan["comparison"]] == ["cp-sat", "greedy"] and plan["total"] > 0
    assert plan["assignments"][0]["start"] >= "2024-09-01" and len(plan["weekly"]) == 52
    forecast = client.get("/api/planning/forecast", params={"as_of": "2024-09-01", "runs": 3,
                                                            "add_teams": teams}).json()
    assert forecast["sentence"].startswith("With the added teams, the national task ends in") and forecast["national"]["p50"] > "2024"
    assert forecast["districts"][0]["district"] == "Aghdam"
    client.headers.pop("Authorization")
    assert client.get("/api/planning/priorities").status_code == 401
    assert client.get("/api/planning/schedule", params={"years": 50}).status_code in (401, 422)
