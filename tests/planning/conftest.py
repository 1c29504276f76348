"""Fixtures of the planning tests: the hand-built planning programme loaded into a register.

Most planning tests need the register only as input, so they run on SQLite; test_inputs.py reads the same programme
on both backends and checks that the planner sees the same tables.
"""

from __future__ import annotations

import datetime as dt

import pytest

from plan_programme import write_planning_programme

AS_OF = dt.date(2024, 9, 1)


def load_programme(register, folder):  # type: ignore[no-untyped-def]
    from demine.services.imports import import_file

    for kind, path in write_planning_programme(folder).items():
        import_file(register, kind, path, actor="test")
    return register


@pytest.fixture
def planning_register(sqlite_register_url, tmp_path):  # type: ignore[no-untyped-def]
    from demine.services.register import open_register

    return load_programme(open_register(sqlite_register_url), tmp_path / "programme")


@pytest.fixture
def planning_inputs(planning_register):  # type: ignore[no-untyped-def]
    from demine.planning.inputs import load_planning_inputs

    with planning_register.reading() as connection:
        return load_planning_inputs(connection, as_of=AS_OF)
