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


@plan.command("schedule")
@click.option("--criteria", "criteria_file", type=FILE, default=None, help="TOML criteria and weights.")
@click.option("--capacity", "capacity_file", type=FILE, default=None,
              help="TOML capacity file (productivity, seasons, methods, travel, extra teams); see docs/planning.md.")
@click.option("--risk", "risk_file", type=FILE, default=None, help="CSV of hazard_code,risk (0-1).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Plan with the data known at this date.")
@click.option("--years", type=float, default=5.0, show_default=True, help="Horizon of the plan.")
@click.option("--window-weeks", type=int, default=13, show_default=True, help="Weeks per CP-SAT window.")
@click.option("--seconds-per-window", type=float, default=2.0, show_default=True, help="CP-SAT time per window.")
@click.option("--add-teams", multiple=True, help="What-if: N:method or N:method@base (repeatable).")
@click.option("--out", type=FILE, default=None, help="Assignments (team, hazard, stage, dates) as .csv or .xlsx.")
@click.option("--gantt", type=FILE, default=None, help="Gantt chart of the teams (.png or .svg).")
@click.option("--map", "map_file", type=FILE, default=None, help="Map of hazards by planned release year (.png/.svg).")
@pass_context
def schedule_command(obj, criteria_file, capacity_file, risk_file, as_of, years, window_weeks,  # type: ignore[no-untyped-def]
                     seconds_per_window, add_teams, out, gantt, map_file) -> None:
    """Assign hazards to teams week by week (CP-SAT), compared with a greedy ranking on the same data."""
    from rich.table import Table

    from demine.cli import console
    from demine.planning import plan as planning
    from demine.planning.tables import write_table

    setup = planning.prepare(obj.register, criteria_file=criteria_file, capacity_file=capacity_file,
                             risk_file=risk_file, as_of=as_of.date() if as_of else None, extra_teams=add_teams)
    result = planning.schedule(setup, years=years, window_weeks=window_weeks, seconds_per_window=seconds_per_window)
    table = Table(title=f"{len(setup.hazards)} hazards, {len(setup.capacity.teams)} teams, {years:g} years "
                        f"from {result.problem.calendar.start}")
    comparison = result.comparison()
    for column in comparison.columns:
        table.add_column(column, justify="right" if column != "solver" else "left")
    for row in comparison.itertuples(index=False):
        table.add_row(*[f"{v:,}" if isinstance(v, (int, float)) else str(v) for v in row])
    console.print(table)
    console.print(f"Priority-weighted land released by the horizon: CP-SAT {result.gain():+.1%} against greedy.")
    stuck = result.unreachable()
    if len(stuck):
        console.print(f"[yellow]{len(stuck)} hazard(s) cannot be completed: no team may do a stage or none is within "
                      f"reach ({', '.join(f'{r.hazard} {r.stages}' for r in stuck.head(5).itertuples())}"
                      f"{', ...' if len(stuck) > 5 else ''}). See --capacity and --add-teams.")
    if out:
        write_table(planning.assignments(result.problem, result.optimised), out, sheet="schedule")
        console.print(f"Assignments written to {out}.")
    if gantt:
        from demine.planning.charts import gantt_chart

        gantt_chart(result.problem, result.optimised, gantt)
        console.print(f"Gantt chart written to {gantt}.")
    if map_file:
        from demine.planning.charts import release_map

        release_map(result.problem, result.optimised, setup.inputs, map_file)
        console.print(f"Map written to {map_file}.")


@plan.command("forecast")
@click.option("--criteria", "criteria_file", type=FILE, default=None, help="TOML criteria and weights.")
@click.option("--capacity", "capacity_file", type=FILE, default=None, help="TOML capacity file.")
@click.option("--risk", "risk_file", type=FILE, default=None, help="CSV of hazard_code,risk (0-1).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Forecast from the data known at this date.")
@click.option("--runs", type=int, default=50, show_default=True, help="Monte Carlo runs.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--add-teams", multiple=True, help="What-if: N:method or N:method@base (repeatable).")
@click.option("--add-projects", type=FILE, default=None,
              help="What-if: CSV of new projects (columns of the projects import format), not stored.")
@click.option("--out", type=FILE, default=None,
              help=".xlsx (sheets districts, projects, released) or .csv (districts and the nation).")
@click.option("--chart", type=FILE, default=None, help="Fan chart of land released (.png or .svg).")
@click.option("--order", type=click.Choice(["programme", "ranking"]), default="programme", show_default=True,
              help="Play the programme as the register shows it working (its order of hazards, each team on its own "
                   "stages and task in hand), or dispatch by the priority ranking.")
@pass_context
def forecast_command(obj, criteria_file, capacity_file, risk_file, as_of, runs, seed, add_teams,  # type: ignore[no-untyped-def]
                     add_projects, out, chart, order) -> None:
    """When the known task ends, per district, per project and nationally (P10-P90 over Monte Carlo runs)."""
    from rich.table import Table

    from demine.cli import console
    from demine.planning import plan as planning
    from demine.planning.forecast import forecast_completion
    from demine.planning.habits import learn_habits
    from demine.planning.tables import write_forecast

    setup = planning.prepare(obj.register, criteria_file=criteria_file, capacity_file=capacity_file,
                             risk_file=risk_file, as_of=as_of.date() if as_of else None, extra_teams=add_teams,
                             extra_projects=add_projects)
    label = "With the added teams" if add_teams else "At the current capacity"
    habits = learn_habits(setup.inputs, setup.hazards, setup.capacity) if order == "programme" else False
    result = forecast_completion(setup, runs=runs, seed=seed, capacity_label=label, habits=habits)
    console.print(f"{len(setup.hazards)} hazards to work, {len(setup.capacity.teams)} teams, {runs} runs from "
                  f"{result.as_of}.")
    if habits:
        console.print(f"Learned from the register: {habits.describe()}.")
    console.print(result.sentence())
    for title, frame in (("Districts", result.districts), ("Projects", result.projects)):
        table = Table(title=title)
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row])
        console.print(table)
    if out:
        write_forecast(result, out)
        console.print(f"Forecast written to {out}.")
    if chart:
        from demine.planning.charts import forecast_chart

        forecast_chart(result, chart)
        console.print(f"Chart written to {chart}.")
