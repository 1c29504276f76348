"""`demine report`: the weekly statement and the full report."""

from __future__ import annotations

from pathlib import Path

import click

from demine.analysis.indicators import REPORT_DUE_DAYS
from demine.cli import Context, cli, console, errors


@cli.group()
def report() -> None:
    """Operational reports: the weekly statement and the full report, from approved data only."""



def _period_options(function):  # type: ignore[no-untyped-def]
    dates = click.DateTime(["%Y-%m-%d"])
    for option in reversed([
        click.option("--from", "start", type=dates, default=None, help="First day of the period (YYYY-MM-DD)."),
        click.option("--to", "end", type=dates, default=None, help="Last day of the period (default: today)."),
        click.option("--period", "kind", type=click.Choice(["week", "month", "year"]), default=None,
                     help="Without --from: the week ending on --to, or the month or year holding it."),
        click.option("--since", type=dates, default=None, help="Same as --from: the period since DATE."),
        click.option("--lang", type=click.Choice(["en", "az", "ru"]), default="en", show_default=True,
                     help="Language of the statement."),
        click.option("--numbers", default=None, metavar="LOCALE",
                     help="Number format of another locale, e.g. az for 8.086 and 2.790,9 in an English text."),
    ]):
        function = option(function)
    return function



def _report_period(start, end, kind, since):  # type: ignore[no-untyped-def]
    from demine.analysis.period import resolve_period

    if start and since:
        raise click.UsageError("--from and --since say the same thing: give one.")
    first = start or since
    return resolve_period(start=first.date() if first else None, end=end.date() if end else None, kind=kind)



@report.command("weekly")
@_period_options
@click.pass_obj
def report_weekly(obj: Context, start, end, kind, since, lang: str, numbers: str | None) -> None:  # type: ignore[no-untyped-def]
    """Print the statement of a period in the agency's form, e.g. --from 2024-07-29 --to 2024-08-04."""
    from demine.services.reports import weekly_report

    result = weekly_report(obj.register, _report_period(start, end, kind, since), lang=lang, numbers=numbers)
    click.echo(result.statement.finds)
    click.echo(result.statement.land)
    pending = result.figures.pending
    if pending.reports:
        errors.print(f"{pending.reports} progress report(s) awaiting review are not counted "
                     f"({pending.items:,} items, {pending.land_m2 / 10_000:,.1f} ha).", highlight=False)



@report.command("full")
@_period_options
@click.option("--cumulative-from", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Start of the cumulative figures (e.g. 2020-11-10); none without it.")
@click.option("--format", "report_format", type=click.Choice(["md", "csv", "hxl", "xlsx", "html", "pdf"]),
              default="md", show_default=True, help="File format (hxl: HXL-tagged CSV of the district figures).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--reports-due-after", "due_days", type=click.IntRange(0, 60), default=REPORT_DUE_DAYS,
              show_default=True, metavar="DAYS", help="Days after its period by which a progress report is due; "
              "reports sent later are listed in the data quality section.")
@click.pass_obj
def report_full(obj: Context, start, end, kind, since, lang: str, numbers: str | None,  # type: ignore[no-untyped-def]
                cumulative_from, report_format: str, out: Path, due_days: int) -> None:
    """Write the full report: tables per district and operator, indicators, data quality, charts and map."""
    from demine.services.reports import full_report

    period = _report_period(start, end, kind, since)
    with console.status(f"Writing the {report_format} report for {period}"):
        result = full_report(obj.register, period, report_format=report_format, lang=lang, numbers=numbers,
                             since=cumulative_from.date() if cumulative_from else None, due_days=due_days)
    out.write_bytes(result.content)
    console.print(f"Report for {period} written to {out} ({len(result.content):,} bytes).", highlight=False)
