"""`demine plan ...`: clearance planning (priorities, schedule, forecast); the work is in demine.planning."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from demine.cli import cell, cli, pass_context

FILE = click.Path(dir_okay=False, path_type=Path)


@cli.group()
def plan() -> None:
    """Clearance planning: what to clear first, who clears it, and when it will be done."""


def _inputs(obj, as_of: dt.datetime | None):  # type: ignore[no-untyped-def]
    from demine.planning.inputs import load_planning_inputs

    with obj.register.reading() as connection:
        return load_planning_inputs(connection, as_of=as_of.date() if as_of else None)


@plan.command("priorities")
@click.option("--criteria", "criteria_file", type=FILE, default=None,
              help="TOML file of criteria and weights (default: the shipped criteria, see docs/planning.md).")
@click.option("--risk", "risk_file", type=FILE, default=None, help="CSV of hazard_code,risk (0-1) from the risk model.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Plan with the data known at this date.")
@click.option("--out", type=FILE, default=None, help="Write the whole ranking to a .csv or .xlsx file.")
@click.option("--limit", type=int, default=20, show_default=True, help="Rows printed.")
@pass_context
def priorities(obj, criteria_file: Path | None, risk_file: Path | None, as_of: dt.datetime | None,  # type: ignore[no-untyped-def]
               out: Path | None, limit: int) -> None:
    """Rank the hazard areas still to be worked, each score explained by criterion."""
    from rich.table import Table

    from demine.cli import console
    from demine.planning.criteria import load_criteria
    from demine.planning.priorities import score_hazards
    from demine.planning.risk_estimates import read_risk_estimates
    from demine.planning.tables import write_table

    criteria = load_criteria(criteria_file)
    risk = read_risk_estimates(risk_file) if risk_file else None
    ranking = score_hazards(_inputs(obj, as_of), criteria, risk=risk)
    if out:
        write_table(ranking, out, sheet="priorities")
        console.print(f"{len(ranking)} hazard areas ranked; written to {out}.")
    table = Table(title=f"Priorities ({criteria.source})")
    for column in ("rank", "code", "district", "hazard_type", "remaining ha", "score", "explanation"):
        table.add_column(column, overflow="fold")
    for row in ranking.head(limit).itertuples():
        table.add_row(str(row.rank), row.code, row.district, row.hazard_type, f"{row.remaining_m2 / 1e4:,.1f}",
                      f"{row.score:.1f}", cell(row.explanation, 90))
    console.print(table)
