"""Small helpers the tests share: counting what the register holds."""

from __future__ import annotations

from sqlalchemy import func, select

from demine.store.tables import metadata


def table_counts(register) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows in every table, so a test can prove that a rejected import wrote nothing at all."""
    with register.reading() as connection:
        return {name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in metadata.tables.items()}
