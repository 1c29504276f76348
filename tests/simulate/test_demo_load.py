"""The demo loads each scenario file as one import, big files read in parts; the reader's parts lose no row."""

from __future__ import annotations

import csv

from hypothesis import given, settings, strategies as st

from demine.io.readers import read_table_parts

ROW = st.lists(st.text(alphabet="ab ,\"\n(1.5)", max_size=6), min_size=3, max_size=3)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, max_size=12), size=st.integers(1, 5))
def test_reader_parts_keep_every_row_once_in_order(tmp_path_factory, rows, size):
    path = tmp_path_factory.mktemp("parts") / "items.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["code", "wkt", "note"], *rows])
    parts = list(read_table_parts(path, size))
    seen = [list(values) for part in parts for values in part.columns.itertuples(index=False)]
    assert seen == [[v.strip() for v in r] for r in rows]  # trimmed, as the whole-file reader trims
    assert all(list(p.columns.columns) == ["code", "wkt", "note"] for p in parts)
    numbers = [int(n) for part in parts for n in part.row_numbers]
    assert numbers == list(range(2, 2 + len(seen)))
    assert all(len(p) == size for p in parts[:-1]) and 0 <= len(parts[-1]) <= size
    assert len(parts) == max(1, -(-len(seen) // size))


def test_the_demo_loads_each_file_as_one_import_and_only_checks_the_error_files(sqlite_register_url, tmp_path,
                                                                                 monkeypatch):
    """`demine demo`'s loader on the small scenario, with parts small enough that items are read in several."""
    from sqlalchemy import func, select

    import demine.services.demo as demo
    import demine.services.imports as imports
    from demine.services.register import open_register
    from demine.store.tables.core import import_batches
    from demine.store.tables.operations import items_found

    monkeypatch.setattr(imports, "PART_ROWS", 500)
    register = open_register(sqlite_register_url)
    stages: list[str] = []
    result = demo.load_demo(register, tmp_path / "scenario", scale="small", seed=1, actor="test",
                            progress=stages.append)
    items = [r for r in result.imports if r.kind == "items"]
    with register.reading() as connection:
        stored = connection.execute(select(func.count()).select_from(items_found)).scalar_one()
        spoiled = connection.execute(select(func.count()).select_from(items_found)
                                     .where(items_found.c.code.like("%-E"))).scalar_one()
        item_batches = connection.execute(select(func.count()).select_from(import_batches)
                                          .where(import_batches.c.kind == "items")).scalar_one()
    register.close()
    with (result.scenario_dir / "items.csv").open(newline="", encoding="utf-8") as handle:
        in_file = sum(1 for _ in csv.reader(handle)) - 1
    assert len(items) == 1 and item_batches == 1 and in_file > 1000
    assert stored == items[0].created == items[0].rows == in_file
    assert sum(s.startswith("importing items: writing rows") for s in stages) == -(-in_file // 500)
    # The deliberate errors are found and nothing of them is stored (their codes end in -E).
    assert result.flagged and all(issues for issues in result.flagged.values()) and spoiled == 0
