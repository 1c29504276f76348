"""`demine demo`: a generated scenario loaded through the importers."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from demine.cli import Context, cli, console, shipped_gazetteer


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
