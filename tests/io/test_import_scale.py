"""Twenty thousand items found, on both backends: a size where chunked lookups and the bulk insert's index handling
come into play. Correctness only (counts, stored values, indexes, idempotence); timing lives in bench/."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import inspect

from demine.services import imports
from demine.services.imports import import_file
from demine.services.queries import show_record
from demine.store import bulk
from helpers import table_counts
from register_files import lonlat, write_csv

ITEMS = 20_000
MODELS = [("ap_mine", "PMN-2"), ("ap_mine", "POMZ-2M"), ("at_mine", "TM-62M"), ("uxo", "MORTAR_82MM"), ("uxo", "")]


def generated_items(count: int, *, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        category, model = MODELS[n % len(MODELS)]
        lon, lat = lonlat(rng.uniform(-1500, 1500), rng.uniform(-1500, 1500))
        rows.append({"code": f"IT-{n:06d}", "activity_code": "ACT-1", "progress_report_code": "PR-1" if n % 3 else "",
                     "category": category, "model": model, "found_date": f"2024-0{1 + n % 7}-{1 + n % 28:02d}",
                     "quantity": "" if n % 10 == 0 else str(1 + n % 4), "depth_cm": "" if n % 17 == 0 else str(n % 40),
                     "condition": ["armed", "unarmed", "damaged", ""][n % 4],
                     "disposal": ["destroyed_in_situ", "moved_and_destroyed", ""][n % 3],
                     "longitude": lon, "latitude": lat})
    return rows


def index_names(register) -> set[str]:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        return {index["name"] for index in inspect(connection).get_indexes("items_found")}


def test_twenty_thousand_items_import_once_and_reimport_changes_nothing(loaded, tmp_path: Path, monkeypatch):
    assert ITEMS >= 2 * bulk.DEFER_INDEXES_FROM and ITEMS > 2 * imports.CHUNK  # the paths this test is about
    rows = generated_items(ITEMS)
    path = write_csv(tmp_path / "items.csv", rows)
    indexes = index_names(loaded)
    before = table_counts(loaded)

    monkeypatch.setattr(bulk, "PROGRESS_EVERY", 5_000)
    written: list[tuple[int, int]] = []
    result = import_file(loaded, "items", path, actor="officer", rows_written=lambda *done: written.append(done))
    assert (result.rows, result.created, result.updated, result.unchanged) == (ITEMS, ITEMS, 0, 0)
    assert result.warnings == []
    # The progress bar hears the rows as they go to the database, from none to all.
    assert written == [(n, ITEMS) for n in range(0, ITEMS + 1, 5_000)] + [(ITEMS, ITEMS)]
    counts = table_counts(loaded)
    assert counts["items_found"] == before["items_found"] + ITEMS
    assert counts["import_batches"] == before["import_batches"] + 1
    assert index_names(loaded) == indexes  # secondary indexes dropped for the bulk insert are all back

    for n in (0, 1, 9_999, ITEMS - 1):
        stored, written = show_record(loaded, "items", f"IT-{n:06d}"), rows[n]
        assert (stored["category"], stored["model"]) == (written["category"], written["model"] or None)
        assert stored["quantity"] == int(written["quantity"] or 1)
        assert stored["depth_cm"] == (float(written["depth_cm"]) if written["depth_cm"] else None)
        assert stored["progress_report_code"] == (written["progress_report_code"] or None)
        assert stored["wkt"] == f"POINT ({written['longitude']} {written['latitude']})"

    again = import_file(loaded, "items", path, actor="officer")  # codes matched by reading the table once
    assert (again.created, again.updated, again.unchanged, again.batch_id) == (0, 0, ITEMS, None)
    monkeypatch.setattr(imports, "SCAN_FACTOR", 0)  # and by IN lists of CHUNK codes: the same answer
    again = import_file(loaded, "items", path, actor="officer")
    assert (again.created, again.updated, again.unchanged, again.batch_id) == (0, 0, ITEMS, None)
    assert table_counts(loaded) == counts


def test_a_few_changed_and_new_rows_among_many(loaded, tmp_path: Path):
    rows = generated_items(ITEMS)
    import_file(loaded, "items", write_csv(tmp_path / "items.csv", rows), actor="officer")
    counts = table_counts(loaded)
    revised = [dict(r) for r in rows] + generated_items(ITEMS + 25)[ITEMS:]
    for n in (3, 12_345, ITEMS - 2):
        revised[n]["depth_cm"] = "55"
    result = import_file(loaded, "items", write_csv(tmp_path / "items-v2.csv", revised), actor="analyst")
    assert (result.created, result.updated, result.unchanged) == (25, 3, ITEMS - 3)
    after = table_counts(loaded)
    assert after["items_found"] == counts["items_found"] + 25
    assert after["audit_log"] == counts["audit_log"] + 3 + 1  # one entry per update, one for the import
    assert show_record(loaded, "items", "IT-012345")["depth_cm"] == 55
    assert show_record(loaded, "items", f"IT-{ITEMS + 24:06d}")["category"] == MODELS[(ITEMS + 24) % 5][0]


def test_a_failure_after_the_bulk_insert_writes_nothing_and_keeps_every_index(loaded, tmp_path: Path, monkeypatch):
    path = write_csv(tmp_path / "items.csv", generated_items(ITEMS))
    indexes, before = index_names(loaded), table_counts(loaded)

    def disk_full(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(imports, "record_change", disk_full)  # runs after the rows are in, before the commit
    with pytest.raises(OSError, match="disk full"):
        import_file(loaded, "items", path, actor="officer")
    assert table_counts(loaded) == before
    assert index_names(loaded) == indexes
