"""Open the register at a location, create or upgrade its schema, and seed what every programme needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, insert, select

from demine.domain.ordnance import SEED_CATALOGUE
from demine.store.engine import WRITER_OPTION, Backend, backend_of, create_engine_for
from demine.store.migrate import current_revision, head_revision, upgrade
from demine.store.tables.core import admin_areas, ordnance_models


@dataclass
class Register:
    location: str
    engine: Engine

    @property
    def backend(self) -> Backend:
        return backend_of(self.location)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on any error."""
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITER_OPTION: True})
            with connection.begin():
                yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            yield connection


def open_register(location: str) -> Register:
    return Register(location, create_engine_for(location))


def initialise(register: Register) -> bool:
    """Bring the schema to the newest migration and seed the ordnance catalogue; True if anything was done."""
    before = current_revision(register.engine)
    upgrade(register.engine)
    with register.writing() as connection:
        known = set(connection.execute(select(ordnance_models.c.code)).scalars())
        missing = [m for m in SEED_CATALOGUE if m.code not in known]
        if missing:
            connection.execute(
                insert(ordnance_models),
                [
                    {"code": m.code, "category": m.category.value, "description": m.description, "charge_g": m.charge_g}
                    for m in missing
                ],
            )
    return before != head_revision() or bool(missing)


def is_current(register: Register) -> bool:
    return current_revision(register.engine) == head_revision()


def has_gazetteer(register: Register) -> bool:
    with register.engine.connect() as connection:
        return bool(connection.execute(select(func.count()).select_from(admin_areas)).scalar())
