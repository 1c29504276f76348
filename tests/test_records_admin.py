"""Records are retired, never deleted; documents attach to records and come back byte for byte."""

from __future__ import annotations

import hashlib

import pytest

from demine.errors import DemineError
from demine.services.imports import import_file
from demine.services.queries import history, list_records, show_record
from demine.services.records_admin import attach, attachment_content, retire
from helpers import table_counts


def test_retired_record_leaves_listing_but_stays_stored(register, programme_files):
    import_file(register, "organisations", programme_files["organisations"], actor="officer")
    before = table_counts(register)
    retire(register, "organisations", "OP1", actor="officer", reason="accreditation withdrawn")
    assert table_counts(register)["organisations"] == before["organisations"]
    _, rows, total = list_records(register, "organisations")
    assert total == 1 and [r["code"] for r in rows] == ["ANAMA"]
    assert show_record(register, "organisations", "OP1")["retired_reason"] == "accreditation withdrawn"
    assert [e.action for e in history(register, "OP1")] == ["created", "retire"]
    with pytest.raises(DemineError, match="already retired"):
        retire(register, "organisations", "OP1", actor="officer", reason="again")


def test_scanned_record_is_attached_once(register, programme_files, tmp_path):
    for kind in ("organisations", "records"):
        import_file(register, kind, programme_files[kind], actor="officer")
    scan = tmp_path / "form-12.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned minefield record form 12")
    digest = attach(register, "records", "MR-1", scan, actor="officer")
    assert digest == hashlib.sha256(scan.read_bytes()).hexdigest()
    attach(register, "records", "MR-1", scan, actor="officer")
    assert table_counts(register)["attachments"] == 1
    assert attachment_content(register, "records", "MR-1", digest) == ("form-12.pdf", scan.read_bytes())


def test_a_model_added_to_the_catalogue_can_be_imported(register, programme_files, tmp_path):
    from demine.services.catalogue import add_model, list_models
    from demine.errors import ValidationFailed
    from register_files import rows_of_programme, write_csv

    for kind in ("organisations", "teams", "hazards", "activities", "progress"):
        import_file(register, kind, programme_files[kind], actor="officer")
    rows = [dict(r) for r in rows_of_programme()["items"]]
    rows[0]["model"] = "pmn-3"
    path = write_csv(tmp_path / "items.csv", rows)
    with pytest.raises(ValidationFailed, match="unknown ordnance model 'pmn-3'"):
        import_file(register, "items", path, actor="officer")
    add_model(register, "pmn-3", category="ap_mine", description="Blast AP mine", actor="officer")
    assert "PMN-3" in [m["code"] for m in list_models(register)]
    assert import_file(register, "items", path, actor="officer").created == 3
    with pytest.raises(DemineError, match="already in the catalogue"):
        add_model(register, "PMN-3", category="ap_mine", description="again", actor="officer")
