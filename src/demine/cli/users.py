"""`demine users ...`: accounts of the web application (registered on the main group by demine.cli)."""

from __future__ import annotations

import click

from demine.domain.roles import Role


@click.group()
def users() -> None:
    """People who sign in to the web application, and their roles."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", default=None, help="Organisation code (required for operators).")
@click.password_option(envvar="DEMINE_NEW_PASSWORD", help="Asked for when not given (never put it in history).")
@click.pass_obj
def add(obj, username: str, role: str, organisation: str | None, password: str) -> None:  # type: ignore[no-untyped-def]
    """Add a user who signs in with USERNAME and a password."""
    from demine.cli import console
    from demine.services.accounts import add_user

    user = add_user(obj.register, username, password, role=role, organisation=organisation,
                    actor=obj.settings.user)
    console.print(f"User {user.username} added as {user.role.value}"
                  + (f" of {user.organisation_code}." if user.organisation_code else "."))
