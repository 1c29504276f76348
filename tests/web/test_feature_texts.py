"""The map's kept feature texts (services.feature_texts): a layer served from them is, feature for feature, what a
brute-force selection over every row with a fresh simplification gives, and follows every write at once: an import,
a status change, a moved geometry, a retirement, a review of the outputs' report."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import shapely
from sqlalchemy import select, update

from demine.services.feature_texts import FeatureTextCache
from demine.services.imports import import_file
from demine.services.map_layers import LAYERS, approved_only, layer_geojson, pixel_degrees
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.operations import land_release_outputs, progress_reports

from .viewport_data import BASE_LAT, BASE_LON, SPREAD, write_csv

WIDE = (BASE_LON - 2 * SPREAD, BASE_LAT - 2 * SPREAD, BASE_LON + 2 * SPREAD, BASE_LAT + 2 * SPREAD)
NEAR = (BASE_LON - 0.03, BASE_LAT - 0.03, BASE_LON + 0.03, BASE_LAT + 0.02)


def _brute_force(register, name: str, bbox, zoom: int) -> dict:  # type: ignore[no-untyped-def]
    """Every live feature (approved or reportless, for outputs) whose extent meets the box, read without the spatial
    index, filtered and simplified here: code -> (geometry as GeoJSON dict, properties)."""
    layer = LAYERS[name]
    table = layer.table
    where = [table.c.retired_at.is_(None)] + ([approved_only(table)] if "progress_report_id" in table.c else [])
    with register.reading() as connection:
        rows = connection.execute(select(*(table.c[p] for p in layer.properties), table.c.geom).where(*where)).all()
    view = shapely.box(*bbox)
    expected = {}
    for r in rows:
        if not shapely.box(*r.geom.bounds).intersects(view):
            continue
        simple = shapely.simplify(r.geom, pixel_degrees(zoom), preserve_topology=True)
        rounded = shapely.transform(simple, lambda xy: np.round(xy, 6))
        properties = {p: (v.isoformat() if hasattr(v, "isoformat") else v) for p, v in zip(layer.properties, r[:-1])}
        expected[r.code] = (json.loads(shapely.to_geojson(rounded)), {**properties, "register_kind": layer.kind})
    return expected


def _served(register, name: str, bbox, zoom: int) -> dict:  # type: ignore[no-untyped-def]
    layer = layer_geojson(register, name, bbox, zoom, individual_points=True)
    assert not layer["truncated"]
    codes = [f["properties"]["code"] for f in layer["features"]]
    assert len(codes) == len(set(codes))
    return {f["properties"]["code"]: (f["geometry"], f["properties"]) for f in layer["features"]}


def test_kept_texts_equal_brute_force_and_follow_every_write(scattered, tmp_path):
    for zoom in (8, 12, 15):
        first = _served(scattered, "hazards", WIDE, zoom)
        assert first == _brute_force(scattered, "hazards", WIDE, zoom)
        assert _served(scattered, "hazards", WIDE, zoom) == first  # now from the kept texts
    assert _served(scattered, "hazards", NEAR, 12) == _brute_force(scattered, "hazards", NEAR, 12)

    moved = shapely.Polygon([(BASE_LON, BASE_LAT), (BASE_LON + 0.01, BASE_LAT), (BASE_LON, BASE_LAT + 0.01)])
    with scattered.writing() as connection:
        connection.execute(update(hazard_areas).where(hazard_areas.c.code == "HS-3").values(work_status="closed"))
        connection.execute(update(hazard_areas).where(hazard_areas.c.code == "HS-4").values(
            geom=moved, min_x=BASE_LON, min_y=BASE_LAT, max_x=BASE_LON + 0.01, max_y=BASE_LAT + 0.01))
        connection.execute(update(hazard_areas).where(hazard_areas.c.code == "HS-5")
                           .values(retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))
    x, y = BASE_LON + 0.001, BASE_LAT + 0.001
    import_file(scattered, "hazards", write_csv(tmp_path / "new.csv", [{
        "code": "HS-NEW", "hazard_class": "cha", "hazard_type": "minefield", "work_status": "open",
        "reported_date": "2024-01-01", "benchmark_longitude": x, "benchmark_latitude": y,
        "evidence_type": "visible_item",
        "wkt": f"POLYGON (({x} {y}, {x + 0.003} {y}, {x + 0.003} {y + 0.002}, {x} {y}))"}]), actor="test")
    for zoom in (8, 12, 15):
        after = _served(scattered, "hazards", WIDE, zoom)
        assert after == _brute_force(scattered, "hazards", WIDE, zoom)
        assert after["HS-3"][1]["work_status"] == "closed" and "HS-5" not in after and "HS-NEW" in after
        assert after["HS-4"][0]["coordinates"][0][1] == [round(BASE_LON + 0.01, 6), round(BASE_LAT, 6)]


def test_outputs_stay_approved_only_with_kept_texts(scattered):
    everywhere = (BASE_LON - 1, BASE_LAT - 1, BASE_LON + 1, BASE_LAT + 1)
    before = _served(scattered, "outputs", everywhere, 12)
    assert before and before == _brute_force(scattered, "outputs", everywhere, 12)
    with scattered.reading() as connection:
        report = connection.execute(select(land_release_outputs.c.progress_report_id)
                                    .where(land_release_outputs.c.progress_report_id.isnot(None))).scalars().first()
    with scattered.writing() as connection:
        connection.execute(update(progress_reports).where(progress_reports.c.id == report)
                           .values(review_status="submitted"))
    pending = _served(scattered, "outputs", everywhere, 12)
    assert pending == _brute_force(scattered, "outputs", everywhere, 12) and len(pending) < len(before)
    with scattered.writing() as connection:
        connection.execute(update(progress_reports).where(progress_reports.c.id == report)
                           .values(review_status="approved"))
    assert _served(scattered, "outputs", everywhere, 12) == before


def test_a_write_during_the_request_keeps_nothing():
    cache = FeatureTextCache()
    made: list[list[int]] = []

    def make(ids: list[int]) -> dict[int, str]:
        made.append(ids)
        return {i: f"text {i} of call {len(made)}" for i in ids}

    assert cache.texts("db", "hazards", 8, (1, 5), [1, 2], make, lambda: (1, 6)) == ["text 1 of call 2",
                                                                                    "text 2 of call 2"]
    assert made == [[1, 2], [1, 2]]  # made again whole once the stamp moved, and nothing kept
    assert cache.texts("db", "hazards", 8, (1, 6), [2, 3], make, lambda: (1, 6)) == ["text 2 of call 3",
                                                                                    "text 3 of call 3"]
    assert cache.texts("db", "hazards", 8, (1, 6), [3, 2], make, lambda: (1, 6)) == ["text 3 of call 3",
                                                                                    "text 2 of call 3"]
    assert cache.texts("db", "hazards", 9, (1, 6), [3], make, lambda: (1, 6)) == ["text 3 of call 4"]
    assert cache.texts("db", "hazards", 8, (1, 7), [3], make, lambda: (1, 7)) == ["text 3 of call 5"]
    small = FeatureTextCache(max_bytes=40)
    small.texts("db", "hazards", 8, (1, 1), list(range(10)), make, lambda: (1, 1))
    small.texts("db", "hazards", 8, (1, 1), list(range(10, 20)), make, lambda: (1, 1))
    assert small.texts("db", "hazards", 8, (1, 1), [10, 0], make, lambda: (1, 1)) == ["text 10 of call 7",
                                                                                     "text 0 of call 8"]
