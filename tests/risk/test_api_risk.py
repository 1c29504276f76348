"""GET /api/risk/cells: the published risk map for the web map, limited to the viewport."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient

from demine.api.app import create_app
from demine.settings import Settings



def _client(db, layer):  # type: ignore[no-untyped-def]
    from demine.services.accounts import add_user, authenticate, issue_token

    app = create_app(Settings(database_url=str(db), risk_layer=str(layer)))
    from demine.errors import DemineError

    try:
        add_user(app.state.register, "analyst", "a long passphrase 42", role="analyst", actor="test")
    except DemineError:  # the module's register already has its analyst
        pass
    token = issue_token(app.state.register, authenticate(app.state.register, "analyst", "a long passphrase 42"),
                        "tests")
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_the_map_gets_the_published_cells_in_view(published):
    db, layer = published.db, published.layer
    cells = gpd.read_file(layer, layer="risk")
    west, south, east, north = cells.total_bounds
    mid_x = (west + east) / 2
    with _client(db, layer) as client:
        everything = client.get("/api/risk/cells", params={"bbox": f"{west},{south},{east},{north}"}).json()
        assert everything["total_in_view"] == len(cells) and not everything["truncated"]
        half = client.get("/api/risk/cells", params={"bbox": f"{west},{south},{mid_x},{north}"}).json()
        assert 0 < half["total_in_view"] < len(cells)
        for feature in half["features"]:
            x0, _, _, _ = gpd.GeoSeries.from_wkt([_wkt(feature)]).total_bounds
            assert x0 <= mid_x
            assert 0 <= feature["properties"]["risk"] <= 1 and feature["properties"]["risk_explained"]
        top = client.get("/api/risk/cells", params={"bbox": f"{west},{south},{east},{north}", "limit": 10}).json()
        assert top["truncated"] and len(top["features"]) == 10
        assert min(f["properties"]["risk"] for f in top["features"]) >= cells["risk"].nlargest(10).min() - 1e-9
        client.headers.pop("Authorization")
        assert client.get("/api/risk/cells", params={"bbox": f"{west},{south},{east},{north}"}).status_code == 401


def test_nothing_published_is_a_clear_not_found(scenario_db, tmp_path):
    db = tmp_path / "register.db"
    shutil.copyfile(scenario_db, db)
    with _client(db, tmp_path / "none.gpkg") as client:
        response = client.get("/api/risk/cells", params={"bbox": "46,39,47,40"})
        assert response.status_code == 404 and "demine risk predict" in response.text


def _wkt(feature) -> str:  # type: ignore[no-untyped-def]
    from shapely.geometry import shape

    return shape(feature["geometry"]).wkt


def test_a_coarse_zoom_gets_blocks_that_keep_the_highest_risk(published):
    db, layer = published.db, published.layer
    cells = gpd.read_file(layer, layer="risk")
    west, south, east, north = cells.total_bounds
    box = {"bbox": f"{west},{south},{east},{north}"}
    with _client(db, layer) as client:
        national = client.get("/api/risk/cells", params={**box, "zoom": 7}).json()
        assert national["aggregated"] and 0 < len(national["features"]) < len(cells) / 10
        blocks = [f["properties"] for f in national["features"]]
        assert sum(b["cells"] for b in blocks) == len(cells) == national["total_in_view"]
        assert max(b["risk"] for b in blocks) == pytest.approx(cells["risk"].max())
        assert all(b["mean_risk"] <= b["risk"] + 1e-12 for b in blocks)
        # Close up, every cell as it is.
        close = client.get("/api/risk/cells", params={**box, "zoom": 14}).json()
        assert not close["aggregated"] and len(close["features"]) == len(cells)
        assert client.get("/api/risk/cells", params={**box, "zoom": 99}).status_code == 422


def test_blocks_made_at_publishing_equal_blocks_made_on_request(published, tmp_path):
    import pyogrio

    from demine.risk.published import read_published

    layer = published.layer
    assert "blocks_z7" in pyogrio.list_layers(layer)[:, 0]
    cells_only = tmp_path / "cells-only.gpkg"  # as a layer published before blocks were written
    pyogrio.write_dataframe(pyogrio.read_dataframe(layer, layer="risk"), cells_only, layer="risk", driver="GPKG")
    bounds = tuple(pyogrio.read_info(layer, layer="risk")["total_bounds"])
    for zoom in (5, 7, 9):
        made, computed = read_published(layer, bounds, zoom=zoom), read_published(cells_only, bounds, zoom=zoom)
        assert made["aggregated"] and computed["aggregated"]
        assert made["total_in_view"] == computed["total_in_view"]
        key = lambda f: tuple(f["geometry"]["coordinates"][0][0])  # noqa: E731
        for a, b in zip(sorted(made["features"], key=key), sorted(computed["features"], key=key), strict=True):
            assert a["properties"] == pytest.approx(b["properties"])
