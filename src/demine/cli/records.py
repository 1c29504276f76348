"""`demine records`: how far each supplied minefield record can be trusted."""

from __future__ import annotations

import os

import click
from rich.table import Table

from demine.cli import Context, cli, console


@cli.group()
def records() -> None:
    """Minefield records: how far each supplied record can be trusted, measured from the clearance results."""



@records.command("verify")
@click.option("--tolerance", default=10.0, show_default=True, help="Metres within which a recorded mine is found.")
@click.option("--buffer", "buffer_m", default=100.0, show_default=True,
              help="Metres around a perimeter within which found mines count as near the record.")
@click.option("--workers", type=click.IntRange(min=1), default=None, show_default="the cores this process may use",
              help="Processes that judge the records (the same results, sooner).")
@click.pass_obj
def records_verify(obj: Context, tolerance: float, buffer_m: float, workers: int | None) -> None:
    """Compare every record with the mines found and the land released; store a class per record and the figures."""
    from rich.progress import Progress

    from demine.services.records_verification import run_verification

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("verifying records", total=None)
        run = run_verification(obj.register, actor=obj.settings.user, tolerance_m=tolerance, buffer_m=buffer_m,
                               progress=lambda done, total: bar.update(task, completed=done, total=total),
                               workers=workers or _usable_cores())
    table = Table(title=f"Minefield records verified ({len(run.results):,})")
    for column in ("class", "records"):
        table.add_column(column)
    for name, count in run.figures.by_class.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    figures = Table(title="Figures")
    for column in ("area", "records", "verifiable", "accurate share", "mines found outside", "incidents outside"):
        figures.add_column(column)
    for area in [run.figures.national, *run.figures.districts]:
        figures.add_row(area.name, f"{area.records:,}", f"{area.verifiable:,}", _share(area.accurate_share),
                        f"{_share(area.mines_outside_share)} of {area.mines_found:,}",
                        f"{_share(area.incidents_outside_share)} of {area.mine_incidents:,}")
    console.print(figures)
    if run.figures.districts_without_records:
        console.print("Districts with no records at all: " + ", ".join(run.figures.districts_without_records))
    if run.figures.periods_without_records:
        periods = Table(title="Quarters in which a district's mines found and mine incidents all lay outside every "
                              "record")
        for column in ("district", "quarters", "mines found", "mine incidents"):
            periods.add_column(column)
        by_district: dict[str, list] = {}
        for p in run.figures.periods_without_records:
            by_district.setdefault(p.district, []).append(p)
        for district, rows in by_district.items():
            periods.add_row(district, ", ".join(p.period for p in rows), f"{sum(p.mines_found for p in rows):,}",
                            f"{sum(p.mine_incidents for p in rows):,}")
        console.print(periods)



def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _usable_cores() -> int:
    # The cores this process may run on (a container or taskset may allow fewer than the machine has): a national
    # run judges its records in that many processes, about twice as fast on two cores (docs/benchmarks.md).
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
