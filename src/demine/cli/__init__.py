"""The `demine` command line: parses, calls a service, prints. No rule of the domain lives here.

Exit codes are stable: 0 ok, 1 other error, 2 invalid input (nothing written), 3 configuration, 4 not found,
5 status change refused.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click
from rich.console import Console

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


def cell(value: object, width: int = 40) -> str:
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


# The commands live in modules by concept; importing them registers them on `cli`. Every module of this package is
# imported, so a new concept (risk, plan, ...) only adds its own file.
def _load_command_modules() -> None:
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if module.name != "__main__":
            importlib.import_module(f"{__name__}.{module.name}")


_load_command_modules()
from demine.cli import users  # noqa: E402

cli.add_command(users.users)
