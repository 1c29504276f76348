"""A CSV imported in parts (services.imports.PART_ROWS) is stored exactly as if read whole, in one batch, or not at all.

Parts are made small here so that a few hundred rows cross several part boundaries; the real size is half a million.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from demine.errors import ValidationFailed
from demine.io.readers import read_table_parts
from demine.services import imports
from demine.services.imports import check_file, import_file
from demine.store import bulk
from demine.store.tables.core import audit_log, import_batches
from demine.store.tables.operations import items_found
from helpers import table_counts
from register_files import write_csv
from test_import_scale import generated_items

ROWS = 230
STORED = ["code", "category", "model", "found_date", "quantity", "depth_cm", "condition", "disposal", "longitude",
          "latitude", "row_hash", "min_x", "max_y", "activity_id", "progress_report_id"]


def stored_items(register) -> list[tuple]:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        columns = [items_found.c[name] for name in STORED]
        return [tuple(row) for row in connection.execute(select(*columns).order_by(items_found.c.code))]


def batches(register) -> list[tuple]:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        query = select(import_batches.c.file_name, import_batches.c.rows_in_file, import_batches.c.rows_created,
                       import_batches.c.rows_updated, import_batches.c.rows_unchanged)
        return [tuple(row) for row in connection.execute(query.where(import_batches.c.kind == "items"))]


def import_entries(register) -> list[dict]:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        query = select(audit_log.c.after).where(audit_log.c.action == "import", audit_log.c.table_name == "items_found")
        return [json.loads(text) for text in connection.execute(query).scalars()]  # stored as JSON text


def test_parts_are_one_batch_and_one_audit_entry(loaded, tmp_path: Path, monkeypatch):
    rows = generated_items(ROWS)
    path = write_csv(tmp_path / "items.csv", rows)
    monkeypatch.setattr(imports, "PART_ROWS", 64)
    stages: list[str] = []
    written: list[tuple[int, int]] = []
    result = import_file(loaded, "items", path, actor="officer", progress=stages.append,
                         rows_written=lambda *done: written.append(done))
    assert (result.rows, result.created, result.updated, result.unchanged) == (ROWS, ROWS, 0, 0)
    # Four parts, each validated then written, named by the file's own rows (the header is row 1).
    assert [s for s in stages if s.startswith("validating")] == [
        "validating rows 2-65", "validating rows 66-129", "validating rows 130-193", "validating rows 194-231"]
    assert written[-1] == (ROWS, ROWS)  # the bar counts the file's rows, not the part's
    assert batches(loaded) == [("items.csv", ROWS, ROWS, 0, 0)]
    assert import_entries(loaded) == [{"file": "items.csv", "created": ROWS, "updated": 0, "unchanged": 0}]

    again = import_file(loaded, "items", path, actor="officer")
    assert (again.created, again.updated, again.unchanged, again.batch_id) == (0, 0, ROWS, None)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(part_rows=st.integers(min_value=1, max_value=ROWS + 5), changed=st.sets(st.integers(0, ROWS - 1), max_size=6),
       added=st.integers(0, 40))
def test_any_part_size_gives_the_same_register_as_one_part(loaded, tmp_path: Path, monkeypatch, part_rows: int,
                                                           changed: set[int], added: int):
    """First import whole, then a revision (some rows changed, some added) in parts of any size: the same rows as
    the revision imported whole into a twin register, and the same counts."""
    rows = generated_items(ROWS)
    first = write_csv(tmp_path / "items.csv", rows)
    revised = [dict(r) for r in rows] + generated_items(ROWS + added)[ROWS:]
    for n in changed:
        revised[n]["depth_cm"] = "77"
    second = write_csv(tmp_path / "items-v2.csv", revised)
    with loaded.writing() as connection:  # each example starts from the programme alone
        connection.execute(items_found.delete())
    monkeypatch.setattr(imports, "PART_ROWS", 10_000)
    import_file(loaded, "items", first, actor="officer")
    whole_before = stored_items(loaded)
    monkeypatch.setattr(imports, "PART_ROWS", part_rows)
    result = import_file(loaded, "items", second, actor="officer")
    in_parts = stored_items(loaded)

    with loaded.writing() as connection:
        connection.execute(items_found.delete())
    monkeypatch.setattr(imports, "PART_ROWS", 10_000)
    import_file(loaded, "items", first, actor="officer")
    assert stored_items(loaded) == whole_before
    reference = import_file(loaded, "items", second, actor="officer")
    assert (result.rows, result.created, result.updated, result.unchanged) == \
        (reference.rows, reference.created, reference.updated, reference.unchanged) == \
        (ROWS + added, added, len(changed), ROWS - len(changed))
    assert in_parts == stored_items(loaded)


def test_errors_in_several_parts_are_all_reported_and_nothing_is_written(loaded, tmp_path: Path, monkeypatch):
    rows = generated_items(ROWS)
    rows[5]["quantity"] = "many"  # part 1
    rows[150]["found_date"] = "2024-02-30"  # part 3
    rows[200]["code"] = rows[10]["code"]  # part 4 repeats a code of part 1
    path = write_csv(tmp_path / "items.csv", rows)
    monkeypatch.setattr(imports, "PART_ROWS", 64)
    before = table_counts(loaded)
    with pytest.raises(ValidationFailed) as failure:
        import_file(loaded, "items", path, actor="officer")
    found = {(i.row, i.field) for i in failure.value.issues if i.severity == "error"}
    assert found == {(7, "quantity"), (152, "found_date"), (202, "code")}
    repeat = next(i for i in failure.value.issues if i.field == "code")
    assert repeat.reason == f"duplicate identifier '{rows[10]['code']}' (first on row 12)"
    assert table_counts(loaded) == before  # parts 2 and 3 were valid; nothing of them stayed either
    assert {(i.row, i.field) for i in check_file(loaded, "items", path) if i.severity == "error"} == found


def test_an_error_in_the_last_part_rolls_back_the_parts_written(loaded, tmp_path: Path, monkeypatch):
    rows = generated_items(ROWS)
    rows[-1]["category"] = "landmine?"
    path = write_csv(tmp_path / "items.csv", rows)
    monkeypatch.setattr(imports, "PART_ROWS", 50)
    before = table_counts(loaded)
    with pytest.raises(ValidationFailed) as failure:
        import_file(loaded, "items", path, actor="officer")
    assert [(i.row, i.field) for i in failure.value.issues if i.severity == "error"] == [(ROWS + 1, "category")]
    assert table_counts(loaded) == before


def test_a_header_fault_is_reported_once_not_per_part(loaded, tmp_path: Path, monkeypatch):
    rows = [{k: v for k, v in r.items() if k != "category"} | {"remarks": "x"} for r in generated_items(ROWS)]
    path = write_csv(tmp_path / "items.csv", rows)
    monkeypatch.setattr(imports, "PART_ROWS", 50)
    with pytest.raises(ValidationFailed) as failure:
        import_file(loaded, "items", path, actor="officer")
    assert [(i.row, i.field, i.severity) for i in failure.value.issues] == [
        (1, "category", "error"), (1, "remarks", "warning")]


def test_reader_parts_keep_the_file_row_numbers_across_quoted_line_breaks(tmp_path: Path):
    path = tmp_path / "items.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "remarks"])
        for n in range(25):
            writer.writerow([f"IT-{n}", "two\nlines" if n % 4 == 0 else "one"])
    parts = list(read_table_parts(path, 10))
    assert [len(p) for p in parts] == [10, 10, 5]
    assert [int(p.row_numbers[0]) for p in parts] == [2, 12, 22]
    assert parts[2].columns["code"].tolist() == [f"IT-{n}" for n in range(20, 25)]
    assert parts[0].columns["remarks"].iat[0] == "two\nlines"
    header_only = tmp_path / "empty.csv"
    header_only.write_text("code,remarks\n", encoding="utf-8")
    assert [len(p) for p in read_table_parts(header_only, 10)] == [0]


def test_a_malformed_row_is_named_by_its_number(tmp_path: Path):
    path = tmp_path / "items.csv"
    lines = ["code,category"] + [f"IT-{n},uxo" for n in range(300)]
    lines[271] = "IT-270,uxo,extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as failure:
        list(read_table_parts(path, 100))
    (issue,) = failure.value.issues
    assert (issue.file, issue.row) == ("items.csv", 272)
    assert "Expected 2 columns, got 3" in issue.reason


def test_a_load_in_parts_puts_back_indexes_triggers_spatial_index_and_kept_counts(loaded, tmp_path: Path,
                                                                                  monkeypatch):
    """On SQLite the first part drops the indexes and insert triggers and they stay dropped until the last part is
    in (store.bulk.bulk_load); afterwards the table must be as if each row had gone through them."""
    from web.test_kept_counts import _assert_kept_equal_recount

    monkeypatch.setattr(imports, "PART_ROWS", 64)
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 10)  # every part is "large" for a table this small
    schema = schema_of_items(loaded)
    import_file(loaded, "items", write_csv(tmp_path / "items.csv", generated_items(ROWS)), actor="officer")
    assert schema_of_items(loaded) == schema
    with loaded.reading() as connection:
        if connection.dialect.name == "sqlite":  # the R*Tree holds every new row's extent (migration 0007)
            assert connection.exec_driver_sql("SELECT count(*) FROM rtree_items_found").scalar_one() == ROWS
    _assert_kept_equal_recount(loaded)
    # A second file into the now larger table: its parts are small against it, and go through the live indexes.
    revised = generated_items(ROWS + 30)[ROWS:]
    import_file(loaded, "items", write_csv(tmp_path / "more.csv", revised), actor="officer")
    assert schema_of_items(loaded) == schema
    _assert_kept_equal_recount(loaded)


def schema_of_items(register) -> set[tuple]:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        if connection.dialect.name == "sqlite":
            rows = connection.exec_driver_sql("SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN "
                                              "('items_found', 'rtree_items_found')").all()
        else:
            rows = connection.exec_driver_sql("SELECT 'index', indexname, indexdef FROM pg_indexes "
                                              "WHERE tablename = 'items_found'").all()
    return {tuple(r) for r in rows}
