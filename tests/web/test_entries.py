"""Hazards from non-technical survey and incidents with victims: forms, field errors, review, and what enters the
register (only approved entries), with victims' personal data kept from roles without the right."""

from __future__ import annotations

import json
import re

import shapely
from register_files import lonlat, square_wkt

from demine.services.queries import show_record

from .conftest import USERS, csrf_of, sign_in

AGHDAM = "46.5,39.8,47.3,40.3"
BENCHMARK = lonlat(3010, 10)
HAZARD = {"name": "Orchard east", "hazard_class": "sha", "hazard_type": "battle_area", "reported_date": "2024-08-01",
          "benchmark_longitude": str(BENCHMARK[0]), "benchmark_latitude": str(BENCHMARK[1]),
          "suspected_categories": ["uxo", "submunition"], "reporting_organisation_code": "ANAMA",
          "wkt": json.dumps({"type": "Feature", "properties": {},
                             "geometry": shapely.geometry.mapping(shapely.from_wkt(square_wkt(3000, 0, 100)))})}
INCIDENT = {"kind": "civilian_incident", "incident_date": "2024-08-02", "category": "ap_mine", "model": "PMN-2",
            "activity_of_people": "farming", "killed": "1", "injured": "0", "description": "tractor",
            "longitude": str(BENCHMARK[0]), "latitude": str(BENCHMARK[1])}


def _post(client, url: str, values: dict, victims: list[dict] | None = None, action: str = "save"):
    data: dict = {"csrf_token": csrf_of(client.get("/entries").text), "action": action, **values}
    for field in ("full_name", "sex", "date_of_birth", "age_years", "age_group", "address", "outcome", "activity"):
        if victims:
            data[f"victim_{field}"] = [v.get(field, "") for v in victims]
    return client.post(url, data=data, follow_redirects=False)


def _move(client, code: str, action: str, **fields):
    token = csrf_of(client.get(f"/entries/{code}").text)
    return client.post(f"/entries/{code}/{action}", data={"csrf_token": token, **fields}, follow_redirects=False)


def _hazard_codes(client) -> set[str]:
    layer = client.get("/map/layers/hazards", params={"bbox": AGHDAM, "zoom": 14}).json()
    return {f["properties"]["code"] for f in layer["features"]}


def test_hazard_from_survey_enters_the_register_only_when_approved(client, web_app):
    sign_in(client, "op1")
    form = client.get("/entries/new/hazards").text
    assert 'id="draw-map"' in form and 'name="hazard_class"' in form and "leaflet.js" in form
    bad = _post(client, "/entries/new/hazards", dict(HAZARD, hazard_class="", wkt='{"type": "Polygon"'))
    assert bad.status_code == 422
    errors = re.findall(r'<span class="field-error" role="alert">([^<]+)</span>', bad.text)
    assert "a value is required" in errors and any("not readable GeoJSON" in e for e in errors)
    created = _post(client, "/entries/new/hazards", HAZARD, action="submit")
    assert created.status_code == 303
    code = created.headers["location"].split("/")[-1]
    assert code == "HA-NTS-20240801-01"
    page = client.get(f"/entries/{code}").text
    assert 'data-status="submitted' in page and "uxo,submunition" in page
    assert "<td>OP1</td>" in page  # an operator reports for its own organisation, whatever the form said
    assert code not in _hazard_codes(client)  # not in the register while under review

    sign_in(client, "officer")
    assert _move(client, code, "approve").status_code == 303
    assert code in _hazard_codes(client)
    stored = show_record(web_app.state.register, "hazards", code)
    assert stored["reporting_organisation_code"] == "OP1" and stored["admin_area"] == "Aghdam"
    assert 9_900 < stored["area_m2"] < 10_100  # the 100 m square, measured geodesically
    history = client.get(f"/entries/{code}").text.split('id="history"')[1]
    assert re.findall(r"<td>(create|submit|approve)</td>", history) == ["create", "submit", "approve"]
    assert _move(client, code, "reject", comment="late").status_code == 409


def test_incident_victims_are_entered_and_seen_only_with_the_right(sqlite_client):
    client = sqlite_client
    sign_in(client, "op1")
    assert 'id="victims"' not in client.get("/entries/new/incidents").text  # operators do not handle victims
    sign_in(client, "officer")
    assert 'id="victims"' in client.get("/entries/new/incidents").text
    victims = [{"full_name": "B. Farmer", "sex": "male", "age_years": "50", "outcome": "killed", "activity": "farming"},
               {"full_name": "C. Farmer", "sex": "female", "age_years": "x", "outcome": "killed",
                "activity": "farming"}]
    bad = _post(client, "/entries/new/incidents", INCIDENT, victims)
    assert bad.status_code == 422
    assert "&#39;x&#39; is not a number" in bad.text and "2 victims killed but the incident counts 1" in bad.text
    created = _post(client, "/entries/new/incidents", INCIDENT, victims[:1], action="submit")
    code = created.headers["location"].split("/")[-1]
    assert "B. Farmer" in client.get(f"/entries/{code}").text
    assert _move(client, code, "approve").status_code == 403  # four eyes: not the one who submitted

    sign_in(client, "analyst")
    page = client.get(f"/entries/{code}").text
    assert 'id="victims-hidden"' in page and "B. Farmer" not in page and "Victims (1)" in page
    assert "B. Farmer" not in client.get(f"/entries/{code}").text.split('id="history"')[1]
    assert _move(client, code, "approve").status_code == 403  # an analyst does not review
    sign_in(client, "op1")
    assert client.get(f"/entries/{code}").status_code == 403  # not its organisation's

    sign_in(client, "admin")
    assert _move(client, code, "approve", comment="confirmed by hospital").status_code == 303
    register = client.app.state.register
    assert show_record(register, "incidents", code)["killed"] == 1
    assert show_record(register, "victims", f"{code}-V1")["full_name"] == "B. Farmer"
    assert client.get("/dashboard/figures").json()["cumulative"]["killed"] == 1
    assert set(USERS) >= {"admin", "officer", "analyst", "op1"}
