"""Benchmark: the published risk map served to the web map (GET /api/risk/cells) at three zooms, against the
baseline of every cell in view as GeoJSON with no cap and no blocks, on the same published layer.

    .venv/bin/python bench/risk_map_layer.py --db REGISTER [--cell-size 250] [--repeat 5]

Setup (timed and printed, not compared): train on the register's grid with the approximate line of contact, predict
and publish (`demine risk predict --publish`'s path). Requests go through the ASGI app in process (FastAPI, token check,
JSON) as an analyst.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

LINE = Path(__file__).resolve().parents[1] / "src" / "demine" / "simulate" / "data" / "line_of_contact_approx.geojson"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--cell-size", type=float, default=250.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import pyogrio
    from fastapi.testclient import TestClient

    from demine.api.app import create_app
    from demine.risk.published import publish, register_identity
    from demine.risk.register_cells import UserLayers
    from demine.risk.register_path import GridOptions, predict_register, train_register
    from demine.services.accounts import add_user, authenticate, issue_token
    from demine.services.register import open_register
    from demine.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="risk-map-"))
    db = folder / "register.db"
    shutil.copyfile(args.db, db)  # users are added: never the caller's register
    register = open_register(str(db))
    options = GridOptions(args.cell_size, None, UserLayers(line=LINE))
    start = time.perf_counter()
    model = train_register(register, options)
    trained = time.perf_counter()
    prediction, cells = predict_register(register, model, options, None)
    predicted = time.perf_counter()
    with register.reading() as connection:
        layer = publish(cells, prediction.columns, folder / "risk.gpkg", register_identity(connection))
    published = time.perf_counter()
    register.close()
    print(f"load average {os.getloadavg()[0]:.1f}; 2 cores; {len(prediction.risk):,} cells of {args.cell_size:g} m; "
          f"train {trained - start:.1f} s, predict {predicted - trained:.1f} s, publish (GeoPackage) "
          f"{published - predicted:.1f} s, {layer.stat().st_size / 2**20:,.0f} MiB")

    app = create_app(Settings(database_url=str(db), risk_layer=str(layer)))
    add_user(app.state.register, "bench", "a long passphrase 42", role="analyst", actor="bench")
    token = issue_token(app.state.register, authenticate(app.state.register, "bench", "a long passphrase 42"), "b")
    west, south, east, north = pyogrio.read_info(layer, layer="risk")["total_bounds"]
    cx, cy = (west + east) / 2, (south + north) / 2
    views = [("national", 7, (west, south, east, north)), ("a district", 10, (cx - 0.25, cy - 0.2, cx + 0.25, cy + 0.2)),
             ("a field", 13, (cx - 0.03, cy - 0.025, cx + 0.03, cy + 0.025))]
    print("| view | zoom | features | aggregated | KiB | p50 ms | max ms | raw features | raw KiB | raw p50 ms | raw max ms |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        for name, zoom, box in views:
            bbox = ",".join(f"{v:.6f}" for v in box)
            served = _time(client, {"bbox": bbox, "zoom": zoom, "limit": 5000}, args.repeat)
            raw = _time(client, {"bbox": bbox, "limit": 100_000}, max(1, args.repeat // 2))
            print(f"| {name} | {zoom} | {served['n']:,} | {served['aggregated']} | {served['kib']:,.0f} "
                  f"| {served['p50']:,.0f} | {served['max']:,.0f} | {raw['n']:,} | {raw['kib']:,.0f} "
                  f"| {raw['p50']:,.0f} | {raw['max']:,.0f} |")
    app.state.register.close()
    print(f"load average after {os.getloadavg()[0]:.1f}")
    shutil.rmtree(folder)  # the register's copy and the layer: hundreds of MB


def _time(client, params, repeat: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    times, body = [], b""
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get("/api/risk/cells", params=params)
        times.append((time.perf_counter() - t) * 1000)
        response.raise_for_status()
        body = response.content
    document = json.loads(body)
    return {"n": len(document["features"]), "aggregated": document["aggregated"], "kib": len(body) / 1024,
            "p50": statistics.median(times), "max": max(times)}


if __name__ == "__main__":
    main()
