"""Bench: latency of the map's layer requests and of the dashboard, against sending the viewport's raw features.

Builds a register through the import services (the weekly-figures bench's year of work: 440 clearance tasks, 22,880
weekly reports and outputs, ITEMS items found; plus HAZARDS hazard polygons), then requests, in process through the
ASGI app (FastAPI, security, JSON included) as a signed-in analyst, each layer at three viewports (national at zoom 8,
a district at zoom 12, a field at zoom 15) and the dashboard's figures, REPEAT times each, and prints p50/p95.
The baseline, in the same run on the same data: every feature meeting the viewport's bbox with its full geometry and
properties, as GeoJSON, with no cap, simplification or aggregation (what a naive endpoint would send).

    .venv/bin/python bench/web_map.py [--items 200000] [--hazards 20000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analysis"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from report_weekly import DISTRICTS, _write, build  # noqa: E402
from report_week_files import district_points  # noqa: E402

LAYERS = ("hazards", "outputs", "items")


def add_hazards(register, folder: Path, count: int, seed: int = 11) -> None:  # type: ignore[no-untyped-def]
    from demine.services.imports import import_file

    rng = np.random.default_rng(seed)
    points = district_points()
    rows = []
    for k in range(count):
        lon, lat = points[DISTRICTS[k % len(DISTRICTS)]]
        x, y = lon + rng.uniform(-0.02, 0.02), lat + rng.uniform(-0.02, 0.02)
        side = rng.uniform(0.0004, 0.002)
        rows.append({"code": f"H{k}", "hazard_class": "cha" if k % 3 == 0 else "sha", "hazard_type": "minefield",
                     "work_status": ("open", "worked_on", "closed")[k % 3], "reported_date": "2023-01-01",
                     "benchmark_longitude": round(x, 6), "benchmark_latitude": round(y, 6),
                     "evidence_type": "visible_item",
                     "wkt": f"POLYGON (({x} {y}, {x + side} {y}, {x + side} {y + side}, {x} {y + side}, {x} {y}))"})
    import_file(register, "hazards", _write(folder / "hazards.csv", rows), actor="bench")


def viewports() -> dict[str, tuple[tuple[float, float, float, float], int]]:
    points = np.array(list(district_points().values()))
    lon, lat = district_points()["Aghdam"]
    national = (points[:, 0].min() - 0.1, points[:, 1].min() - 0.1, points[:, 0].max() + 0.1,
                points[:, 1].max() + 0.1)
    return {"national z8": (national, 8), "district z12": ((lon - 0.05, lat - 0.04, lon + 0.05, lat + 0.04), 12),
            "field z15": ((lon - 0.005, lat - 0.004, lon + 0.005, lat + 0.004), 15)}


def raw_features(register, layer: str, bbox) -> str:  # type: ignore[no-untyped-def]
    """The baseline: all of the viewport's features with full geometry and properties, as a GeoJSON string."""
    from demine.services.map_layers import LAYERS as SPECS
    from demine.services.queries import bbox_filter

    table = SPECS[layer].table
    columns = [table.c[p] for p in SPECS[layer].properties]
    with register.reading() as connection:
        rows = connection.execute(select(*columns, table.c.geom).where(table.c.retired_at.is_(None),
                                                                       *bbox_filter(table, bbox))).all()
    features = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(r.geom)),
                 "properties": {p: (v.isoformat() if hasattr(v, "isoformat") else v)
                                for p, v in zip(SPECS[layer].properties, r[:-1])}} for r in rows]
    return json.dumps({"type": "FeatureCollection", "features": features})


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(round(0.95 * len(ordered))) - 1)] * 1000


def timed(function, repeat: int) -> tuple[list[float], object]:  # type: ignore[no-untyped-def]
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return samples, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--hazards", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", default=None)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    from demine.api.app import create_app
    from demine.cli import shipped_gazetteer
    from demine.services.accounts import add_user, issue_token
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register
    from demine.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    location = args.db or str(folder / "bench.db")
    register = open_register(location)
    if not args.reuse:
        initialise(register)
        import_file(register, "gazetteer", shipped_gazetteer(), actor="bench")
        started = time.perf_counter()
        build(register, folder, args.items)
        add_hazards(register, folder, args.hazards)
        print(f"built {args.items:,} items, {args.hazards:,} hazards in {time.perf_counter() - started:.0f} s "
              f"({register.backend})")
    analyst = add_user(register, f"bench{time.time_ns()}", "bench password", role="analyst", actor="bench")
    token = issue_token(register, analyst, "bench")
    app = create_app(Settings(database_url=location))
    headers = {"Authorization": f"Bearer {token}"}
    print(f"{'request':<28} {'features':>8} {'KiB':>7} {'p50 ms':>7} {'p95 ms':>7} | {'raw features':>12} "
          f"{'KiB':>8} {'p50 ms':>8} {'p95 ms':>8}")
    with TestClient(app) as client:
        for view, (bbox, zoom) in viewports().items():
            text = ",".join(f"{v:.6f}" for v in bbox)
            for layer in LAYERS:
                samples, response = timed(lambda: client.get(f"/map/layers/{layer}",
                                                             params={"bbox": text, "zoom": zoom}, headers=headers),
                                          args.repeat)
                assert response.status_code == 200, response.text  # type: ignore[union-attr]
                body = response.json()  # type: ignore[union-attr]
                raw_samples, raw = timed(lambda: raw_features(register, layer, bbox), max(3, args.repeat // 4))
                label = f"{layer} {view}" + (" (grid)" if body["aggregated"] else "")
                p50, p95 = percentiles(samples)
                r50, r95 = percentiles(raw_samples)
                raw_count = len(json.loads(raw)["features"])  # type: ignore[arg-type]
                print(f"{label:<28} {len(body['features']):>8,} {len(response.content) / 1024:>7,.0f} "  # type: ignore[union-attr]
                      f"{p50:>7.1f} {p95:>7.1f} | {raw_count:>12,} {len(raw) / 1024:>8,.0f} "  # type: ignore[union-attr]
                      f"{r50:>8.1f} {r95:>8.1f}")
        samples, response = timed(lambda: client.get("/dashboard/figures"), args.repeat)
        p50, p95 = percentiles(samples)
        print(f"{'dashboard figures':<28} {'':>8} {len(response.content) / 1024:>7,.0f} {p50:>7.1f} {p95:>7.1f} |")  # type: ignore[union-attr]
    app.state.register.close()
    register.close()


if __name__ == "__main__":
    main()
