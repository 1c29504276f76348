"""The small scenario goes through the real importers on both backends: every clean file is accepted whole, and
validation flags every deliberate error at its row and field (checked only: nothing of the error files is stored)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from demine.services.imports import check_file, import_file
from demine.simulate import generate_scenario


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    return generate_scenario(tmp_path_factory.mktemp("small-import"), scale="small", seed=1)


def _fields(text: str | None) -> set[str]:
    # The manifest names "longitude,latitude"; the validator may report "longitude/latitude" or either one.
    return set(re.split(r"[,/ ]+", text or "")) - {""}


def test_scenario_imports_cleanly_and_errors_are_flagged(small, register) -> None:
    for kind, path in small.files.items():
        result = import_file(register, kind, path, actor="scenario-test")  # raises ValidationFailed if rejected
        assert result.created == small.counts[kind], kind
        assert result.rows == small.counts[kind], kind
        if kind == "records":  # reference points lie on their record (they were once written as lon, lon)
            assert not [w for w in result.warnings if w.field == "reference1_x"]
    listed = json.loads(small.errors_manifest.read_text())
    assert {e["error"] for e in listed} == {"hectares_for_m2", "thousands_separator", "swapped_coordinates"}
    issues = {}
    for file in sorted({e["file"] for e in listed}):
        issues[file] = check_file(register, Path(file).stem, small.out_dir / file)
    missed = [e for e in listed
              if not any(i.row == e["row"] and _fields(i.field) & _fields(e["field"]) for i in issues[e["file"]])]
    assert not missed, missed
