"""Change a hazard area's classification or work status: dated, reasoned, recorded and audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select, update

from demine.domain.status import StatusChange, check_change
from demine.domain.vocabulary import HazardClass, WorkStatus
from demine.errors import InvalidTransition, NotFound
from demine.services.register import Register
from demine.store.audit import record_change
from demine.store.tables.hazards import hazard_areas, hazard_status_changes


def set_status(register: Register, code: str, *, actor: str, reason: str, hazard_class: str | None = None,
               work_status: str | None = None, effective_date: dt.date | None = None,
               today: dt.date | None = None) -> list[StatusChange]:
    today = today or dt.date.today()
    effective_date = effective_date or today
    if hazard_class is None and work_status is None:
        raise InvalidTransition("Give a new hazard class or work status.")
    for value, vocabulary in ((hazard_class, HazardClass), (work_status, WorkStatus)):
        if value is not None and value not in {m.value for m in vocabulary}:
            raise InvalidTransition(f"Unknown value {value!r}; use one of: {', '.join(m.value for m in vocabulary)}.")
    with register.writing() as connection:
        hazard = connection.execute(
            select(hazard_areas).where(hazard_areas.c.code == code, hazard_areas.c.retired_at.is_(None))
        ).mappings().one_or_none()
        if hazard is None:
            raise NotFound(f"No hazard area with code {code!r}.")
        last = connection.execute(
            select(func.max(hazard_status_changes.c.effective_date)).where(
                hazard_status_changes.c.hazard_area_id == hazard["id"])
        ).scalar()
        changes = [
            check_change(field=name, current=hazard[name], target=target, effective_date=effective_date,
                         reason=reason, today=today, last_change=last)
            for name, target in (("hazard_class", hazard_class), ("work_status", work_status))
            if target is not None
        ]
        now = dt.datetime.now(dt.UTC)
        for change in changes:
            connection.execute(insert(hazard_status_changes).values(
                hazard_area_id=hazard["id"], field=change.field, from_value=change.from_value,
                to_value=change.to_value, effective_date=change.effective_date, reason=change.reason,
                changed_by=actor, recorded_at=now))
        connection.execute(update(hazard_areas).where(hazard_areas.c.id == hazard["id"]).values(
            updated_at=now, **{c.field: c.to_value for c in changes}))
        record_change(connection, actor=actor, action="status", table_name="hazard_areas", record_code=code,
                      before={c.field: c.from_value for c in changes}, after={c.field: c.to_value for c in changes},
                      reason=reason, at=now)
    return changes
