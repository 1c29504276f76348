"""Fixtures of the report tests: the golden week loaded into a register on each backend."""

from __future__ import annotations

import pytest

from report_week_files import load_files, write_week


@pytest.fixture
def golden_register(register, tmp_path):  # type: ignore[no-untyped-def]
    """The register (both backends) holding the week of 29 July - 4 August 2024 of report_week_files.py."""
    load_files(register, write_week(tmp_path / "week"))
    return register
