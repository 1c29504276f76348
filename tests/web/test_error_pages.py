"""Errors for a browser are pages in the user's language; for scripts, the API and OGC clients, problem details."""

from __future__ import annotations

from .conftest import sign_in

PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_browser_gets_a_page_and_a_script_gets_problem_details(sqlite_client):
    client = sqlite_client
    sign_in(client, "op1")
    page = client.get("/progress/PR-NOWHERE", headers=PAGE)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert 'data-status="404"' in page.text and "PR-NOWHERE" in page.text and "op1" in page.text  # signed in still
    script = client.get("/progress/PR-NOWHERE", headers={"Accept": "application/json"})
    assert script.status_code == 404 and script.headers["content-type"] == "application/problem+json"
    assert "PR-NOWHERE" in script.json()["detail"]
    # Data endpoints answer JSON even to a browser's Accept header: QGIS and the map's scripts parse them.
    api = client.get("/api/hazards/HA-NOWHERE", headers=PAGE)
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    ogc = client.get("/ogc/collections/nowhere", headers=PAGE)
    assert ogc.status_code == 404 and not ogc.headers["content-type"].startswith("text/html")


def test_unknown_pages_and_refusals_in_the_chosen_language(sqlite_client):
    client = sqlite_client
    missing = client.get("/no-such-page", headers=PAGE)
    assert missing.status_code == 404 and 'data-status="404"' in missing.text and "Not found" in missing.text
    assert client.get("/no-such-page").headers["content-type"] == "application/json"  # no Accept: as before
    client.get("/language/az")
    assert "Tapılmadı" in client.get("/no-such-page", headers=PAGE).text
    sign_in(client, "viewer")  # a viewer enters no data: refused with a page that says why, in Russian
    client.get("/language/ru")
    refused = client.get("/progress/new", headers=PAGE)
    assert refused.status_code == 403 and '<html lang="ru">' in refused.text and "Нет доступа" in refused.text
    assert "viewer" in refused.text.split('role="alert"')[1].split("</p>")[0]  # the reason names the role
