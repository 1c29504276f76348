"""Bench: what keeping the map's and dashboard's counts at write time (migration 0008's triggers) costs the writes.

Two SQLite registers with the small test programme (tests/register_files.py), one at the newest schema and one the
same with 0008's triggers dropped (the baseline: what a write cost before), each then imports the same ITEMS items
found of one approved report through the import service (the bulk path for large files), then retires them all in one
statement, and approves / un-approves a report holding them. Wall and CPU seconds per step, and the kept counts
checked against a recount afterwards.

    .venv/bin/python bench/web_kept_writes.py --items 200000
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from register_files import BASE_LAT, BASE_LON, write_csv, write_programme  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(function) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    start, used = time.perf_counter(), cpu()
    function()
    return time.perf_counter() - start, cpu() - used


def steps(location: str, items_file: Path) -> dict[str, tuple[float, float]]:
    from demine.services.imports import import_file
    from demine.services.register import open_register
    from demine.store.tables.operations import items_found, progress_reports

    register = open_register(location)
    report = progress_reports.c.code == "PR-1"
    result = {"import the items (one report)": timed(lambda: import_file(register, "items", items_file,
                                                                          actor="bench"))}

    def review(status: str):  # type: ignore[no-untyped-def]
        def run() -> None:
            with register.writing() as connection:
                connection.execute(update(progress_reports).where(report).values(review_status=status))
        return run

    result["take approval away (a review)"] = timed(review("submitted"))
    result["approve the report (a review)"] = timed(review("approved"))

    def retire() -> None:
        with register.writing() as connection:
            connection.execute(update(items_found).where(items_found.c.code.like("BK-%")).values(
                retired_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)))

    result["retire them (one statement)"] = timed(retire)
    from demine.services.map_layers import approved_only

    with register.reading() as connection:
        official = connection.execute(select(func.count()).select_from(items_found).where(
            items_found.c.retired_at.is_(None), approved_only(items_found))).scalar_one()
    register.close()
    result["(official items left)"] = (official, 0)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    args = parser.parse_args()
    from demine.services.imports import import_file
    from demine.services.register import initialise, open_register

    folder = Path(tempfile.mkdtemp(prefix="bench-kept-writes-"))
    kept = folder / "kept.db"
    register = open_register(str(kept))
    initialise(register)
    for kind, path in write_programme(folder / "programme").items():
        import_file(register, kind, path, actor="bench")
    register.close()
    before = folder / "before.db"
    shutil.copyfile(kept, before)
    with sqlite3.connect(before) as connection:  # the baseline: 0008's triggers gone, all else the same
        names = [n for (n,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE 'kept_%' OR name LIKE 'texts_%')")]
        for name in names:
            connection.execute(f'DROP TRIGGER "{name}"')
    rng = np.random.default_rng(7)
    rows = [{"code": f"BK-{k}", "activity_code": "ACT-1", "progress_report_code": "PR-1",
             "category": ("ap_mine", "at_mine", "uxo")[k % 3], "model": "", "found_date": "2024-08-01",
             "quantity": "1", "depth_cm": "", "condition": "", "disposal": "",
             "longitude": round(BASE_LON + float(rng.uniform(-0.05, 0.05)), 7),
             "latitude": round(BASE_LAT + float(rng.uniform(-0.05, 0.05)), 7)} for k in range(args.items)]
    items_file = write_csv(folder / "items.csv", rows)
    print(f"{args.items:,} items found; baseline without 0008's {len(names)} triggers; SQLite")
    with_triggers = steps(str(kept), items_file)
    without = steps(str(before), items_file)
    print(f"\n{'step':<34} {'kept wall s':>11} {'kept CPU s':>10} {'before wall s':>13} {'before CPU s':>12}")
    for step in with_triggers:
        (w, c), (bw, bc) = with_triggers[step], without[step]
        print(f"{step:<34} {w:>11.2f} {c:>10.2f} {bw:>13.2f} {bc:>12.2f}")
    register = open_register(str(kept))
    from demine.store.tables.kept_counts import map_point_cells

    with register.reading() as connection:
        held = connection.execute(select(func.sum(map_point_cells.c.records)).where(
            map_point_cells.c.layer == "items")).scalar_one()
    register.close()
    assert held == with_triggers["(official items left)"][0], (held, with_triggers["(official items left)"])
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
