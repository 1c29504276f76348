"""OGC API - Features: read by OWSLib over HTTP as QGIS would, and the paging, filters and access rules."""

from __future__ import annotations

import pytest
from register_files import lonlat

from .conftest import csrf_of, sign_in

owslib_features = pytest.importorskip("owslib.ogcapi.features")
CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"


def test_owslib_reads_the_collections(server, web_token):
    from owslib.ogcapi import REQUEST_HEADERS

    public = owslib_features.Features(f"{server}/ogc/")
    assert CORE in public.conformance()["conformsTo"]
    assert public.feature_collections() == ["hazards", "outputs", "items", "incidents", "records"]
    hazards = public.collection_items("hazards", limit=1)
    assert hazards["numberMatched"] == 2 and hazards["numberReturned"] == 1
    assert [link["rel"] for link in hazards["links"]].count("next") == 1
    assert hazards["features"][0]["id"] == "HA-1" and hazards["features"][0]["geometry"]["type"] == "Polygon"
    assert public.collection("outputs")["extent"]["temporal"]["interval"] == [["2024-08-04", "2024-08-04"]]
    with pytest.raises(RuntimeError):
        public.collection_items("items")  # individual items need a reader of the register
    try:
        reader = owslib_features.Features(f"{server}/ogc/", headers={"Authorization": f"Bearer {web_token}"})
        items = reader.collection_items("items", bbox=[46.9, 40.0, 47.0, 40.1], datetime_="2024-08-01")
        assert sorted(f["id"] for f in items["features"]) == ["IT-1", "IT-2", "IT-3"]
        assert items["features"][0]["properties"]["progress_report_code"] == "PR-1"
        record = reader.collection_item("records", "MR-1")
        assert record["properties"]["verification_class"] == "unverified"
    finally:
        REQUEST_HEADERS.pop("Authorization", None)  # OWSLib keeps headers in a module-level dict


@pytest.fixture
def web_token(server):
    import httpx

    with httpx.Client(base_url=server) as browser:
        token = csrf_of(browser.get("/login").text)
        browser.post("/login", data={"username": "analyst", "password": "correct horse battery",
                                     "csrf_token": token})
        made = browser.post("/account/tokens", data={"name": "qgis", "csrf_token": csrf_of(browser.get("/account").text)})
    return made.text.split('<pre class="token">')[1].split("</pre>")[0]


def test_paging_filters_and_access(client):
    landing = client.get("/ogc").json()
    assert {"service-desc", "conformance", "data"} <= {link["rel"] for link in landing["links"]}
    first = client.get("/ogc/collections/hazards/items", params={"limit": 1})
    assert first.headers["content-type"] == "application/geo+json"
    next_link = [link["href"] for link in first.json()["links"] if link["rel"] == "next"][0]
    second = client.get(next_link).json()
    assert [f["id"] for f in second["features"]] == ["HA-2"] and "next" not in {x["rel"] for x in second["links"]}
    assert second["features"][0]["properties"]["district"] == "Aghdam"
    west, south = lonlat(-50, -50)
    east, north = lonlat(500, 500)
    near = client.get("/ogc/collections/hazards/items", params={"bbox": f"{west},{south},{east},{north}"}).json()
    assert [f["id"] for f in near["features"]] == ["HA-1"] and near["numberMatched"] == 1
    dated = client.get("/ogc/collections/outputs/items", params={"datetime": "../2024-08-03"}).json()
    assert dated["numberMatched"] == 0
    assert client.get("/ogc/collections/outputs/items", params={"datetime": "2024-08-04/.."}).json()[
        "numberMatched"] == 2
    for bad in ({"bbox": "1,2,3"}, {"datetime": "2024-08-05/2024-08-01"}, {"limit": "0"},
                {"bbox-crs": "EPSG:3857", "bbox": "1,2,3,4"}, {"bbox": "1) OR (1=1,2,3,4"}):
        assert client.get("/ogc/collections/hazards/items", params=bad).status_code in (400, 422), bad
    assert client.get("/ogc/collections/victims/items").status_code == 404
    assert client.get("/ogc/collections/hazards/items/NOPE").status_code == 404
    assert client.get("/ogc/collections/incidents/items").status_code == 401
    sign_in(client, "viewer")
    incidents = client.get("/ogc/collections/incidents/items").json()
    assert incidents["numberMatched"] == 1 and "full_name" not in str(incidents) and "Shepherd" not in str(incidents)
