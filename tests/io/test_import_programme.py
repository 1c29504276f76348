"""Good files of every kind import on both backends, and importing them again changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from demine.services.imports import import_file
from demine.services.queries import show_record
from demine.store.tables.core import audit_log
from helpers import table_counts

EXPECTED = {"organisations": 2, "teams": 1, "hazard_areas": 2, "activities": 1, "progress_reports": 1,
            "land_release_outputs": 2, "items_found": 3, "minefield_records": 1, "minefield_record_rows": 2,
            "incidents": 1, "victims": 1, "eore_sessions": 1, "survivor_assistance": 1, "development_projects": 1}


def test_every_kind_imports_and_reimport_changes_nothing(register, programme_files):
    for kind, path in programme_files.items():
        result = import_file(register, kind, path, actor="officer")
        assert result.created == result.rows and result.warnings == [], (kind, result.warnings)
    counts = table_counts(register)
    assert {k: counts[k] for k in EXPECTED} == EXPECTED
    for kind, path in programme_files.items():
        result = import_file(register, kind, path, actor="officer")
        assert (result.created, result.updated, result.unchanged) == (0, 0, result.rows), kind
        assert result.batch_id is None
    assert table_counts(register) == counts


def test_stored_values_round_trip(register, programme_files):
    for kind, path in programme_files.items():
        import_file(register, kind, path, actor="officer")
    hazard = show_record(register, "hazards", "HA-1")
    assert hazard["hazard_class"] == "cha"
    assert hazard["reported_date"] == dt.date(2021, 2, 1)
    assert hazard["suspected_categories"] == "ap_mine,at_mine"
    assert hazard["reporting_organisation_code"] == "ANAMA"
    assert hazard["admin_area"] == "Aghdam"
    # A 200 m square (drawn with approximate degrees per metre): the measured area is within 2% of 4 ha.
    assert hazard["area_m2"] == pytest.approx(40_000, rel=0.02)
    item = show_record(register, "items", "IT-3")
    assert (item["category"], item["model"], item["activity_code"]) == ("at_mine", "TM-62M", "ACT-1")
    assert item["wkt"].startswith("POINT (46.92")
    victim = show_record(register, "victims", "V-1")
    assert victim["age_group"] == "adult"  # derived from the age
    row = show_record(register, "record-rows", "MR-1-A")
    assert row["wkt"].startswith("LINESTRING")


def test_changed_row_is_updated_and_audited(register, programme_files, tmp_path):
    for kind, path in programme_files.items():
        import_file(register, kind, path, actor="officer")
    text = programme_files["hazards"].read_text().replace("Field north", "Field north (resurveyed)")
    changed = tmp_path / "hazards-v2.csv"
    changed.write_text(text)
    result = import_file(register, "hazards", changed, actor="analyst")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert show_record(register, "hazards", "HA-1")["name"] == "Field north (resurveyed)"
    with register.reading() as connection:
        entry = connection.execute(select(audit_log).where(audit_log.c.record_code == "HA-1")).mappings().one()
    assert entry["actor"] == "analyst" and entry["action"] == "update"
    assert '"Field north"' in entry["before"] and "resurveyed" in entry["after"]
