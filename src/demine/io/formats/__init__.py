"""Every import format, by the KIND name the command line and the API use."""

from __future__ import annotations

from demine.errors import DemineError
from demine.io.formats.operations import ACTIVITIES, ITEMS, OUTPUTS, PROGRESS
from demine.io.formats.people import ASSISTANCE, EORE, INCIDENTS, VICTIMS
from demine.io.formats.records import RECORD_MINES, RECORD_ROWS, RECORDS
from demine.io.formats.register import GAZETTEER, HAZARDS, ORGANISATIONS, PROJECTS, TEAMS
from demine.io.spec import ImportFormat

# In dependency order: a kind may reference only kinds before it.
FORMATS: dict[str, ImportFormat] = {
    f.kind: f
    for f in (
        GAZETTEER,
        ORGANISATIONS,
        TEAMS,
        HAZARDS,
        ACTIVITIES,
        PROGRESS,
        OUTPUTS,
        ITEMS,
        RECORDS,
        RECORD_ROWS,
        RECORD_MINES,
        INCIDENTS,
        VICTIMS,
        EORE,
        ASSISTANCE,
        PROJECTS,
    )
}


def format_for(kind: str) -> ImportFormat:
    try:
        return FORMATS[kind]
    except KeyError:
        raise DemineError(f"Unknown kind {kind!r}; use one of: {', '.join(FORMATS)}.") from None


def format_for_table(table_name: str) -> ImportFormat:
    for f in FORMATS.values():
        if f.table.name == table_name:
            return f
    raise DemineError(f"No record kind is stored in table {table_name!r}.")
