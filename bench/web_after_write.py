"""Bench: the first map and dashboard request after a write, with the counts kept at write time (migration 0008),
against what the same requests cost before (recounting the layer's table, the dashboard's figures from every row).

Opens a register (a COPY of the bench-scale register: it is written to; or, with --postgis, one built by
bench/web_map.py's builder in a throwaway cluster), brings it to the newest schema (timed: the upgrade that fills the
kept counts is a real user's path), then ROUNDS times: imports a progress report (submitted) of --items items found
and one output through the import service, approves it through the review service as a second officer, closes one
hazard; and after each of these writes requests through the ASGI app, as a signed-in analyst, the items grid
(national zoom 8, a district zoom 12), the dashboard's figures and the hazards and outputs polygon views (national,
district), each once (the first request after the write), then once more (kept). The write itself is timed too: the
triggers that keep the counts run in it.

Baselines in the same run on the same data, what the first request after a write cost before 0008: the items grid's
count of every live item per fine cell and report (services.point_grid before; once: it takes half a minute at
12.8 million items), the dashboard's figures from the rows (compute_dashboard without the kept counts; once), and the
polygon views with every kept feature text dropped (each round). Each new response is checked against a recount.

    cp /work/benchdb/bench.db /tmp/h6.db
    .venv/bin/python bench/web_after_write.py --db /tmp/h6.db --rounds 12
    .venv/bin/python bench/web_after_write.py --postgis --build-items 1000000 --rounds 12
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analysis"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from web_map import percentiles, viewports  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU seconds of one call."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def __call__(self, label: str, function):  # type: ignore[no-untyped-def]
        start, used = time.perf_counter(), cpu()
        result = function()
        self.wall.setdefault(label, []).append(time.perf_counter() - start)
        self.cpu.setdefault(label, []).append(cpu() - used)
        return result


def write_csv(path: Path, rows: list[dict]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def a_place_to_write(register, bbox) -> tuple[str, float, float, dt.date]:  # type: ignore[no-untyped-def]
    """An activity with items in the district view, one of its items' positions, and the latest approved day."""
    from demine.store.tables.base import bbox_filter
    from demine.store.tables.operations import activities, items_found

    with register.reading() as connection:
        activity_id, lon, lat = connection.execute(
            select(items_found.c.activity_id, items_found.c.longitude, items_found.c.latitude)
            .where(items_found.c.retired_at.is_(None), *bbox_filter(items_found, bbox)).limit(1)).one()
        code = connection.execute(select(activities.c.code).where(activities.c.id == activity_id)).scalar_one()
        latest = connection.execute(select(func.max(items_found.c.found_date))).scalar_one()
    return code, lon, lat, latest


def import_report(register, folder: Path, tag: str, activity: str,  # type: ignore[no-untyped-def]
                  lon: float, lat: float, day: dt.date, items: int, rng: np.random.Generator) -> str:
    from demine.services.imports import import_file

    code = f"BENCH-{tag}"
    start = day - dt.timedelta(days=day.weekday())
    import_file(register, "progress", write_csv(folder / f"{tag}-progress.csv", [{
        "code": code, "activity_code": activity, "period_start": start.isoformat(), "period_end": day.isoformat(),
        "area_worked_m2": "1200", "working_days": "5", "deminers": "8", "review_status": "submitted",
        "submitted_by": "team leader"}]), actor="bench")
    side = 0.0004
    import_file(register, "outputs", write_csv(folder / f"{tag}-outputs.csv", [{
        "code": f"{code}-OUT", "activity_code": activity, "progress_report_code": code, "outcome": "cleared",
        "release_date": day.isoformat(), "declared_area_m2": "", "clearance_depth_cm": "20",
        "land_use_after": "agricultural",
        "wkt": f"POLYGON (({lon} {lat}, {lon + side} {lat}, {lon + side} {lat + side}, {lon} {lat + side}, "
               f"{lon} {lat}))"}]), actor="bench")
    rows = [{"code": f"{code}-IT{k}", "activity_code": activity, "progress_report_code": code,
             "category": ("ap_mine", "at_mine", "uxo")[k % 3], "model": "", "found_date": day.isoformat(),
             "quantity": "1", "depth_cm": "", "condition": "", "disposal": "",
             "longitude": round(lon + float(rng.uniform(-0.003, 0.003)), 7),
             "latitude": round(lat + float(rng.uniform(-0.003, 0.003)), 7)} for k in range(items)]
    import_file(register, "items", write_csv(folder / f"{tag}-items.csv", rows), actor="bench")
    return code


def old_grid_count(register) -> int:  # type: ignore[no-untyped-def]
    """What the first items grid request after a write to items found did before 0008: every live item counted per
    fine cell, category and report (then reduced to the approved reports in memory)."""
    from demine.services.map_layers import POINT_LAYERS
    from demine.services.point_grid import FINE_LEVEL, count_cells
    from demine.store.tables.operations import items_found

    layer = POINT_LAYERS["items"]
    with register.reading() as connection:
        cells, _ = count_cells(connection, layer, [items_found.c.retired_at.is_(None)], FINE_LEVEL,
                               extra_key=func.coalesce(items_found.c.progress_report_id, -1))
    return len(cells.gx)


def recount_grid(register, bbox, zoom: int) -> list:  # type: ignore[no-untyped-def]
    """The served cells' check: the view's cells counted by SQL over its rows."""
    from web_map import direct_cells

    return [c["properties"] for c in direct_cells(register, "items", bbox, zoom)]


def run(args: argparse.Namespace) -> None:
    from fastapi.testclient import TestClient

    from demine.api.app import create_app
    from demine.domain.roles import Role
    from demine.services import review
    from demine.services.accounts import User, add_user, issue_token
    from demine.services.dashboard import compute_dashboard
    from demine.services.feature_texts import FEATURE_TEXTS
    from demine.services.register import initialise, open_register
    from demine.settings import Settings
    from demine.store.migrate import current_revision
    from demine.store.tables.hazards import hazard_areas
    from demine.store.tables.operations import items_found

    register = open_register(args.db)
    before = current_revision(register.engine)
    started, used = time.perf_counter(), cpu()
    initialise(register)
    print(f"schema {before} -> {current_revision(register.engine)} in {time.perf_counter() - started:.1f} s wall, "
          f"{cpu() - used:.1f} s CPU", flush=True)
    with register.reading() as connection:
        count = connection.execute(select(func.max(items_found.c.id))).scalar_one()
    print(f"register: about {count:,} items found ({register.backend})", flush=True)
    analyst = add_user(register, f"bench{time.time_ns()}", "bench password", role="analyst", actor="bench")
    token = issue_token(register, analyst, "bench")
    reviewer = User(0, "bench reviewer", Role.INFORMATION_OFFICER, None, None)
    views = viewports()
    district, _ = views["district z12"]
    activity, lon, lat, day = a_place_to_write(register, district)
    folder = Path(tempfile.mkdtemp(prefix="bench-after-write-"))
    rng = np.random.default_rng(5)
    clock = Clock()
    requests = [(f"items {v} (grid)", "items", v) for v in ("national z8", "district z12")]
    requests += [(f"{layer} {v}", layer, v) for layer in ("hazards", "outputs")
                 for v in ("national z8", "district z12")]
    app = create_app(Settings(database_url=args.db))
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        def get(layer: str, view: str):  # type: ignore[no-untyped-def]
            bbox, zoom = views[view]
            response = client.get(f"/map/layers/{layer}", params={"bbox": ",".join(f"{v:.6f}" for v in bbox),
                                                                   "zoom": zoom}, headers=headers)
            assert response.status_code == 200, response.text
            return response

        def served(label: str) -> None:
            for name, layer, view in requests:
                clock(f"{name}{label}", lambda: get(layer, view))
            clock(f"dashboard figures{label}", lambda: client.get("/dashboard/figures").raise_for_status())

        served(" (warm-up)")  # every cache filled once: what a running server holds
        with register.reading() as connection:
            hazards = connection.execute(select(hazard_areas.c.id).where(
                hazard_areas.c.retired_at.is_(None), hazard_areas.c.work_status != "closed")
                .order_by(hazard_areas.c.id).limit(args.rounds)).scalars().all()
        for round_ in range(args.rounds):
            tag = f"{time.time_ns()}-{round_}"
            code = clock("write: import a report (items, an output)",
                         lambda: import_report(register, folder, tag, activity, lon, lat, day, args.items, rng))
            clock("write: approve it", lambda: review.approve(register, reviewer, code))

            def close_hazard() -> None:
                with register.writing() as connection:
                    connection.execute(update(hazard_areas).where(hazard_areas.c.id == hazards[round_])
                                       .values(work_status="closed"))

            clock("write: close a hazard", close_hazard)
            served("")
            served(" (kept)")
            if round_ == 0:  # the served figures equal a recount after the writes
                for view in ("national z8", "district z12"):
                    body = get("items", view).json()
                    assert [f["properties"] for f in body["features"]] == recount_grid(register, *views[view])
                with register.reading() as connection:
                    fresh = compute_dashboard(connection)
                figures = client.get("/dashboard/figures").json()
                assert figures["cumulative"]["items"] == fresh.cumulative.items, (figures, fresh.cumulative)
                assert figures["week"]["items"] == fresh.week.items, (figures, fresh.week)
        # Baselines: the same requests' cost before 0008.
        for _ in range(args.baseline_rounds):
            clock("baseline: items grid recount (before 0008)", lambda: old_grid_count(register))

            def fresh_figures():  # type: ignore[no-untyped-def]
                with register.reading() as connection:
                    return compute_dashboard(connection)

            clock("baseline: dashboard from the rows (before 0008)", fresh_figures)
        for _ in range(args.rounds):
            for name, layer, view in requests[2:]:
                def afresh():  # type: ignore[no-untyped-def]
                    FEATURE_TEXTS.clear()
                    return get(layer, view)

                clock(f"baseline: {name}, every text made", afresh)
    app.state.register.close()
    register.close()
    shutil.rmtree(folder)
    report(clock)


def report(clock: Clock) -> None:
    print(f"\n{'what':<58} {'n':>3} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'CPU p50 ms':>10}")
    for label, samples in clock.wall.items():
        if label.endswith("(warm-up)"):
            continue
        p50, p95 = percentiles(samples)
        c50, _ = percentiles(clock.cpu[label])
        print(f"{label:<58} {len(samples):>3} {p50:>9.1f} {p95:>9.1f} {max(samples) * 1000:>9.1f} {c50:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None, help="A register to WRITE to (a copy).")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--items", type=int, default=100, help="Items found in each report written.")
    parser.add_argument("--baseline-rounds", type=int, default=1)
    parser.add_argument("--postgis", action="store_true",
                        help="Build a register with --build-items in a throwaway PostgreSQL/PostGIS cluster.")
    parser.add_argument("--build-items", type=int, default=200_000)
    parser.add_argument("--build-hazards", type=int, default=20_000)
    args = parser.parse_args()
    if not args.postgis:
        if not args.db:
            parser.error("--db: a copy of a register to write to (or --postgis)")
        run(args)
        return
    from pg_cluster import start_cluster

    from demine.cli import shipped_gazetteer
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register
    from report_weekly import build
    from web_map import add_hazards

    cluster = start_cluster()
    try:
        args.db = cluster.url(cluster.new_database())
        register = open_register(args.db)
        initialise(register)
        import_file(register, "gazetteer", shipped_gazetteer(), actor="bench")
        started = time.perf_counter()
        folder = Path(tempfile.mkdtemp(prefix="bench-after-write-pg-"))
        build(register, folder, args.build_items)
        add_hazards(register, folder, args.build_hazards)
        register.close()
        shutil.rmtree(folder)
        print(f"built {args.build_items:,} items, {args.build_hazards:,} hazards in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        run(args)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
