"""Commands of the register: create it, import, export, list, show, change status, history, retire, attach."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.table import Table

from demine.cli import KINDS, MAX_ISSUES_SHOWN, Context, cell, cli, console, errors, shipped_gazetteer
from demine.errors import ValidationFailed
from demine.io.formats import FORMATS


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # A bar over the rows written; until then (reading, validating) the stage name with an indeterminate bar.
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as bar:
        task = bar.add_task(f"{file.name}: reading", total=None)
        result = import_file(obj.register, kind, file, crs=crs, actor=obj.settings.user, columns=columns,
                             progress=lambda stage: bar.update(task, description=f"{file.name}: {stage}"),
                             rows_written=lambda done, total: bar.update(task, completed=done, total=total))
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
        table.add_row(*[cell(row[c]) for c in columns])
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
        table.add_row(name, cell(value, width=200))
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
    """Attach a document to a record (such as the scanned original of a minefield record)."""
    from demine.services.records_admin import attach as attach_document

    digest = attach_document(obj.register, kind, code, document, actor=obj.settings.user)
    console.print(f"{document.name} attached to {code} (sha256 {digest[:12]}).")



@cli.command()
def formats() -> None:
    """Print the import formats (columns, types, rules) as Markdown."""
    from demine.io.format_docs import render

    click.echo(render(), nl=False)
