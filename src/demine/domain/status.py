"""Hazard status rules: how classification and work status may change, each change dated and reasoned.

Classification moves from SHA to CHA as direct evidence appears; a CHA is not downgraded (land leaves the register
through land release outputs, not by reclassification). Work status moves open -> worked on -> closed; a closed area
is reopened only with a reason (new evidence after handover).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from demine.domain.vocabulary import HazardClass, WorkStatus
from demine.errors import InvalidTransition

CLASS_TRANSITIONS: dict[HazardClass, set[HazardClass]] = {
    HazardClass.SHA: {HazardClass.CHA},
    HazardClass.CHA: set(),
}
WORK_TRANSITIONS: dict[WorkStatus, set[WorkStatus]] = {
    WorkStatus.OPEN: {WorkStatus.WORKED_ON, WorkStatus.CLOSED},
    WorkStatus.WORKED_ON: {WorkStatus.CLOSED, WorkStatus.OPEN},
    WorkStatus.CLOSED: {WorkStatus.OPEN},
}


@dataclass(frozen=True, slots=True)
class StatusChange:
    field: str  # "hazard_class" or "work_status"
    from_value: str
    to_value: str
    effective_date: dt.date
    reason: str


def check_change(
    *,
    field: str,
    current: str,
    target: str,
    effective_date: dt.date,
    reason: str,
    today: dt.date,
    last_change: dt.date | None,
) -> StatusChange:
    """The change if it is allowed; InvalidTransition with a reason a user understands if not."""
    if not reason or not reason.strip():
        raise InvalidTransition("A status change needs a reason.")
    if effective_date > today:
        raise InvalidTransition(f"The change date {effective_date.isoformat()} is in the future.")
    if last_change is not None and effective_date < last_change:
        raise InvalidTransition(
            f"The change date {effective_date.isoformat()} is before the last change ({last_change.isoformat()})."
        )
    if field == "hazard_class":
        allowed = {a.value for a in CLASS_TRANSITIONS[HazardClass(current)]}
    elif field == "work_status":
        allowed = {a.value for a in WORK_TRANSITIONS[WorkStatus(current)]}
    else:
        raise InvalidTransition(f"Unknown status field {field!r}.")
    if target == current:
        raise InvalidTransition(f"The {field.replace('_', ' ')} is already {current}.")
    if target not in allowed:
        options = ", ".join(sorted(allowed)) or "nothing"
        raise InvalidTransition(f"A {field.replace('_', ' ')} of {current} cannot become {target} (only {options}).")
    return StatusChange(field, current, target, effective_date, reason.strip())
