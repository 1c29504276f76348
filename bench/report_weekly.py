"""Bench: the weekly figures over a large register against a hand-written SQL aggregate of the same figures.

Builds a register through the import services (a year of work in the 13 districts: activities, weekly progress
reports, outputs and ITEMS items found), then times `weekly_figures` and the hand query for several weeks, checks they
agree, and prints a table. Goal: under 1 s and within 1.5x of the hand query.

    .venv/bin/python bench/report_weekly.py [--items 1000000] [--db PATH_OR_URL]

At the issue's bench scale, load a generated scenario (`demine demo --scale bench --out DIR` writes it) instead:

    .venv/bin/python bench/report_weekly.py --scenario DIR [--postgis]

--postgis starts a throwaway PostgreSQL/PostGIS cluster (tests/pg_cluster.py) for the run and deletes it after.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analysis"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from report_week_files import district_points  # noqa: E402  (the district points the golden test uses)

from demine.analysis.compute import weekly_figures  # noqa: E402
from demine.analysis.period import Period  # noqa: E402

DISTRICTS = ["Tartar", "Kalbajar", "Aghdam", "Khojaly", "Khojavand", "Shusha", "Lachin", "Fuzuli", "Gubadli",
             "Jabrayil", "Zangilan"]
YEAR_START = dt.date(2024, 1, 1)
WEEKS = 52
CATEGORIES = np.array(["ap_mine", "at_mine", "uxo", "uxo", "uxo", "axo", "submunition"])

HAND_ITEMS = """
SELECT a.admin_area_id, i.category, SUM(i.quantity)
FROM items_found i JOIN activities a ON a.id = i.activity_id
LEFT JOIN progress_reports p ON p.id = i.progress_report_id
WHERE i.found_date BETWEEN :s AND :e AND i.retired_at IS NULL AND a.retired_at IS NULL
  AND (i.progress_report_id IS NULL OR (p.review_status = 'approved' AND p.retired_at IS NULL))
GROUP BY a.admin_area_id, i.category"""
HAND_LAND = """
SELECT a.admin_area_id, o.outcome, SUM(o.area_m2)
FROM land_release_outputs o JOIN activities a ON a.id = o.activity_id
LEFT JOIN progress_reports p ON p.id = o.progress_report_id
WHERE o.release_date BETWEEN :s AND :e AND o.retired_at IS NULL AND a.retired_at IS NULL
  AND (o.progress_report_id IS NULL OR (p.review_status = 'approved' AND p.retired_at IS NULL))
GROUP BY a.admin_area_id, o.outcome"""
HAND_PENDING = """
SELECT COUNT(*) FROM progress_reports
WHERE review_status = 'submitted' AND period_start <= :e AND period_end >= :s AND retired_at IS NULL"""


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def build(register, folder: Path, items: int, activities_n: int = 440, seed: int = 7) -> None:  # type: ignore[no-untyped-def]
    from demine.services.imports import import_file

    rng = np.random.default_rng(seed)
    points = district_points()
    files: dict[str, list[dict[str, object]]] = {
        "organisations": [{"code": f"ORG{k}", "name": f"Operator {k}", "organisation_type": "commercial_operator"}
                          for k in range(5)],
        "teams": [], "activities": [], "progress": [], "outputs": []}
    for n in range(activities_n):
        lon, lat = points[DISTRICTS[n % len(DISTRICTS)]]
        lon, lat = lon + rng.uniform(-0.02, 0.02), lat + rng.uniform(-0.02, 0.02)
        files["teams"].append({"code": f"T{n}", "organisation_code": f"ORG{n % 5}", "name": f"Team {n}",
                               "method": "mechanical", "members": "10"})
        files["activities"].append({"code": f"A{n}", "activity_type": "clearance", "organisation_code": f"ORG{n % 5}",
                                    "team_code": f"T{n}", "method": "mechanical", "start_date": "2024-01-01",
                                    "status": "ongoing", "longitude": round(lon, 6), "latitude": round(lat, 6)})
        for week in range(WEEKS):
            start = YEAR_START + dt.timedelta(days=7 * week)
            status = "submitted" if rng.random() < 0.05 else "approved"
            files["progress"].append({"code": f"P{n}-{week}", "activity_code": f"A{n}",
                                      "period_start": start.isoformat(),
                                      "period_end": (start + dt.timedelta(days=6)).isoformat(),
                                      "area_worked_m2": "50000", "working_days": "6", "deminers": "10",
                                      "review_status": status})
            side = 1 / 1000  # about 85 m x 111 m
            x, y = lon + (week % 10) * 0.002, lat + (week // 10) * 0.002
            files["outputs"].append({"code": f"O{n}-{week}", "activity_code": f"A{n}", "progress_report_code":
                                     f"P{n}-{week}", "outcome": ("cleared", "reduced", "cancelled")[week % 3],
                                     "release_date": (start + dt.timedelta(days=5)).isoformat(),
                                     "wkt": f"POLYGON (({x} {y}, {x + side} {y}, {x + side} {y + side}, {x} {y + side}, "
                                            f"{x} {y}))"})
    for kind, rows in files.items():
        import_file(register, kind, _write(folder / f"{kind}.csv", rows), actor="bench")
    activity = rng.integers(0, activities_n, items)
    day = rng.integers(0, 7 * WEEKS, items)
    category = CATEGORIES[rng.integers(0, len(CATEGORIES), items)]
    base = np.array([points[DISTRICTS[a % len(DISTRICTS)]] for a in range(activities_n)])
    path = folder / "items.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "activity_code", "progress_report_code", "category", "found_date", "longitude",
                         "latitude"])
        for k in range(items):
            a = int(activity[k])
            writer.writerow([f"I{k}", f"A{a}", f"P{a}-{int(day[k]) // 7}", category[k],
                             (YEAR_START + dt.timedelta(days=int(day[k]))).isoformat(),
                             round(base[a, 0] + 0.01, 6), round(base[a, 1] + 0.01, 6)])
    import_file(register, "items", path, actor="bench")


def load_scenario(register, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """A generated scenario's files through the import services, in load order and in parts, as `demine demo`."""
    from demine.services.demo import import_scenario_files
    from demine.simulate.writer import LOAD_ORDER

    files = {kind: folder / f"{kind}.csv" for kind in LOAD_ORDER}
    files = {kind: path for kind, path in files.items() if path.is_file() and path.stat().st_size > 0}
    started = time.perf_counter()
    for result in import_scenario_files(register, files, actor="bench"):
        print(f"  {result.kind} ({result.file}): {result.created:,} rows, {time.perf_counter() - started:.0f} s "
              "since the start", flush=True)


def best_of(function, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def hand_query(connection, period: Period) -> tuple[int, float, int]:  # type: ignore[no-untyped-def]
    params = {"s": period.start, "e": period.end}
    items = sum(int(r[2]) for r in connection.execute(text(HAND_ITEMS), params))
    land = sum(float(r[2]) for r in connection.execute(text(HAND_LAND), params))
    pending = int(connection.execute(text(HAND_PENDING), params).scalar_one())
    return items, land, pending


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="Time an existing --db without building.")
    parser.add_argument("--db", default=None, help="Register location (default: a new SQLite file in a temp dir).")
    parser.add_argument("--scenario", type=Path, default=None,
                        help="Load this generated scenario's files instead of building the synthetic year.")
    parser.add_argument("--postgis", action="store_true", help="Run on a throwaway PostGIS cluster.")
    args = parser.parse_args()
    cluster = None
    if args.postgis:
        from pg_cluster import start_cluster

        cluster = start_cluster()
        args.db = cluster.url(cluster.new_database())
    try:
        run(args)
    finally:
        if cluster is not None:
            cluster.stop()


def run(args: argparse.Namespace) -> None:
    from demine.cli import shipped_gazetteer
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register

    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    register = open_register(args.db or str(folder / "bench.db"))
    if not args.reuse:
        initialise(register)
        import_file(register, "gazetteer", shipped_gazetteer(), actor="bench")
        started = time.perf_counter()
        if args.scenario:
            load_scenario(register, args.scenario)
            print(f"loaded {args.scenario} in {time.perf_counter() - started:.0f} s ({register.backend})")
        else:
            build(register, folder, args.items)
            print(f"built {args.items:,} items in {time.perf_counter() - started:.0f} s ({register.backend})")
    with register.reading() as connection:
        counts = {t: connection.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("items_found", "hazard_areas", "progress_reports", "land_release_outputs")}
    print(", ".join(f"{t}: {n:,}" for t, n in counts.items()))
    print(f"{'week':<25} {'items':>8} {'ha':>9} {'pending':>7} {'figures s':>10} {'hand s':>8} {'ratio':>6}")
    with register.reading() as connection:
        for week in (10, 30, 51):
            period = Period(YEAR_START + dt.timedelta(days=7 * week), YEAR_START + dt.timedelta(days=7 * week + 6))
            ours, figures = best_of(lambda: weekly_figures(connection, period))
            hand, (items, land, pending) = best_of(lambda: hand_query(connection, period))
            assert figures.national.items.total == items and figures.pending.reports == pending  # type: ignore[union-attr]
            assert abs(figures.national.land.total_m2 - land) < 1  # type: ignore[union-attr]
            print(f"{str(period):<25} {items:>8,} {land / 1e4:>9,.1f} {pending:>7} {ours:>10.3f} {hand:>8.3f} "
                  f"{ours / hand:>6.2f}")


if __name__ == "__main__":
    main()
