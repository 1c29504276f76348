"""The map's layer data: viewport-limited GeoJSON, simplified, aggregated for the public, nothing personal."""

from __future__ import annotations

from register_files import lonlat

from demine.analysis.records.classify import RecordClass
from demine.services.records_verification import run_verification

from .conftest import sign_in

AGHDAM = "46.5,39.8,47.3,40.3"


def test_map_page_loads_vendored_leaflet(client):
    page = client.get("/map")
    assert page.status_code == 200 and "/static/vendor/leaflet-1.9.4/leaflet.js" in page.text
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()
    assert client.get("/static/vendor/leaflet-1.9.4/leaflet.js").status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/map"


def test_hazards_in_viewport_with_their_symbology_fields(client):
    layer = client.get("/map/layers/hazards", params={"bbox": AGHDAM, "zoom": 14}).json()
    by_code = {f["properties"]["code"]: f for f in layer["features"]}
    assert set(by_code) == {"HA-1", "HA-2"}
    assert by_code["HA-1"]["properties"]["hazard_class"] == "cha"
    assert by_code["HA-1"]["properties"]["work_status"] == "open"
    assert by_code["HA-1"]["geometry"]["type"] == "Polygon"
    west, south = lonlat(-50, -50)
    east, north = lonlat(500, 500)
    near = client.get("/map/layers/hazards", params={"bbox": f"{west},{south},{east},{north}"}).json()
    assert [f["properties"]["code"] for f in near["features"]] == ["HA-1"]


def test_polygons_are_simplified_at_low_zoom(client):
    fine = client.get("/map/layers/districts", params={"bbox": AGHDAM, "zoom": 14}).json()
    coarse = client.get("/map/layers/districts", params={"bbox": AGHDAM, "zoom": 5}).json()
    assert len(str(coarse["features"])) < len(str(fine["features"]))


def test_every_layer_answers(client):
    for layer in ["districts", "hazards", "outputs", "items", "incidents", "projects"]:
        response = client.get(f"/map/layers/{layer}", params={"bbox": AGHDAM, "zoom": 10})
        assert response.status_code == 200 and response.json()["features"], layer


def test_public_sees_counts_not_records(client):
    items = client.get("/map/layers/items", params={"bbox": AGHDAM}).json()
    assert items["aggregated"] is True and sum(f["properties"]["quantity"] for f in items["features"]) == 3
    assert all("code" not in f["properties"] for f in items["features"])
    incidents = client.get("/map/layers/incidents", params={"bbox": AGHDAM}).json()
    assert incidents["aggregated"] is True
    assert sum(f["properties"]["injured"] for f in incidents["features"]) == 1
    assert "shepherd" not in str(incidents).lower() and "A. Shepherd" not in str(incidents)


def test_signed_in_reader_sees_individual_items(client):
    sign_in(client, "viewer")
    items = client.get("/map/layers/items", params={"bbox": AGHDAM}).json()
    assert items["aggregated"] is False
    assert sorted(f["properties"]["code"] for f in items["features"]) == ["IT-1", "IT-2", "IT-3"]


def test_bad_bbox_and_layer_are_clear_errors(client):
    for bbox in ["1,2,3", "a,b,c,d", "5,5,1,1", "1;DROP TABLE users,2,3,4"]:  # the last: injection attempt
        response = client.get("/map/layers/hazards", params={"bbox": bbox})
        assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert client.get("/map/layers/victims", params={"bbox": AGHDAM}).status_code == 400


def test_time_filter_keeps_the_period_of_dated_layers(client):
    sign_in(client, "viewer")

    def codes(layer, **period):
        found = client.get(f"/map/layers/{layer}", params={"bbox": AGHDAM, "zoom": 14, **period}).json()
        return sorted(f["properties"]["code"] for f in found["features"])

    assert codes("items", **{"from": "2024-08-01", "to": "2024-08-01"}) == ["IT-1", "IT-2", "IT-3"]
    assert codes("items", **{"from": "2024-08-02"}) == []
    assert codes("outputs", to="2024-08-03") == [] and codes("outputs", to="2024-08-04") == ["OUT-1", "OUT-2"]
    assert codes("incidents", **{"from": "2024-05-01", "to": "2024-05-31"}) == ["INC-1"]
    assert codes("incidents", **{"from": "2024-06-01"}) == []
    assert codes("hazards", **{"from": "2030-01-01"}) == ["HA-1", "HA-2"]  # undated layers ignore the period
    backwards = client.get("/map/layers/items", params={"bbox": AGHDAM, "from": "2024-08-02", "to": "2024-08-01"})
    assert backwards.status_code == 400 and "after" in backwards.json()["detail"]
    assert client.get("/map/layers/items", params={"bbox": AGHDAM, "from": "1' OR '1'='1"}).status_code == 422


def test_minefield_records_layer_with_verification_class(client, web_app):
    public = client.get("/map/layers/records", params={"bbox": AGHDAM}).json()
    assert public["restricted"] is True and public["features"] == []
    sign_in(client, "analyst")
    layer = client.get("/map/layers/records", params={"bbox": AGHDAM, "zoom": 14}).json()
    assert [(f["properties"]["code"], f["properties"]["verification_class"]) for f in layer["features"]] == [
        ("MR-1", "unverified")]
    run_verification(web_app.state.register, actor="test")
    verified = client.get("/map/layers/records", params={"bbox": AGHDAM, "zoom": 14}).json()["features"][0]
    assert verified["properties"]["verification_class"] in {c.value for c in RecordClass}
    assert verified["properties"]["register_kind"] == "records"
