"""The ordnance catalogue: the seeded models and those a programme adds (audited)."""

from __future__ import annotations

from sqlalchemy import insert, select

from demine.domain.vocabulary import EOCategory
from demine.errors import DemineError
from demine.services.register import Register
from demine.store.audit import record_change
from demine.store.tables.core import ordnance_models


def list_models(register: Register) -> list[dict]:
    with register.reading() as connection:
        rows = connection.execute(select(ordnance_models).order_by(ordnance_models.c.category,
                                                                    ordnance_models.c.code)).mappings()
        return [dict(r) for r in rows]


def add_model(register: Register, code: str, *, category: str, description: str, actor: str,
              charge_g: float | None = None) -> None:
    """Add a model found in the field; codes are upper case so that 'pmn-2' and 'PMN-2' are one model."""
    code = code.strip().upper()
    if not code:
        raise DemineError("A model needs a code.")
    if category not in {c.value for c in EOCategory}:
        raise DemineError(f"Unknown category {category!r}; use one of: {', '.join(c.value for c in EOCategory)}.")
    with register.writing() as connection:
        if connection.execute(select(ordnance_models.c.code).where(ordnance_models.c.code == code)).first():
            raise DemineError(f"{code} is already in the catalogue.")
        values = {"code": code, "category": category, "description": description, "charge_g": charge_g}
        connection.execute(insert(ordnance_models).values(**values))
        record_change(connection, actor=actor, action="create", table_name="ordnance_models", record_code=code,
                      after=values)
