"""`demine catalogue`: the ordnance models items found and incidents name."""

from __future__ import annotations

import click
from rich.table import Table

from demine.cli import Context, cell, cli, console
from demine.domain.vocabulary import EOCategory


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
        table.add_row(model["code"], model["category"], model["description"], cell(model["charge_g"]))
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
