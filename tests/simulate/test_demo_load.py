"""The demo loads big files in parts: every row in exactly one part, in order, each part with the header."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given, settings, strategies as st

from demine.services.demo import parts

ROW = st.lists(st.text(alphabet="ab ,\"\\n(1.5)", max_size=6), min_size=3, max_size=3)


def _read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, max_size=12), size=st.integers(1, 5))
def test_parts_keep_every_row_once_in_order(tmp_path_factory, rows, size):
    path = tmp_path_factory.mktemp("parts") / "items.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["code", "wkt", "note"], *rows])
    seen: list[list[str]] = []
    count = 0
    for part in parts(path, size):
        content = _read(part)
        assert content[0] == ["code", "wkt", "note"]
        assert 1 <= len(content) - 1 <= size or part == path
        seen += content[1:]
        count += 1
    assert seen == [list(r) for r in rows]
    # A file that fits is imported as it is, under its own name; a bigger one in ceil(n / size) parts.
    assert count == (1 if len(rows) <= size else -(-len(rows) // size))


def test_the_demo_loads_a_scenario_in_parts_and_only_checks_the_error_files(sqlite_register_url, tmp_path, monkeypatch):
    """`demine demo`'s loader on the small scenario, with parts small enough that items come in several batches."""
    from sqlalchemy import func, select

    import demine.services.demo as demo
    from demine.services.register import open_register
    from demine.store.tables.operations import items_found

    monkeypatch.setattr(demo, "ROWS_PER_IMPORT", 500)
    register = open_register(sqlite_register_url)
    result = demo.load_demo(register, tmp_path / "scenario", scale="small", seed=1, actor="test")
    items = [r for r in result.imports if r.kind == "items"]
    with register.reading() as connection:
        stored = connection.execute(select(func.count()).select_from(items_found)).scalar_one()
        spoiled = connection.execute(select(func.count()).select_from(items_found)
                                     .where(items_found.c.code.like("%-E"))).scalar_one()
    register.close()
    assert len(items) > 1 and all(r.rows <= 500 for r in items)
    assert stored == sum(r.created for r in items) == sum(1 for _ in open(result.scenario_dir / "items.csv")) - 1
    # The deliberate errors are found and nothing of them is stored (their codes end in -E).
    assert result.flagged and all(issues for issues in result.flagged.values()) and spoiled == 0
