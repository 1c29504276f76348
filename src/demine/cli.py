"""The `demine` command line: parses, calls a service, prints. No rule of the domain lives here.

Exit codes are stable: 0 ok, 1 other error, 2 invalid input (nothing written), 3 configuration, 4 not found,
5 status change refused.
"""

from __future__ import annotations

import datetime as dt
import sys
from importlib import resources
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from demine.domain.vocabulary import EOCategory
from demine.errors import DemineError, ValidationFailed
from demine.io.formats import FORMATS
from demine.settings import Settings

# Wide enough that codes and reasons are never cut when the output goes to a file or a pipe.
console = Console(width=160) if not sys.stdout.isatty() else Console()
errors = Console(stderr=True, width=200) if not sys.stderr.isatty() else Console(stderr=True)
KINDS = click.Choice(list(FORMATS))
MAX_ISSUES_SHOWN = 50


def shipped_gazetteer() -> Path:
    return Path(str(resources.files("demine.data") / "azerbaijan" / "districts.geojson"))


class Context:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._register = None

    @property
    def register(self):  # type: ignore[no-untyped-def]
        from demine.services.register import is_current, open_register

        if self._register is None:
            self._register = open_register(self.settings.database_url)
            if not is_current(self._register):
                raise DemineError(f"The register at {self.settings.database_url} is not initialised or is out of "
                                  "date: run `demine init` first.")
        return self._register


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "database_url", envvar="DEMINE_DATABASE_URL", default="demine.db", show_default=True,
              help="Database location: a file path (SQLite) or postgresql://user@host:port/dbname.")
@click.option("--user", envvar="DEMINE_USER", default=None, help="Name written to the audit log for this session.")
@click.version_option(package_name="demine")
@click.pass_context
def cli(ctx: click.Context, database_url: str, user: str | None) -> None:
    """Demine: the national register of mine action, its figures and its analysis."""
    overrides = {"database_url": database_url} | ({"user": user} if user else {})
    ctx.obj = Context(Settings(**overrides))


@cli.command()
@click.option("--gazetteer", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Boundaries to load instead of the shipped Azerbaijan districts.")
@click.option("--no-gazetteer", is_flag=True, help="Create the schema only.")
@click.pass_obj
def init(obj: Context, gazetteer: Path | None, no_gazetteer: bool) -> None:
    """Create or upgrade the register and load the district gazetteer if it has none."""
    from demine.services.imports import import_file
    from demine.services.register import has_gazetteer, initialise, open_register

    register = open_register(obj.settings.database_url)
    changed = initialise(register)
    console.print(f"Register at {obj.settings.database_url}: " + ("created or upgraded." if changed else "up to date."))
    if not no_gazetteer and (gazetteer or not has_gazetteer(register)):
        result = import_file(register, "gazetteer", gazetteer or shipped_gazetteer(), actor=obj.settings.user)
        console.print(f"Gazetteer: {result.created} areas created, {result.updated} updated, "
                      f"{result.unchanged} unchanged.")


@cli.command("import")
@click.argument("kind", type=KINDS)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--crs", default=None, help="CRS of the coordinates when not WGS84, e.g. EPSG:28408 (Pulkovo 1942 GK 8).")
@click.option("--column", "mapping", multiple=True, metavar="FILE_COLUMN=FIELD",
              help="Read a column of the file as a field of the format (repeatable), e.g. hazard_cl=hazard_class.")
@click.option("--check", is_flag=True, help="Only validate: list every error and warning, write nothing.")
@click.pass_obj
def import_command(obj: Context, kind: str, file: Path, crs: str | None, mapping: tuple[str, ...],
                   check: bool) -> None:
    """Import FILE (CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile, KML) as records of KIND.

    The whole file is validated first; any error rejects it and nothing is written. Importing the same file
    again changes nothing.
    """
    from demine.services.imports import import_file

    columns = {}
    for pair in mapping:
        if "=" not in pair:
            raise click.BadParameter(f"{pair!r} is not FILE_COLUMN=FIELD", param_hint="--column")
        source, target = pair.split("=", 1)
        columns[source] = target
    if check:
        from demine.services.imports import check_file

        issues = check_file(obj.register, kind, file, crs=crs, columns=columns)
        for issue in issues:
            errors.print(f"{issue.severity}: {issue}", highlight=False)
        failed = [i for i in issues if i.severity == "error"]
        console.print(f"{file.name}: {len(failed)} error(s), {len(issues) - len(failed)} warning(s); nothing written.")
        if failed:
            raise ValidationFailed(failed)
        return
    with console.status(f"Importing {file.name}") as status:
        result = import_file(obj.register, kind, file, crs=crs, actor=obj.settings.user, columns=columns,
                             progress=lambda message: status.update(f"{file.name}: {message}"))
    for warning in result.warnings[:MAX_ISSUES_SHOWN]:
        errors.print(f"[yellow]warning[/]: {warning}", highlight=False)
    if len(result.warnings) > MAX_ISSUES_SHOWN:
        errors.print(f"... and {len(result.warnings) - MAX_ISSUES_SHOWN} more warnings")
    summary = f"{result.file}: {result.rows:,} rows; {result.created:,} created, {result.updated:,} updated, " \
              f"{result.unchanged:,} unchanged"
    console.print(summary + ("" if result.changed_anything else " (nothing changed)"), highlight=False)


@cli.command("export")
@click.argument("export_format", type=click.Choice(["gpkg", "geojson", "csv"]))
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--kind", "kinds", multiple=True, type=KINDS, help="Export only these kinds (repeatable).")
@click.option("--include-personal-data", is_flag=True, help="Also export victims' personal data.")
@click.pass_obj
def export_command(obj: Context, export_format: str, out: Path, kinds: tuple[str, ...],
                   include_personal_data: bool) -> None:
    """Export the register to a GeoPackage (one layer per kind) or a folder of GeoJSON or CSV files."""
    from rich.progress import Progress

    from demine.services.exports import export

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("exporting", total=len(kinds) or len(FORMATS))
        counts = export(obj.register, out, export_format, kinds=kinds or None,
                        include_personal_data=include_personal_data,
                        progress=lambda kind, n: bar.update(task, advance=1, description=f"{kind}: {n:,}"))
    console.print(f"Exported {sum(counts.values()):,} records in {len(counts)} layers to {out}")


@cli.command("list")
@click.argument("kind", type=KINDS)
@click.option("--limit", default=50, show_default=True)
@click.option("--offset", default=0)
@click.option("--retired", is_flag=True, help="Include retired records.")
@click.pass_obj
def list_command(obj: Context, kind: str, limit: int, offset: int, retired: bool) -> None:
    """List records of KIND."""
    from demine.services.queries import list_records

    columns, rows, total = list_records(obj.register, kind, limit=limit, offset=offset, include_retired=retired)
    table = Table(title=f"{FORMATS[kind].title}: {len(rows)} of {total:,}")
    for column in columns:
        table.add_column(column, no_wrap=True, overflow="ellipsis", max_width=28)
    for row in rows:
        table.add_row(*[_cell(row[c]) for c in columns])
    console.print(table)


@cli.command()
@click.argument("kind", type=KINDS)
@click.argument("code")
@click.pass_obj
def show(obj: Context, kind: str, code: str) -> None:
    """Show one record of KIND with all its fields."""
    from demine.services.queries import show_record

    record = show_record(obj.register, kind, code)
    table = Table(show_header=False, title=f"{FORMATS[kind].title} {code}")
    for name, value in record.items():
        table.add_row(name, _cell(value, width=200))
    console.print(table)


@cli.command()
@click.argument("code")
@click.option("--class", "hazard_class", type=click.Choice(["sha", "cha"]), help="New land classification.")
@click.option("--work-status", type=click.Choice(["open", "worked_on", "closed"]), help="New work status.")
@click.option("--reason", required=True, help="Why the status changes (kept in the record's history).")
@click.option("--date", "effective", type=click.DateTime(["%Y-%m-%d"]), help="Date the change takes effect.")
@click.pass_obj
def status(obj: Context, code: str, hazard_class: str | None, work_status: str | None, reason: str,
           effective: dt.datetime | None) -> None:
    """Change a hazard area's classification or work status, with a reason."""
    from demine.services.hazard_status import set_status

    changes = set_status(obj.register, code, actor=obj.settings.user, reason=reason, hazard_class=hazard_class,
                         work_status=work_status, effective_date=effective.date() if effective else None)
    for change in changes:
        console.print(f"{code}: {change.field} {change.from_value} -> {change.to_value} "
                      f"(effective {change.effective_date.isoformat()})")


@cli.command()
@click.argument("code")
@click.option("--kind", type=KINDS, default=None, help="The record's kind, when several kinds use the code.")
@click.pass_obj
def history(obj: Context, code: str, kind: str | None) -> None:
    """The audit trail of one record: creation, changes, status changes."""
    from demine.services.queries import history as record_history

    table = Table(title=f"History of {code}")
    for column in ("when", "who", "what", "detail"):
        table.add_column(column, overflow="fold")
    for entry in record_history(obj.register, code, kind=kind):
        table.add_row(str(entry.at)[:19], entry.actor, entry.action, entry.detail)
    console.print(table)


@cli.command()
@click.option("--scale", type=click.Choice(["small", "national", "bench"]), default="national", show_default=True)
@click.option("--seed", default=1, show_default=True, help="Same seed, same scenario.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the scenario files and its truth (default: beside the database).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the register already holds hazards.")
@click.pass_obj
def demo(obj: Context, scale: str, seed: int, out: Path | None, if_empty: bool) -> None:
    """Generate a scenario programme with its ground truth and load it through the importers."""
    from demine.services.demo import load_demo, register_is_empty
    from demine.services.register import initialise, open_register

    register = open_register(obj.settings.database_url)
    initialise(register)
    if if_empty and not register_is_empty(register):
        console.print("The register already holds a programme; nothing to do.")
        return
    from demine.services.register import has_gazetteer
    from demine.services.imports import import_file

    if not has_gazetteer(register):
        import_file(register, "gazetteer", shipped_gazetteer(), actor=obj.settings.user)
    out = out or _beside_database(obj.settings.database_url, f"scenario-{scale}-{seed}")
    with console.status("Building the scenario") as status:
        result = load_demo(register, out, scale=scale, seed=seed, actor=obj.settings.user,
                           progress=lambda message: status.update(message))
    table = Table(title=f"Scenario {scale}, seed {seed}")
    for column in ("kind", "rows", "created", "unchanged"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for r in result.imports:
        table.add_row(r.kind, f"{r.rows:,}", f"{r.created:,}", f"{r.unchanged:,}")
    console.print(table)
    for name, issues in result.flagged.items():
        errors_found = sum(i.severity == "error" for i in issues)
        console.print(f"Deliberate entry errors in {name}: {errors_found} error(s) and {len(issues) - errors_found} "
                      "warning(s) found; the file was checked, not stored.")
    console.print(f"Files: {result.scenario_dir}; ground truth (for evaluation only): {result.truth_dir}")


def _beside_database(location: str, name: str) -> Path:
    from demine.store.engine import Backend, backend_of, sqlite_path

    if backend_of(location) is Backend.SQLITE:
        path = sqlite_path(location)
        return path.parent / f"{path.stem}.{name}"
    return Path(name)


@cli.command()
@click.argument("kind", type=KINDS)
@click.argument("code")
@click.option("--reason", required=True, help="Why the record leaves the live register.")
@click.pass_obj
def retire(obj: Context, kind: str, code: str, reason: str) -> None:
    """Retire a record: it leaves the live register and figures, and stays in the audit trail."""
    from demine.services.records_admin import retire as retire_record

    retire_record(obj.register, kind, code, actor=obj.settings.user, reason=reason)
    console.print(f"{code} retired.")


@cli.command()
@click.argument("kind", type=KINDS)
@click.argument("code")
@click.argument("document", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def attach(obj: Context, kind: str, code: str, document: Path) -> None:
    """Attach a document to a record, e.g. the scanned original of a minefield record."""
    from demine.services.records_admin import attach as attach_document

    digest = attach_document(obj.register, kind, code, document, actor=obj.settings.user)
    console.print(f"{document.name} attached to {code} (sha256 {digest[:12]}).")


@cli.group()
def catalogue() -> None:
    """The ordnance catalogue that items found and incidents name their models from."""


@catalogue.command("list")
@click.pass_obj
def catalogue_list(obj: Context) -> None:
    """List the models of the catalogue."""
    from demine.services.catalogue import list_models

    table = Table(title="Ordnance catalogue")
    for column in ("code", "category", "description", "charge_g"):
        table.add_column(column)
    for model in list_models(obj.register):
        table.add_row(model["code"], model["category"], model["description"], _cell(model["charge_g"]))
    console.print(table)


@catalogue.command("add")
@click.argument("code")
@click.option("--category", required=True, type=click.Choice([c for c in EOCategory]), help="EO category.")
@click.option("--description", required=True, help="What the model is.")
@click.option("--charge-g", type=float, default=None, help="Main charge in grams (TNT equivalent).")
@click.pass_obj
def catalogue_add(obj: Context, code: str, category: str, description: str, charge_g: float | None) -> None:
    """Add a model found in the field, so that records may name it."""
    from demine.services.catalogue import add_model

    add_model(obj.register, code, category=category, description=description, charge_g=charge_g,
              actor=obj.settings.user)
    console.print(f"{code.upper()} added to the catalogue.")


@cli.command()
def formats() -> None:
    """Print the import formats (columns, types, rules) as Markdown."""
    from demine.io.format_docs import render

    click.echo(render(), nl=False)


@cli.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the API (and, later, the web application)."""
    import uvicorn

    from demine.api.app import create_app

    settings = obj.settings.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v is not None})
    obj.register  # refuse to serve a register that is not initialised
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@cli.group()
def records() -> None:
    """Minefield records: how far each supplied record can be trusted, measured from the clearance results."""


@records.command("verify")
@click.option("--tolerance", default=10.0, show_default=True, help="Metres within which a recorded mine is found.")
@click.option("--buffer", "buffer_m", default=100.0, show_default=True,
              help="Metres around a perimeter within which found mines count as near the record.")
@click.pass_obj
def records_verify(obj: Context, tolerance: float, buffer_m: float) -> None:
    """Compare every record with the mines found and the land released; store a class per record and the figures."""
    from rich.progress import Progress

    from demine.services.records_verification import run_verification

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("verifying records", total=None)
        run = run_verification(obj.register, actor=obj.settings.user, tolerance_m=tolerance, buffer_m=buffer_m,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
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


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


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
@click.pass_obj
def report_full(obj: Context, start, end, kind, since, lang: str, numbers: str | None,  # type: ignore[no-untyped-def]
                cumulative_from, report_format: str, out: Path) -> None:
    """Write the full report: tables per district and operator, indicators, data quality, charts and map."""
    from demine.services.reports import full_report

    period = _report_period(start, end, kind, since)
    with console.status(f"Writing the {report_format} report for {period}"):
        result = full_report(obj.register, period, report_format=report_format, lang=lang, numbers=numbers,
                             since=cumulative_from.date() if cumulative_from else None)
    out.write_bytes(result.content)
    console.print(f"Report for {period} written to {out} ({len(result.content):,} bytes).", highlight=False)


def _register_groups() -> None:
    from demine.cli_users import users

    cli.add_command(users)


_register_groups()


def _cell(value: object, width: int = 40) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def run(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code (tests call this in-process; `main` is the console script)."""
    try:
        cli.main(args=argv, prog_name="demine", standalone_mode=False)
    except ValidationFailed as failure:
        issues = [i for i in failure.issues if i.severity == "error"]
        for issue in issues[:MAX_ISSUES_SHOWN]:
            errors.print(f"[red]error[/]: {issue}", highlight=False)
        if len(issues) > MAX_ISSUES_SHOWN:
            errors.print(f"... and {len(issues) - MAX_ISSUES_SHOWN} more errors")
        errors.print(f"Rejected: {len(issues)} error(s); nothing was written.")
        return failure.exit_code
    except DemineError as error:
        errors.print(f"[red]error[/]: {error.message}", highlight=False)
        return error.exit_code
    except click.exceptions.Abort:
        return 130
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
