"""Property: whatever rows a file holds, the importer never crashes and never half-writes."""

from __future__ import annotations

import csv
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demine.errors import ValidationFailed
from demine.services.imports import import_file
from helpers import table_counts
from register_files import lonlat, rows_of_programme, write_csv

ITEM_COLUMNS = list(rows_of_programme()["items"][0])
_files = itertools.count()

# Values that are valid for some field, plausible mistakes, and plain noise.
noise = st.one_of(
    st.sampled_from(["", " ", "ap_mine", "AT mine", "uxo", "PMN-2", "TM-62M", "PMN2", "2024-08-01", "2099-01-01",
                     "01/08/2024", "1", "0", "-5", "453,900", "1e309", "nan", "NULL", "ACT-1", "ACT-404", "PR-1",
                     "armed", "destroyed_in_situ", "IT-1", "46.93", "40.03", "40.03,46.93", "\u0000", "'; DROP TABLE",
                     "POINT (46.9 40.0)"]),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-10**12, 10**12).map(str),
)


def valid_item(n: int) -> dict[str, object]:
    lon, lat = lonlat(5 * (n % 40), 5 * (n // 40))
    return {"code": f"P-{n}", "activity_code": "ACT-1", "progress_report_code": "PR-1", "category": "uxo",
            "model": "", "found_date": "2024-08-01", "quantity": "1", "depth_cm": "3", "condition": "unknown",
            "disposal": "destroyed_in_situ", "longitude": lon, "latitude": lat}


@st.composite
def item_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    count = draw(st.integers(1, 6))
    rows = []
    for n in range(count):
        row = valid_item(draw(st.integers(0, 500)))
        for column in draw(st.lists(st.sampled_from(ITEM_COLUMNS), max_size=4, unique=True)):
            row[column] = draw(noise)
        rows.append(row)
    return rows


@pytest.fixture
def prepared(sqlite_register_url, tmp_path):
    from demine.services.register import open_register

    register = open_register(sqlite_register_url)
    rows = rows_of_programme()
    for kind in ("organisations", "teams", "hazards", "activities", "progress"):
        import_file(register, kind, write_csv(tmp_path / f"{kind}.csv", rows[kind]), actor="test")
    yield register
    register.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=item_rows())
def test_malformed_rows_never_crash_and_never_half_write(prepared, tmp_path, rows):
    path = tmp_path / f"items-{next(_files)}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=ITEM_COLUMNS)
        writer.writeheader()
        writer.writerows([{k: str(v).replace("\u0000", "") for k, v in r.items()} for r in rows])
    before = table_counts(prepared)
    try:
        result = import_file(prepared, "items", path, actor="test")
    except ValidationFailed as failure:
        assert failure.issues, "a rejection names at least one issue"
        assert all(i.file == path.name for i in failure.issues)
        assert table_counts(prepared) == before
        return
    after = table_counts(prepared)
    assert result.created + result.updated + result.unchanged == len(rows)
    assert after["items_found"] == before["items_found"] + result.created


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_are_rejected_cleanly(prepared, tmp_path, content):
    path = tmp_path / f"garbage-{next(_files)}.csv"
    path.write_bytes(content)
    before = table_counts(prepared)
    try:
        import_file(prepared, "organisations", path, actor="test")
    except ValidationFailed:
        pass
    else:  # a few byte strings are a valid (tiny) organisations file: then it must really be stored
        assert table_counts(prepared)["organisations"] >= before["organisations"]
        return
    assert table_counts(prepared) == before
