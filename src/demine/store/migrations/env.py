"""Alembic environment: runs on the connection that demine.store.migrate hands over (both backends)."""

from __future__ import annotations

from alembic import context

from demine.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` on the command line takes this path
    from demine.store.engine import create_engine_for

    url = context.config.get_main_option("sqlalchemy.url") or "demine.db"
    connection = create_engine_for(url).connect()

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    user_module_prefix="demine.store.geometry.",
)
with context.begin_transaction():
    context.run_migrations()
