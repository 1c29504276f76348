"""Each kind of bad input is rejected with a message naming file, row, field and reason, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from demine.errors import ValidationFailed
from demine.services.imports import import_file
from helpers import table_counts
from register_files import lonlat, rows_of_programme, write_csv

BEFORE_ITEMS = ["organisations", "teams", "hazards", "activities", "progress"]


def load(register, tmp_path: Path, kinds: list[str]) -> None:
    rows = rows_of_programme()
    for kind in kinds:
        import_file(register, kind, write_csv(tmp_path / f"good-{kind}.csv", rows[kind]), actor="officer")


def edited(kind: str, row: int, **changes: object) -> list[dict[str, object]]:
    rows = [dict(r) for r in rows_of_programme()[kind]]
    rows[row].update(changes)
    return rows


def swap(kind: str, row: int) -> list[dict[str, object]]:
    rows = [dict(r) for r in rows_of_programme()[kind]]
    rows[row]["longitude"], rows[row]["latitude"] = rows[row]["latitude"], rows[row]["longitude"]
    return rows


def self_intersecting() -> str:
    a, b, c, d = lonlat(0, 0), lonlat(100, 100), lonlat(100, 0), lonlat(0, 100)
    return f"POLYGON (({a[0]} {a[1]}, {b[0]} {b[1]}, {c[0]} {c[1]}, {d[0]} {d[1]}, {a[0]} {a[1]}))"


# (kind, rows, prerequisite kinds, expected row, field, words of the reason)
CASES = {
    "unknown-category": ("items", edited("items", 1, category="landmine"), BEFORE_ITEMS, 3, "category",
                         "unknown value 'landmine'"),
    "unknown-model": ("items", edited("items", 0, model="PMN2"), BEFORE_ITEMS, 2, "model", "did you mean PMN-2"),
    "model-of-other-category": ("items", edited("items", 0, model="TM-62M"), BEFORE_ITEMS, 2, "model",
                                "TM-62M is a at_mine, not a ap_mine"),
    "future-date": ("items", edited("items", 2, found_date="2099-01-01"), BEFORE_ITEMS, 4, "found_date",
                    "in the future"),
    "not-a-date": ("items", edited("items", 0, found_date="01/08/2024"), BEFORE_ITEMS, 2, "found_date",
                   "not a date in the form YYYY-MM-DD"),
    "duplicate-identifier": ("items", edited("items", 2, code="IT-1"), BEFORE_ITEMS, 4, "code",
                             "duplicate identifier 'IT-1' (first on row 2)"),
    "swapped-coordinates": ("items", swap("items", 1), BEFORE_ITEMS, 3, "longitude/latitude",
                            "latitude and longitude appear swapped"),
    "outside-country": ("items", edited("items", 0, longitude=2.35, latitude=48.85), BEFORE_ITEMS, 2,
                        "longitude/latitude", "lies outside AZE"),
    "not-a-number": ("items", edited("items", 0, depth_cm="deep"), BEFORE_ITEMS, 2, "depth_cm",
                     "'deep' is not a number"),
    "unknown-activity": ("items", edited("items", 1, activity_code="ACT-404"), BEFORE_ITEMS, 3, "activity_code",
                         "no activity with code 'ACT-404'"),
    "missing-required": ("items", edited("items", 0, category=""), BEFORE_ITEMS, 2, "category",
                         "a value is required"),
    "self-intersection": ("hazards", edited("hazards", 1, wkt=self_intersecting()), ["organisations"], 3, "wkt",
                          "invalid geometry: Self-intersection"),
    "ambiguous-number": ("progress", edited("progress", 0, area_worked_m2="453,900"),
                         ["organisations", "teams", "hazards", "activities"], 2, "area_worked_m2",
                         "ambiguous number '453,900'"),
    "week-in-hectares": ("progress", edited("progress", 0, area_worked_m2="4539000000"),
                         ["organisations", "teams", "hazards", "activities"], 2, "area_worked_m2",
                         "more than 10 manual unit(s) could work"),
    "declared-hectares": ("outputs", edited("outputs", 0, declared_area_m2="0.25"), BEFORE_ITEMS, 2,
                          "declared_area_m2", "looks like hectares"),
    "end-before-start": ("activities", edited("activities", 0, end_date="2024-06-01", status="completed"),
                         ["organisations", "teams", "hazards"], 2, "end_date", "is before start date"),
    "unknown-vocabulary": ("hazards", edited("hazards", 0, hazard_class="suspected"), ["organisations"], 2,
                           "hazard_class", "use one of: sha, cha"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_value_rejects_whole_file(register, tmp_path, case):
    kind, rows, prerequisites, row, field, words = CASES[case]
    load(register, tmp_path, prerequisites)
    before = table_counts(register)
    path = write_csv(tmp_path / f"{kind}.csv", rows)
    with pytest.raises(ValidationFailed) as failure:
        import_file(register, kind, path, actor="officer")
    errors = [i for i in failure.value.issues if i.severity == "error"]
    assert any(i.file == path.name and i.row == row and i.field == field and words in i.reason for i in errors), \
        [str(i) for i in errors]
    assert f"{path.name}, row {row}, field '{field}'" in str(failure.value)
    assert table_counts(register) == before


def test_output_larger_than_its_hazard(register, tmp_path):
    load(register, tmp_path, BEFORE_ITEMS)
    # HA-1 is a 200 m square; an output of 300 m on a side cannot come out of it.
    from register_files import square_wkt

    rows = edited("outputs", 1, wkt=square_wkt(0, 0, 300))
    before = table_counts(register)
    with pytest.raises(ValidationFailed) as failure:
        import_file(register, "outputs", write_csv(tmp_path / "outputs.csv", rows), actor="officer")
    assert "row 3, field 'wkt': the output (9.0" in str(failure.value)
    assert "is larger than its hazard area (4.0" in str(failure.value)
    assert table_counts(register) == before


def test_missing_column_names_the_column(register, tmp_path):
    rows = [{k: v for k, v in r.items() if k != "organisation_type"} for r in rows_of_programme()["organisations"]]
    with pytest.raises(ValidationFailed, match=r"organisations.csv, row 1, field 'organisation_type': missing column"):
        import_file(register, "organisations", write_csv(tmp_path / "organisations.csv", rows), actor="officer")


def test_ragged_csv_is_a_clear_error(register, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text("code,name,organisation_type\nA,Agency,ngo\nB,Other,ngo,extra\n")
    before = table_counts(register)
    with pytest.raises(ValidationFailed, match=r"organisations.csv.*malformed CSV"):
        import_file(register, "organisations", path, actor="officer")
    assert table_counts(register) == before


def test_not_utf8_is_a_clear_error(register, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes("code,name,organisation_type\nA,Ağdam ofisi,ngo\n".encode("cp1254"))
    with pytest.raises(ValidationFailed, match="not UTF-8"):
        import_file(register, "organisations", path, actor="officer")


def test_every_error_of_a_file_is_reported_at_once(register, tmp_path):
    load(register, tmp_path, BEFORE_ITEMS)
    rows = edited("items", 0, category="landmine")
    rows[1]["found_date"] = "2099-01-01"
    rows[2]["model"] = "XYZ"
    with pytest.raises(ValidationFailed) as failure:
        import_file(register, "items", write_csv(tmp_path / "items.csv", rows), actor="officer")
    assert sorted(i.row for i in failure.value.issues if i.severity == "error") == [2, 3, 4]


def test_productivity_beyond_the_team_is_stored_flagged(register, tmp_path):
    """Above the usual ceiling but not a unit error: stored, with a flag for review."""
    load(register, tmp_path, ["organisations", "teams", "hazards", "activities"])
    rows = edited("progress", 0, area_worked_m2="12000")  # 10 deminers, 6 days: 200 m² each a day
    result = import_file(register, "progress", write_csv(tmp_path / "progress.csv", rows), actor="officer")
    assert result.created == 1
    assert [w.field for w in result.warnings] == ["area_worked_m2"]
    from demine.services.queries import show_record

    assert "more than 10 manual unit(s)" in show_record(register, "progress", "PR-1")["quality_flags"]


def test_hectares_typed_where_square_metres_are_asked_is_flagged(register, tmp_path):
    """2,500 m² typed as 0.25 (hectares): far below what 10 deminers work in 6 days; stored, flagged for review."""
    load(register, tmp_path, ["organisations", "teams", "hazards", "activities"])
    path = write_csv(tmp_path / "progress.csv", edited("progress", 0, area_worked_m2="0.25"))
    result = import_file(register, "progress", path, actor="officer")
    assert [(w.row, w.field, w.severity) for w in result.warnings] == [(2, "area_worked_m2", "warning")]
    assert "hectares typed where m² are asked?" in result.warnings[0].reason


def test_reference_points_tens_of_metres_apart_are_distinct(register, tmp_path):
    load(register, tmp_path, ["organisations"])
    ref = lonlat(0, 0)
    near = lonlat(20, 0)  # 20 m east: distinct, though equal to 4 decimal places of a degree
    rows = edited("records", 0, reference1_x=ref[0], reference1_y=ref[1], reference2_x=near[0], reference2_y=near[1])
    assert import_file(register, "records", write_csv(tmp_path / "records.csv", rows), actor="officer").created == 1
    same = edited("records", 0, code="MR-2", reference2_x=rows[0]["reference1_x"], reference2_y=rows[0]["reference1_y"])
    with pytest.raises(ValidationFailed, match="the two reference points are the same point"):
        import_file(register, "records", write_csv(tmp_path / "records2.csv", same), actor="officer")
