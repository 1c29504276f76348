"""Fixtures of the import tests."""

from __future__ import annotations

import pytest

from demine.services.imports import import_file

# What items found refer to: imported first by the tests that import items.
PREREQUISITES = ["organisations", "teams", "hazards", "activities", "progress"]


@pytest.fixture
def loaded(register, programme_files):  # type: ignore[no-untyped-def]
    """A register holding the small test programme up to its progress reports, ready for items found."""
    for kind in PREREQUISITES:
        import_file(register, kind, programme_files[kind], actor="officer")
    return register
