"""The command line as a user runs it: a real process, real files, stable exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

from dataclasses import dataclass

import pyogrio
import pytest

from demine.cli import run

from register_files import rows_of_programme, write_csv


def demine(db: str, *args: str, user: str = "officer") -> subprocess.CompletedProcess[str]:
    """A real `demine` process: slow to start (pandas, GDAL), so only the tests of process behaviour use it."""
    env = dict(os.environ, DEMINE_USER=user)
    return subprocess.run([sys.executable, "-m", "demine.cli", "--db", db, *args], capture_output=True, text=True,
                          env=env, timeout=120)


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """The same commands in this process: what is printed and the exit code, as a user would see them."""
    def invoke(db: str, *args: str, user: str = "officer") -> Outcome:
        monkeypatch.setenv("DEMINE_USER", user)
        capsys.readouterr()
        code = run(["--db", db, *args])
        out = capsys.readouterr()
        return Outcome(code, out.out, out.err)

    return invoke


@pytest.fixture
def db(register_url: str) -> str:
    return register_url


def test_init_creates_the_register_with_the_gazetteer(tmp_path):
    db = str(tmp_path / "new.db")
    first = demine(db, "init")
    assert first.returncode == 0, first.stderr
    assert "Gazetteer: 79 areas created" in first.stdout
    again = demine(db, "init")
    assert again.returncode == 0 and "up to date" in again.stdout and "Gazetteer" not in again.stdout


def test_commands_refuse_an_uninitialised_register(cli, tmp_path):
    result = cli(str(tmp_path / "none.db"), "list", "hazards")
    assert result.returncode == 1
    assert "run `demine init` first" in result.stderr


def test_unknown_location_lists_accepted_forms(tmp_path):
    result = demine("mysql://host/db", "list", "hazards")
    assert result.returncode == 3
    assert "postgresql://" in result.stderr


def test_import_list_show_status_history_export(cli, db, programme_files, tmp_path):
    demine = cli
    for kind, path in programme_files.items():
        result = demine(db, "import", kind, str(path))
        assert result.returncode == 0, result.stderr
        assert "created" in result.stdout
    again = demine(db, "import", "items", str(programme_files["items"]))
    assert "nothing changed" in again.stdout

    listing = demine(db, "list", "hazards")
    assert "HA-1" in listing.stdout and "HA-2" in listing.stdout and "2 of 2" in listing.stdout
    shown = demine(db, "show", "hazards", "HA-1")
    assert "Field north" in shown.stdout and "Aghdam" in shown.stdout

    changed = demine(db, "status", "HA-1", "--work-status", "worked_on", "--reason", "clearance started",
                     "--date", "2024-07-01", user="planner")
    assert changed.returncode == 0, changed.stderr
    assert "work_status open -> worked_on" in changed.stdout
    refused = demine(db, "status", "HA-1", "--class", "sha", "--reason", "downgrade")
    assert refused.returncode == 5 and "cannot become sha" in refused.stderr
    history = demine(db, "history", "HA-1")
    assert "imported from hazards.csv" in history.stdout
    assert "planner" in history.stdout and "open -> worked_on" in history.stdout and "clearance started" in history.stdout

    out = tmp_path / "register.gpkg"
    exported = demine(db, "export", "gpkg", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "hazards" in [name for name, _ in pyogrio.list_layers(out)]


def test_rejected_import_exits_2_and_names_file_row_field(db, tmp_path):
    """In a real process: the exit code a script sees."""
    rows = rows_of_programme()["organisations"]
    rows[1] = dict(rows[1], organisation_type="company")
    path = write_csv(tmp_path / "organisations.csv", rows)
    result = demine(db, "import", "organisations", str(path))
    assert result.returncode == 2
    assert "organisations.csv, row 3, field 'organisation_type': unknown value 'company'" in result.stderr
    assert "nothing was written" in result.stderr
    assert "0 of 0" in demine(db, "list", "organisations").stdout


def test_help_lists_every_command(cli):
    result = cli("demine.db", "--help")
    assert result.returncode == 0
    for command in ("init", "import", "export", "list", "show", "status", "history", "serve"):
        assert command in result.stdout
