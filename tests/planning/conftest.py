"""Fixtures of the planning tests: the hand-built planning programme loaded into a register.

Most planning tests need the register only as input, so they run on SQLite; test_inputs.py reads the same programme
on both backends and checks that the planner sees the same tables.
"""

from __future__ import annotations

import shutil

import pytest

from plan_programme import AS_OF, load_programme  # noqa: F401  (tests import them from plan_programme)


@pytest.fixture(scope="session")
def planning_register_template(sqlite_register_template, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The programme loaded once per session into a copy of the SQLite register template."""
    from demine.services.register import open_register

    folder = tmp_path_factory.mktemp("planning")
    path = folder / "planning.db"
    shutil.copyfile(sqlite_register_template, path)
    register = open_register(str(path))
    load_programme(register, folder / "programme")
    register.close()
    return path


@pytest.fixture
def planning_register(planning_register_template, tmp_path):  # type: ignore[no-untyped-def]
    from demine.services.register import open_register

    path = tmp_path / "planning.db"
    shutil.copyfile(planning_register_template, path)
    return open_register(str(path))


@pytest.fixture
def planning_inputs(planning_register):  # type: ignore[no-untyped-def]
    from demine.planning.inputs import load_planning_inputs

    with planning_register.reading() as connection:
        return load_planning_inputs(connection, as_of=AS_OF)
