"""Every role against the data entry, review and OGC endpoints: who gets what (401, 403, 404, 409 or the page)."""

from __future__ import annotations

from .conftest import csrf_of, sign_in

ROLES = ["anonymous", "admin", "officer", "op1", "analyst", "viewer"]
# request -> expected status per role, in the order of ROLES. 303 for anonymous pages is the way to /login.
EXPECTED = {
    ("GET", "/progress"): [303, 200, 200, 200, 200, 200],
    ("GET", "/progress/new"): [303, 200, 200, 200, 403, 403],
    ("GET", "/progress/PR-1"): [303, 200, 200, 200, 200, 200],
    ("POST", "/progress/PR-1/submit"): [401, 409, 409, 409, 403, 403],  # approved: final
    ("POST", "/progress/PR-1/approve"): [401, 409, 409, 403, 403, 403],
    ("POST", "/progress/PR-1/reject"): [401, 409, 409, 403, 403, 403],
    ("GET", "/progress/PR-1/edit"): [303, 200, 200, 200, 200, 200],  # the form; saving it is refused below
    ("POST", "/progress/PR-1/edit"): [401, 403, 403, 403, 403, 403],  # approved reports are not edited
    ("GET", "/entries/new/incidents"): [303, 200, 200, 200, 403, 403],
    ("POST", "/entries/new/hazards"): [401, 422, 422, 422, 403, 403],  # empty form: field errors for enterers
    ("GET", "/ogc/collections/items/items"): [401, 200, 200, 200, 200, 200],
    ("GET", "/ogc/collections/hazards/items"): [200, 200, 200, 200, 200, 200],
    ("GET", "/api/victims"): [401, 400, 400, 400, 400, 400],  # never through the generic register API
    ("GET", "/map/layers/records?bbox=46,39,48,41"): [200, 200, 200, 200, 200, 200],
}


def test_every_role_against_every_endpoint(sqlite_client):
    for role in ROLES:  # one register for all roles: nothing here changes it
        _check_role(sqlite_client, role)


def _check_role(client, role: str) -> None:
    client.cookies.clear()
    if role != "anonymous":
        assert sign_in(client, role).status_code == 303
    token = csrf_of(client.get("/login").text)
    seen = {}
    for (method, path), statuses in EXPECTED.items():
        if method == "GET":
            response = client.get(path, follow_redirects=False)
        else:
            response = client.post(path, data={"csrf_token": token, "comment": "x"}, follow_redirects=False)
        seen[(method, path)] = response.status_code
    expected = {request: statuses[ROLES.index(role)] for request, statuses in EXPECTED.items()}
    assert seen == expected, role
    victims_form = client.get("/entries/new/incidents").text
    assert ('id="victims"' in victims_form) == (role in ("admin", "officer"))
    records = client.get("/map/layers/records", params={"bbox": "46,39,48,41"}).json()
    assert bool(records["features"]) == (role != "anonymous")
