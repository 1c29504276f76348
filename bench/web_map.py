"""Bench: latency of the map's layer requests and of the dashboard, against what they would cost without Demine's path.

Builds a register through the import services (the weekly-figures bench's year of work: 440 clearance tasks, 22,880
weekly reports and outputs, ITEMS items found; plus HAZARDS hazard polygons), or opens an existing one (--db --reuse,
e.g. a copy of the bench-scale demo register), then requests, in process through the ASGI app (FastAPI, security,
JSON included), each layer at three viewports (national at zoom 8, a district at zoom 12, a field at zoom 15) as a
signed-in analyst, the items as the public (grid counts only) and the dashboard's figures, REPEAT times each, and
prints the first (cold) request and p50/p95. Baselines, in the same run on the same data: for features, every feature
meeting the viewport's bbox with full geometry and properties, as GeoJSON, with no cap, simplification or
aggregation (skipped beyond --raw-cap features); for the polygon views (national, district), the same request with
the kept feature texts dropped first (services.feature_texts: every request's cost before them); for grid counts, the same cells counted by SQL over the viewport's
rows (the path every request took before the cached fine cells); for the dashboard, its figures computed afresh.

With --rps SECONDS it then serves the app under uvicorn with --workers processes and measures requests per second of
read endpoints with --clients concurrent httpx clients (on the same 2 cores), a static file (no query) as the ceiling.

    .venv/bin/python bench/web_map.py [--items 200000] [--hazards 20000] [--repeat 20]
    .venv/bin/python bench/web_map.py --db /tmp/copy.db --reuse --repeat 20 --rps 20
    .venv/bin/python bench/web_map.py --db /tmp/copy.db --reuse --rps 15 --rps-only
"""

from __future__ import annotations

import argparse
import json
import shutil
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


def raw_features(register, layer: str, bbox, cap: int) -> str | None:  # type: ignore[no-untyped-def]
    """The baseline: all of the viewport's features with full geometry and properties, as a GeoJSON string (None
    when more than `cap` features meet the viewport: tens of millions of points do not fit a request at all)."""
    from sqlalchemy import func

    from demine.services.map_layers import LAYERS as SPECS
    from demine.store.tables.base import bbox_filter

    table = SPECS[layer].table
    columns = [table.c[p] for p in SPECS[layer].properties]
    where = [table.c.retired_at.is_(None), *bbox_filter(table, bbox)]
    with register.reading() as connection:
        if connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one() > cap:
            return None
        rows = connection.execute(select(*columns, table.c.geom).where(*where)).all()
    features = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(r.geom)),
                 "properties": {p: (v.isoformat() if hasattr(v, "isoformat") else v)
                                for p, v in zip(SPECS[layer].properties, r[:-1])}} for r in rows]
    return json.dumps({"type": "FeatureCollection", "features": features})


def direct_cells(register, layer: str, bbox, zoom: int) -> list:  # type: ignore[no-untyped-def]
    """The baseline of grid counts: the viewport's cells counted by SQL over its rows, every request."""
    from demine.services.map_layers import LAYERS as SPECS
    from demine.services.map_layers import _counted_directly, approved_only

    table = SPECS[layer].table
    where = [table.c.retired_at.is_(None)] + ([approved_only(table)] if "progress_report_id" in table.c else [])
    with register.reading() as connection:
        return _counted_directly(connection, layer, where, bbox, zoom)


def fresh_dashboard(register):  # type: ignore[no-untyped-def]
    from demine.services.dashboard import compute_dashboard

    with register.reading() as connection:
        return compute_dashboard(connection)


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


def served_app():  # type: ignore[no-untyped-def]
    """The app for uvicorn's workers (--factory): settings from the environment (DEMINE_DATABASE_URL)."""
    from demine.api.app import create_app
    from demine.settings import Settings

    return create_app(Settings())


HEADER = (f"{'request':<42} {'features':>8} {'KiB':>6} {'cold ms':>8} {'p50 ms':>7} {'p95 ms':>7} | "
          f"{'baseline':<14} {'features':>9} {'KiB':>7} {'p50 ms':>8} {'p95 ms':>8}")


def row(label: str, features: str, kib: float, cold: float, samples: list[float], baseline: str = "",
        base_features: str = "", base_kib: str = "", base_samples: list[float] | None = None) -> None:
    p50, p95 = percentiles(samples)
    tail = ""
    if base_samples:
        b50, b95 = percentiles(base_samples)
        tail = f"{b50:>8.1f} {b95:>8.1f}"
    print(f"{label:<42} {features:>8} {kib:>6,.0f} {cold * 1000:>8.1f} {p50:>7.1f} {p95:>7.1f} | "
          f"{baseline:<14} {base_features:>9} {base_kib:>7} {tail}", flush=True)


def latency(register, location: str, repeat: int, raw_cap: int) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from demine.api.app import create_app
    from demine.services.accounts import add_user, issue_token
    from demine.settings import Settings

    analyst = add_user(register, f"bench{time.time_ns()}", "bench password", role="analyst", actor="bench")
    token = issue_token(register, analyst, "bench")
    app = create_app(Settings(database_url=location))
    signed_in = {"Authorization": f"Bearer {token}"}
    print(HEADER)
    with TestClient(app) as client:
        for view, (bbox, zoom) in viewports().items():
            text = ",".join(f"{v:.6f}" for v in bbox)
            for layer, who in [*((layer, "analyst") for layer in LAYERS), ("items", "public")]:
                headers = signed_in if who == "analyst" else {}

                def request():  # type: ignore[no-untyped-def]
                    return client.get(f"/map/layers/{layer}", params={"bbox": text, "zoom": zoom}, headers=headers)

                cold, response = timed(request, 1)
                samples, response = timed(request, repeat)
                assert response.status_code == 200, response.text  # type: ignore[union-attr]
                body = response.json()  # type: ignore[union-attr]
                label = f"{layer} {view}" + (" (grid)" if body["aggregated"] else "") + (
                    " public" if who == "public" else "")
                kib = len(response.content) / 1024  # type: ignore[union-attr]
                if body["aggregated"]:
                    base, cells = timed(lambda: direct_cells(register, layer, bbox, zoom), max(3, repeat // 4))
                    assert [c["properties"] for c in cells] == [f["properties"] for f in body["features"]]
                    row(label, f"{len(body['features']):,}", kib, cold[0], samples, "SQL count", f"{len(cells):,}",
                        "", base)
                else:
                    base, raw = timed(lambda: raw_features(register, layer, bbox, raw_cap), max(3, repeat // 4))
                    if raw is None:
                        row(label, f"{len(body['features']):,}", kib, cold[0], samples, "raw: skipped",
                            f">{raw_cap:,}")
                    else:
                        row(label, f"{len(body['features']):,}", kib, cold[0], samples, "raw features",
                            f"{len(json.loads(raw)['features']):,}", f"{len(raw) / 1024:,.0f}", base)
        # The polygon views again with the kept feature texts dropped before each request: what every request cost
        # before services.feature_texts (and what the first request after a write to the layer's table costs now).
        from demine.services.feature_texts import FEATURE_TEXTS

        for view in ("national z8", "district z12"):
            bbox, zoom = viewports()[view]
            text = ",".join(f"{v:.6f}" for v in bbox)
            for layer in ("hazards", "outputs"):
                def afresh():  # type: ignore[no-untyped-def]
                    FEATURE_TEXTS.clear()
                    return client.get(f"/map/layers/{layer}", params={"bbox": text, "zoom": zoom}, headers=signed_in)

                kept = client.get(f"/map/layers/{layer}", params={"bbox": text, "zoom": zoom}, headers=signed_in)
                samples, response = timed(afresh, repeat)
                assert response.content == kept.content  # type: ignore[union-attr]
                row(f"{layer} {view} texts made afresh", f"{len(response.json()['features']):,}",  # type: ignore[union-attr]
                    len(response.content) / 1024, samples[0], samples)  # type: ignore[union-attr]
        cold, response = timed(lambda: client.get("/dashboard/figures"), 1)
        samples, response = timed(lambda: client.get("/dashboard/figures"), repeat)
        base, _ = timed(lambda: fresh_dashboard(register), 3)
        row("dashboard figures", "", len(response.content) / 1024, cold[0], samples, "computed anew", "", "",  # type: ignore[union-attr]
            base)
    app.state.register.close()


def requests_per_second(location: str, token: str, seconds: float, workers: int, clients: int) -> None:
    """Serve the app under uvicorn (`workers` processes) and count completed requests of each endpoint."""
    import os
    import socket
    import subprocess
    import threading

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DEMINE_DATABASE_URL=location, DEMINE_SECRET_KEY="bench-" + "k" * 40)
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "web_map:served_app", "--app-dir",
                               str(Path(__file__).resolve().parent), "--host", "127.0.0.1", "--port", str(port),
                               "--workers", str(workers), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.5)
        national, _ = viewports()["national z8"]
        district, _ = viewports()["district z12"]
        field, _ = viewports()["field z15"]
        text = lambda bbox: ",".join(f"{v:.6f}" for v in bbox)  # noqa: E731
        endpoints = {
            "a static file (no query)": ("/static/demine.css", {}),
            "hazards, a field, z15": ("/map/layers/hazards", {"bbox": text(field), "zoom": 15}),
            "hazards, a district, z12": ("/map/layers/hazards", {"bbox": text(district), "zoom": 12}),
            "items, national, z8 (grid)": ("/map/layers/items", {"bbox": text(national), "zoom": 8}),
            "dashboard figures": ("/dashboard/figures", {}),
        }
        headers = {"Authorization": f"Bearer {token}"}
        print(f"\n{'endpoint':<28} {'requests/s':>10} {'p50 ms':>7} {'p95 ms':>7}   ({workers} uvicorn workers, "
              f"{clients} clients, {seconds:.0f} s each)")
        for label, (path, params) in endpoints.items():
            with httpx.Client(base_url=base, headers=headers, timeout=60) as warm:
                for _ in range(workers * 2):  # every worker's first request (its cache) outside the count
                    warm.get(path, params=params).raise_for_status()
            samples: list[float] = []
            stop = time.monotonic() + seconds

            def load() -> None:
                with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                    while time.monotonic() < stop:
                        start = time.perf_counter()
                        client.get(path, params=params).raise_for_status()
                        samples.append(time.perf_counter() - start)

            threads = [threading.Thread(target=load) for _ in range(clients)]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            p50, p95 = percentiles(samples)
            print(f"{label:<28} {len(samples) / (time.monotonic() - began):>10.1f} {p50:>7.1f} {p95:>7.1f}",
                  flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--hazards", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--db", default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--raw-cap", type=int, default=200_000, help="Skip the raw baseline beyond this many.")
    parser.add_argument("--rps", type=float, default=0, help="Seconds of load per endpoint (0: no load test).")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rps-only", action="store_true", help="Skip the latency table (with --rps).")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--postgis", action="store_true",
                        help="Build into a throwaway PostgreSQL/PostGIS cluster (tests/pg_cluster.py), removed after.")
    args = parser.parse_args()
    if args.postgis:
        from pg_cluster import start_cluster

        cluster = start_cluster()
        try:
            args.db = cluster.url(cluster.new_database())
            run(args)
        finally:
            cluster.stop()
    else:
        run(args)


def run(args: argparse.Namespace) -> None:
    from sqlalchemy import func

    from demine.cli import shipped_gazetteer
    from demine.services.accounts import add_user, issue_token
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register
    from demine.store.tables.hazards import hazard_areas
    from demine.store.tables.operations import items_found

    folder = Path(tempfile.mkdtemp(prefix="bench-web-"))
    location = args.db or str(folder / "bench.db")
    register = open_register(location)
    started = time.perf_counter()
    initialise(register)  # a reused register is brought to the newest schema (0007 fills the R*Trees)
    print(f"schema current in {time.perf_counter() - started:.0f} s")
    if not args.reuse:
        import_file(register, "gazetteer", shipped_gazetteer(), actor="bench")
        started = time.perf_counter()
        build(register, folder, args.items)
        add_hazards(register, folder, args.hazards)
        print(f"built {args.items:,} items, {args.hazards:,} hazards in {time.perf_counter() - started:.0f} s")
    with register.reading() as connection:
        held = {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (items_found, hazard_areas)}
    print(f"register: {held['items_found']:,} items found, {held['hazard_areas']:,} hazards ({register.backend})")
    if not args.rps_only:
        latency(register, location, args.repeat, args.raw_cap)
    if args.rps:
        user = add_user(register, f"rps{time.time_ns()}", "bench password", role="analyst", actor="bench")
        requests_per_second(location, issue_token(register, user, "bench"), args.rps, args.workers, args.clients)
    register.close()
    if args.db:  # the register lives elsewhere: the folder held only the build's files
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
