"""Documentation generated from the code stays current: every format and every command is documented."""

from __future__ import annotations

from pathlib import Path

from demine.io.format_docs import render as render_formats
from demine.io.formats import FORMATS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_import_formats_doc_is_current():
    assert (DOCS / "import-formats.md").read_text() == render_formats(), "run: demine formats > docs/import-formats.md"


def test_every_kind_and_field_is_documented():
    text = (DOCS / "import-formats.md").read_text()
    for kind, fmt in FORMATS.items():
        assert f"## `{kind}`" in text
        for field in fmt.fields:
            assert f"| `{field.name}` |" in text


def test_cli_reference_names_every_command():
    from demine.cli import cli

    text = (DOCS / "cli.md").read_text()
    for name in cli.commands:
        assert f"## demine {name}" in text, "run: python -m demine.cli_docs > docs/cli.md"
