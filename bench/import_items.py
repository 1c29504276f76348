"""Benchmark: import N items found from CSV with full validation, against a raw load of the same rows.

    .venv/bin/python bench/import_items.py [--rows N] [--backend sqlite|postgis|both] [--seed S] [--profile]

The script writes, seeded, a small Aghdam programme (organisations, teams, a hazard, activities and progress reports)
and a CSV of N items found in the ITEMS import format, all within a few kilometres of a point in Aghdam district.
For each backend it prepares identical fresh registers (same migrations, shipped gazetteer, the programme imported
with the normal services), then measures, each phase in its own process so that its peak RSS is its own:

  demine     import_file(register, "items", csv): read, type, check everything, hash, write in one transaction
  re-import  the same file again (every row recognised by its hash, nothing written)
  whole      import_file as it was before CSVs were read in parts (PART_ROWS): the whole file in memory at once
  raw        the same CSV read with pandas and loaded with sqlite3 executemany / psycopg binary COPY into the same
             items_found table, with the codes resolved to ids and the point as WKB: no validation at all
  raw, indexes built after (SQLite only)  the raw load with the insert tuning Demine's bulk insert uses, so that the
             cost of validation alone can be read off

Wall time is time.perf_counter around the phase (module imports excluded); CPU time (getrusage) and peak RSS (VmHWM)
are the phase process's, the PostgreSQL server's own time and memory are not counted. The machine's load average is
printed too: on a shared machine, wall time includes waiting for a CPU.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv  # noqa: F401  imported here so that no phase times a module import
import shapely

HERE = Path(__file__).resolve().parent
BASE_LON, BASE_LAT = 46.9274, 40.0304  # inside Aghdam district
M_LON, M_LAT = 1 / 85_300, 1 / 111_000  # degrees per metre near 40° N
ACTIVITIES = 8  # ACT-1..ACT-8, each with two weekly progress reports
# Category and model mix of a programme clearing a former front line (model empty: not identified).
MODELS = [("ap_mine", "PMN-2", 30), ("ap_mine", "PMN", 8), ("ap_mine", "POMZ-2M", 5), ("ap_mine", "OZM-72", 3),
          ("ap_mine", "", 4), ("at_mine", "TM-62M", 8), ("at_mine", "TM-57", 3), ("uxo", "MORTAR_82MM", 12),
          ("uxo", "ARTILLERY_122MM", 6), ("uxo", "F-1", 5), ("uxo", "", 4), ("submunition", "9N235", 6),
          ("axo", "AXO_CACHE", 1), ("other", "UNKNOWN", 5)]
CONDITIONS = ["armed", "unarmed", "damaged", "deteriorated", "unknown", ""]
DISPOSALS = ["destroyed_in_situ", "moved_and_destroyed", "rendered_safe", "handed_over", ""]
ITEM_COLUMNS = ["code", "activity_code", "progress_report_code", "category", "model", "found_date", "quantity",
                "depth_cm", "condition", "disposal", "longitude", "latitude"]
STORED = ["code", "activity_id", "progress_report_id", "category", "model", "found_date", "quantity", "depth_cm",
          "condition", "disposal", "longitude", "latitude", "geom", "min_x", "min_y", "max_x", "max_y"]


# --- the files ---------------------------------------------------------------------------------------------------

def lonlat(east_m: float, north_m: float) -> tuple[float, float]:
    return round(BASE_LON + east_m * M_LON, 7), round(BASE_LAT + north_m * M_LAT, 7)


def square_wkt(east_m: float, north_m: float, side_m: float) -> str:
    corners = [(0, 0), (side_m, 0), (side_m, side_m), (0, side_m), (0, 0)]
    return "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in (lonlat(east_m + dx, north_m + dy)
                                                            for dx, dy in corners)) + "))"


def programme_rows() -> dict[str, list[dict[str, object]]]:
    """What the items refer to, in load order: small, and valid as written."""
    benchmark = lonlat(10, 10)
    rows: dict[str, list[dict[str, object]]] = {
        "organisations": [
            {"code": "ANAMA", "name": "Mine Action Agency", "organisation_type": "national_authority",
             "country_code": "AZE", "accredited": "true"},
            {"code": "OP1", "name": "Demining Operator One", "organisation_type": "commercial_operator",
             "country_code": "AZE", "accredited": "true"},
        ],
        "teams": [
            {"code": f"OP1-M{t}", "organisation_code": "OP1", "name": f"Manual {t}", "method": "manual",
             "members": "10", "base_name": "Aghdam", "base_longitude": BASE_LON, "base_latitude": BASE_LAT,
             "active_from": "2021-01-10"} for t in range(1, ACTIVITIES + 1)
        ],
        "hazards": [
            {"code": "HA-1", "name": "Front line fields", "hazard_class": "cha", "hazard_type": "minefield",
             "work_status": "open", "reported_date": "2021-02-01", "reporting_organisation_code": "ANAMA",
             "benchmark_longitude": benchmark[0], "benchmark_latitude": benchmark[1],
             "suspected_categories": "ap_mine,at_mine,uxo", "confirmed_categories": "ap_mine",
             "evidence_type": "visible_item", "evidence_description": "PMN-2 seen",
             "wkt": square_wkt(0, 0, 2000)},
        ],
        "activities": [],
        "progress": [],
    }
    for a in range(1, ACTIVITIES + 1):
        point = lonlat(100 * a, 100)
        rows["activities"].append(
            {"code": f"ACT-{a}", "activity_type": "clearance", "hazard_code": "HA-1", "organisation_code": "OP1",
             "team_code": f"OP1-M{a}", "method": "manual", "start_date": "2021-03-01", "end_date": "",
             "status": "ongoing", "clearance_depth_cm": "20", "longitude": point[0], "latitude": point[1]})
        for week, start in enumerate(("2024-07-29", "2024-08-05"), start=1):
            end = (dt.date.fromisoformat(start) + dt.timedelta(days=6)).isoformat()
            rows["progress"].append(
                {"code": f"PR-{a}-{week}", "activity_code": f"ACT-{a}", "period_start": start, "period_end": end,
                 "area_worked_m2": "2500", "working_days": "6", "deminers": "10", "review_status": "approved",
                 "submitted_by": "team leader"})
    return rows


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def items_frame(n: int, seed: int) -> pd.DataFrame:
    """N items found as text, the way an operator's export writes them."""
    rng = np.random.default_rng(seed)
    activity = rng.integers(1, ACTIVITIES + 1, n)
    week = rng.integers(1, 3, n)
    weights = np.array([w for _, _, w in MODELS], dtype=float)
    kind = rng.choice(len(MODELS), n, p=weights / weights.sum())
    days = rng.integers(0, 1400, n)  # 2021-03-01 .. 2024-12-29
    quantity = np.where(rng.random(n) < 0.9, "1", rng.integers(2, 40, n).astype(str))
    quantity = np.where(rng.random(n) < 0.1, "", quantity)  # empty: the default, 1
    depth = rng.integers(0, 40, n).astype(str)
    depth = np.where(rng.random(n) < 0.05, "", depth)
    east, north = rng.uniform(-2500, 2500, n), rng.uniform(-2500, 2500, n)
    return pd.DataFrame({
        "code": np.char.add("IT-", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
        "activity_code": np.char.add("ACT-", activity.astype(str)),
        "progress_report_code": np.char.add(np.char.add(np.char.add("PR-", activity.astype(str)), "-"),
                                            week.astype(str)),
        "category": np.array([c for c, _, _ in MODELS])[kind],
        "model": np.array([m for _, m, _ in MODELS])[kind],
        "found_date": np.datetime_as_string(np.datetime64("2021-03-01") + days.astype("timedelta64[D]")),
        "quantity": quantity,
        "depth_cm": depth,
        "condition": np.array(CONDITIONS)[rng.integers(0, len(CONDITIONS), n)],
        "disposal": np.array(DISPOSALS)[rng.integers(0, len(DISPOSALS), n)],
        "longitude": np.char.mod("%.6f", np.round(BASE_LON + east * M_LON, 6)),
        "latitude": np.char.mod("%.6f", np.round(BASE_LAT + north * M_LAT, 6)),
    })[ITEM_COLUMNS]


def write_files(folder: Path, n: int, seed: int) -> tuple[dict[str, Path], Path]:
    folder.mkdir(parents=True, exist_ok=True)
    programme = {kind: write_csv(folder / f"{kind}.csv", rows) for kind, rows in programme_rows().items()}
    items = folder / "items.csv"
    items_frame(n, seed).to_csv(items, index=False)
    return programme, items


# --- preparing a register ----------------------------------------------------------------------------------------

def prepare_register(location: str, programme: dict[str, Path]) -> None:
    """A fresh register as a user has it after `demine init` and importing the programme the items belong to."""
    from demine.cli import shipped_gazetteer
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register

    register = open_register(location)
    try:
        initialise(register)
        import_file(register, "gazetteer", shipped_gazetteer(), actor="bench")
        for kind, path in programme.items():
            import_file(register, kind, path, actor="bench")
    finally:
        register.close()


# --- the phases (each runs in its own process) -------------------------------------------------------------------

def phase_demine(location: str, items: Path, profile: Path | None, *, whole: bool = False) -> dict[str, object]:
    from demine.services import imports
    from demine.services.imports import import_file
    from demine.services.register import open_register

    if whole:  # the import as it was before it read CSVs in parts: the whole file validated in memory, then written
        imports.PART_ROWS = 2**62

    register = open_register(location)
    profiler = None
    if profile is not None:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    result = import_file(register, "items", items, actor="bench")
    seconds = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    register.close()
    if result.warnings:
        raise SystemExit(f"unexpected warnings: {result.warnings[:3]}")
    return {"seconds": seconds, "created": result.created, "updated": result.updated, "unchanged": result.unchanged}


def read_items(items: Path) -> pd.DataFrame:
    """The raw path's reading: pandas' pyarrow engine, with empty text kept as None."""
    text = {c: "string" for c in ("code", "activity_code", "progress_report_code", "category", "model", "found_date",
                                  "condition", "disposal")}
    return pd.read_csv(items, engine="pyarrow", dtype={**text, "quantity": "Int64", "depth_cm": "float64",
                                                      "longitude": "float64", "latitude": "float64"})


def raw_columns(frame: pd.DataFrame, ids: dict[str, dict[str, int]], *, hex_ewkb: bool) -> dict[str, object]:
    """The stored columns, with no check at all: codes to ids by dict, the point as WKB, empty as None."""
    lon, lat = frame["longitude"].to_numpy(), frame["latitude"].to_numpy()
    points = shapely.points(lon, lat)
    if hex_ewkb:
        geom = shapely.to_wkb(shapely.set_srid(points, 4326), include_srid=True)
    else:
        geom = shapely.to_wkb(points)
    return {
        "code": frame["code"],
        "activity_id": frame["activity_code"].map(ids["activities"]),
        "progress_report_id": frame["progress_report_code"].map(ids["progress_reports"]),
        "category": frame["category"],
        "model": frame["model"],
        "found_date": frame["found_date"],
        "quantity": frame["quantity"].fillna(1),
        "depth_cm": frame["depth_cm"],
        "condition": frame["condition"],
        "disposal": frame["disposal"],
        "longitude": lon, "latitude": lat, "geom": geom,
        "min_x": lon, "min_y": lat, "max_x": lon, "max_y": lat,
    }


def _python_values(values: object) -> list:
    """A column as Python objects, None where missing (what the drivers bind)."""
    if isinstance(values, pd.Series):
        return values.astype(object).where(values.notna(), None).tolist()
    return list(values) if getattr(values, "dtype", None) == object else values.tolist()


def phase_raw_sqlite(location: str, items: Path, *, tuned: bool) -> dict[str, object]:
    """executemany as a script would; `tuned` adds what Demine's bulk insert does (store.bulk): a larger page cache,
    and the secondary indexes dropped before and built after the insert, in the same transaction."""
    import sqlite3

    connection = sqlite3.connect(location, isolation_level=None)
    # The register's own connection settings (demine.store.engine): WAL, foreign keys on, synchronous NORMAL.
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    ids = {t: dict(connection.execute(f"SELECT code, id FROM {t}").fetchall())
           for t in ("activities", "progress_reports")}
    start = time.perf_counter()
    columns = raw_columns(read_items(items), ids, hex_ewkb=False)
    rows = list(zip(*(_python_values(columns[name]) for name in STORED)))
    database_start = time.perf_counter()  # from here on only SQLite works: the floor no import can go below
    connection.execute("BEGIN IMMEDIATE")
    indexes = []
    if tuned:
        connection.execute("PRAGMA cache_size = -262144")
        indexes = connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                                     "tbl_name = 'items_found' AND sql IS NOT NULL").fetchall()
        for name, _ in indexes:
            connection.execute(f"DROP INDEX {name}")
    connection.executemany(f"INSERT INTO items_found ({', '.join(STORED)}) VALUES ({', '.join('?' * len(STORED))})",
                           rows)
    for _, sql in indexes:
        connection.execute(sql)
    connection.execute("COMMIT")
    end = time.perf_counter()
    connection.close()
    return {"seconds": end - start, "database_seconds": end - database_start, "created": len(rows)}


def phase_raw_postgis(location: str, items: Path) -> dict[str, object]:
    import psycopg

    types = ["text", "int4", "int4", "text", "text", "date", "int4", "float8", "text", "text", "float8", "float8",
             "bytea", "float8", "float8", "float8", "float8"]  # EWKB bytes go to geometry's binary input
    with psycopg.connect(location) as connection:
        ids = {t: dict(connection.execute(f"SELECT code, id FROM {t}").fetchall())
               for t in ("activities", "progress_reports")}
        start = time.perf_counter()
        columns = raw_columns(read_items(items), ids, hex_ewkb=True)
        columns["found_date"] = pd.to_datetime(columns["found_date"]).dt.date
        rows = zip(*(_python_values(columns[name]) for name in STORED))
        count = 0
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY items_found ({', '.join(STORED)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
                    count += 1
        connection.commit()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "created": count}


def count_items(location: str) -> int:
    from sqlalchemy import func, select

    from demine.services.register import open_register
    from demine.store.tables.operations import items_found

    register = open_register(location)
    with register.reading() as connection:
        count = connection.execute(select(func.count()).select_from(items_found)).scalar_one()
    register.close()
    return int(count)


def run_phase(args: argparse.Namespace) -> None:
    items = Path(args.csv)
    cpu = _cpu_seconds()
    if args.phase in ("demine", "demine-whole"):
        outcome = phase_demine(args.location, items, Path(args.profile_out) if args.profile_out else None,
                               whole=args.phase == "demine-whole")
    elif args.phase in ("raw-sqlite", "raw-sqlite-tuned"):
        outcome = phase_raw_sqlite(args.location, items, tuned=args.phase == "raw-sqlite-tuned")
    else:
        outcome = phase_raw_postgis(args.location, items)
    outcome["cpu_seconds"] = _cpu_seconds() - cpu
    outcome["peak_rss_mib"] = _peak_rss_mib()
    outcome["stored"] = count_items(args.location)
    print(json.dumps(outcome))


def _peak_rss_mib() -> float:
    """This process's high-water RSS. Not ru_maxrss: Linux carries the parent's peak into it across vfork+exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def in_subprocess(phase: str, location: str, items: Path, profile_out: Path | None = None) -> dict[str, object]:
    command = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--location", location,
               "--csv", str(items)]
    if profile_out is not None:
        command += ["--profile-out", str(profile_out)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the run -----------------------------------------------------------------------------------------------------

def measure_backend(backend: str, locations: dict[str, str], programme: dict[str, Path], items: Path, rows: int,
                    profile: Path | None) -> list[dict[str, object]]:
    raws = ["raw-sqlite", "raw-sqlite-tuned"] if backend == "sqlite" else ["raw-postgis"]
    for location in [locations["demine"], locations["demine-whole"], *(locations[raw] for raw in raws)]:
        prepare_register(location, programme)
    label = {"sqlite": "SQLite", "postgis": "PostGIS"}[backend]
    results = []
    for raw in raws:
        outcome = in_subprocess(raw, locations[raw], items)
        results.append({"backend": label, "path": RAW_LABELS[raw], **outcome, "load": os.getloadavg()[0]})
    floor = results[-1].get("database_seconds") if backend == "sqlite" else None
    demine = in_subprocess("demine", locations["demine"], items, profile)
    results.append({"backend": label, "path": "Demine import_file", **demine, "load": os.getloadavg()[0]})
    again = in_subprocess("demine", locations["demine"], items)
    results.append({"backend": label, "path": "Demine re-import (unchanged)", **again, "load": os.getloadavg()[0]})
    whole = in_subprocess("demine-whole", locations["demine-whole"], items)
    results.append({"backend": label, "path": "Demine import_file, file read whole (before parts)", **whole,
                    "load": os.getloadavg()[0]})
    for outcome in results:
        if outcome["stored"] != rows:
            raise SystemExit(f"{backend} {outcome['path']}: {outcome['stored']:,} items stored, expected {rows:,}")
    if (demine["created"], again["unchanged"]) != (rows, rows):
        raise SystemExit(f"{backend}: created {demine['created']:,}, then {again['unchanged']:,} unchanged")
    plain, tuned = results[0]["seconds"], results[len(raws) - 1]["seconds"]  # the goal's reference: the plain load
    for outcome in results[len(raws):]:
        outcome["ratio"] = plain / outcome["seconds"]
        if len(raws) > 1:
            outcome["ratio_tuned"] = tuned / outcome["seconds"]
    if floor is not None:  # the tuned raw load's database part alone: insert, index builds and commit, rows prebuilt
        results.insert(len(raws), {**results[len(raws) - 1], "path": "  of which SQLite's own work (rows prebuilt)",
                                   "seconds": floor, "cpu_seconds": None, "peak_rss_mib": None})
    return results


RAW_LABELS = {"raw-sqlite": "raw executemany", "raw-sqlite-tuned": "raw executemany, indexes built after",
              "raw-postgis": "raw COPY (binary)"}


def print_table(results: list[dict[str, object]], rows: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Importing {rows:,} items found from CSV")
    headers = ("backend", "path", "rows", "seconds", "rows/s", "speed vs raw", "vs raw, indexes after", "CPU s",
               "peak RSS MiB", "load")
    for name in headers:
        table.add_column(name, justify="left" if name in ("backend", "path") else "right")
    for r in results:
        ratio = f"{r['ratio']:.2f}" if "ratio" in r else ""
        ratio_tuned = f"{r['ratio_tuned']:.2f}" if "ratio_tuned" in r else ""
        table.add_row(str(r["backend"]), str(r["path"]), f"{rows:,}", f"{r['seconds']:.1f}",
                      f"{rows / r['seconds']:,.0f}", ratio, ratio_tuned,
                      "" if r["cpu_seconds"] is None else f"{r['cpu_seconds']:.1f}",
                      "" if r["peak_rss_mib"] is None else f"{r['peak_rss_mib']:,.0f}", f"{r['load']:.1f}")
    Console(width=170).print(table)
    print("speed vs raw: Demine's rows/s over the plain raw load's (executemany / COPY) of the same backend, the "
          "goal's reference; vs raw, indexes after: over the raw load tuned as Demine's bulk insert is (SQLite); "
          "CPU s: the phase process's user+system time; load: 1-minute load average after the phase.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgis", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--profile", type=Path, default=None,
                        help="write cProfile stats of Demine's first import (SQLite, or PostGIS alone) to this file")
    parser.add_argument("--phase", choices=["demine", "demine-whole", *RAW_LABELS], help=argparse.SUPPRESS)
    parser.add_argument("--location", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return
    backends = ["sqlite", "postgis"] if args.backend == "both" else [args.backend]
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="demine-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        programme, items = write_files(folder / "files", args.rows, args.seed)
        print(f"wrote {args.rows:,} items ({items.stat().st_size / 2**20:,.0f} MiB) in "
              f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
        for backend in backends:
            profile = args.profile if backend == backends[0] else None
            if backend == "sqlite":
                locations = {name: str(folder / f"{name}.db") for name in ("demine", "demine-whole", "raw-sqlite",
                                                                               "raw-sqlite-tuned")}
                results += measure_backend(backend, locations, programme, items, args.rows, profile)
            else:
                results += measure_postgis(programme, items, args.rows, profile)
    print_table(results, args.rows)


def measure_postgis(programme: dict[str, Path], items: Path, rows: int,
                    profile: Path | None) -> list[dict[str, object]]:
    sys.path.insert(0, str(HERE.parent / "tests"))
    from pg_cluster import start_cluster  # the tests' throwaway cluster: temp dir, free port, durability off

    cluster = start_cluster()
    try:
        locations = {name: cluster.url(cluster.new_database()) for name in ("demine", "demine-whole", "raw-postgis")}
        return measure_backend("postgis", locations, programme, items, rows, profile)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
