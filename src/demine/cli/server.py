"""`demine serve`: the API and the web application."""

from __future__ import annotations

import click

from demine.cli import Context, cli


@cli.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.pass_obj
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Serve the API and the web application."""
    import uvicorn

    from demine.api.app import create_app

    settings = obj.settings.model_copy(update={k: v for k, v in (("host", host), ("port", port)) if v is not None})
    obj.register  # refuse to serve a register that is not initialised
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
