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
