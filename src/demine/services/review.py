"""The review workflow of progress reports: saved -> submitted -> approved or rejected (with a comment).

Only approved reports enter official figures (dashboard, weekly statement, map), so each transition is checked here,
once, for the CLI, the API and the pages alike, and audited with who, when, before and after.

Who may do what:
- enter and edit: a role with the right to enter data; an operator only for its own organisation's activities;
- submit: whoever may edit the report;
- approve or reject: a role with the right to review, and never the person who submitted it (four eyes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update

from demine.domain.roles import Right, Role, has_right
from demine.domain.vocabulary import ReviewStatus
from demine.errors import DemineError, InvalidTransition, NotFound
from demine.services.accounts import User
from demine.services.register import Register
from demine.store.audit import record_change
from demine.store.tables.core import organisations
from demine.store.tables.operations import activities, items_found, progress_reports

S = ReviewStatus
# The only moves; editing a rejected report brings it back to saved (see data_entry), so it is submitted again.
TRANSITIONS: dict[tuple[S, S], Right] = {
    (S.SAVED, S.SUBMITTED): Right.ENTER_DATA,
    (S.REJECTED, S.SUBMITTED): Right.ENTER_DATA,
    (S.SUBMITTED, S.APPROVED): Right.REVIEW,
    (S.SUBMITTED, S.REJECTED): Right.REVIEW,
}
EDITABLE = frozenset({S.SAVED, S.REJECTED})


class NotPermitted(DemineError):
    """The user is signed in but may not touch this record (another organisation's, or not their role's)."""

    http_status = 403
    exit_code = 5


@dataclass(frozen=True, slots=True)
class ReportSummary:
    code: str
    activity_code: str
    organisation_code: str
    period_start: dt.date
    period_end: dt.date
    area_worked_m2: float
    review_status: S
    submitted_by: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_comment: str | None
    items: int  # quantity of items found reported in it (live ones)


def check_may_enter(user: User, organisation_id: int | None) -> None:
    """Entering or editing data of an activity of this organisation."""
    if not has_right(user.role, Right.ENTER_DATA):
        raise NotPermitted(f"The role {user.role.value} may not enter data.")
    if user.role is Role.OPERATOR and user.organisation_id != organisation_id:
        raise NotPermitted("An operator enters and edits only its own organisation's data.")


def check_may_read(user: User, organisation_id: int | None) -> None:
    """Reports under review are read by the register's readers; an operator only reads its own organisation's."""
    if not has_right(user.role, Right.READ_REGISTER):
        raise NotPermitted(f"The role {user.role.value} may not read reports.")
    if user.role is Role.OPERATOR and user.organisation_id != organisation_id:
        raise NotPermitted("An operator sees only its own organisation's reports.")


_SUMMARY = (
    select(progress_reports.c.code, activities.c.code.label("activity_code"),
           organisations.c.code.label("organisation_code"), activities.c.organisation_id, progress_reports.c.id,
           progress_reports.c.period_start, progress_reports.c.period_end, progress_reports.c.area_worked_m2,
           progress_reports.c.review_status, progress_reports.c.submitted_by, progress_reports.c.reviewed_by,
           progress_reports.c.reviewed_at, progress_reports.c.review_comment)
    .select_from(progress_reports.join(activities, activities.c.id == progress_reports.c.activity_id)
                 .join(organisations, organisations.c.id == activities.c.organisation_id))
    .where(progress_reports.c.retired_at.is_(None))
)


def _summaries(connection: Connection, query: Any) -> list[tuple[int, ReportSummary]]:
    rows = connection.execute(query).mappings().all()
    ids = [r["id"] for r in rows]
    quantities = dict(connection.execute(
        select(items_found.c.progress_report_id, func.sum(items_found.c.quantity))
        .where(items_found.c.progress_report_id.in_(ids), items_found.c.retired_at.is_(None))
        .group_by(items_found.c.progress_report_id)).all()) if ids else {}
    return [(r["organisation_id"], ReportSummary(
        r["code"], r["activity_code"], r["organisation_code"], r["period_start"], r["period_end"],
        float(r["area_worked_m2"]), S(r["review_status"]), r["submitted_by"], r["reviewed_by"], r["reviewed_at"],
        r["review_comment"], int(quantities.get(r["id"], 0) or 0))) for r in rows]


def report_summary(register: Register, user: User, code: str) -> ReportSummary:
    with register.reading() as connection:
        found = _summaries(connection, _SUMMARY.where(progress_reports.c.code == code))
    if not found:
        raise NotFound(f"No progress report with code {code!r}.")
    organisation_id, summary = found[0]
    check_may_read(user, organisation_id)
    return summary


def list_reports(register: Register, user: User, *, status: S | None = None, limit: int = 200) -> list[ReportSummary]:
    """Newest periods first; an operator sees its own organisation's only."""
    if not has_right(user.role, Right.READ_REGISTER):
        raise NotPermitted(f"The role {user.role.value} may not read reports.")
    query = _SUMMARY.order_by(progress_reports.c.period_end.desc(), progress_reports.c.id.desc()).limit(limit)
    if status is not None:
        query = query.where(progress_reports.c.review_status == status.value)
    if user.role is Role.OPERATOR:
        query = query.where(activities.c.organisation_id == user.organisation_id)
    with register.reading() as connection:
        return [summary for _, summary in _summaries(connection, query)]


def submit(register: Register, user: User, code: str) -> None:
    _move(register, user, code, S.SUBMITTED, comment=None)


def approve(register: Register, user: User, code: str, *, comment: str | None = None) -> None:
    _move(register, user, code, S.APPROVED, comment=comment)


def reject(register: Register, user: User, code: str, *, comment: str) -> None:
    if not comment or not comment.strip():
        raise DemineError("A rejection needs a comment that tells the team what to correct.")
    _move(register, user, code, S.REJECTED, comment=comment.strip())


def _move(register: Register, user: User, code: str, target: S, *, comment: str | None) -> None:
    with register.writing() as connection:
        row = connection.execute(
            select(progress_reports.c.id, progress_reports.c.review_status, progress_reports.c.submitted_by,
                   activities.c.organisation_id)
            .select_from(progress_reports.join(activities, activities.c.id == progress_reports.c.activity_id))
            .where(progress_reports.c.code == code, progress_reports.c.retired_at.is_(None))).one_or_none()
        if row is None:
            raise NotFound(f"No progress report with code {code!r}.")
        current = S(row.review_status)
        check_transition(user, code, current, target, organisation_id=row.organisation_id,
                         submitted_by=row.submitted_by)
        now = dt.datetime.now(dt.UTC)
        values: dict[str, Any] = {"review_status": target.value, "updated_at": now}
        if target is S.SUBMITTED:
            # The first submission's day is the one that counts for lateness: a corrected report sent again after a
            # rejection was not late for being corrected.
            values |= {"submitted_by": user.username, "reviewed_by": None, "reviewed_at": None, "review_comment": None,
                       "submitted_on": func.coalesce(progress_reports.c.submitted_on, now.date())}
        else:
            values |= {"reviewed_by": user.username, "reviewed_at": now, "review_comment": comment}
        connection.execute(update(progress_reports).where(progress_reports.c.id == row.id).values(**values))
        record_change(connection, actor=user.username, action=ACTIONS[target], table_name="progress_reports",
                      record_code=code, before={"review_status": current.value},
                      after={"review_status": target.value}, reason=comment, at=now)


ACTIONS = {S.SUBMITTED: "submit", S.APPROVED: "approve", S.REJECTED: "reject"}


def check_transition(user: User, code: str, current: S, target: S, *, organisation_id: int | None,
                     submitted_by: str | None) -> None:
    """May this user move this record from `current` to `target`? InvalidTransition or NotPermitted if not."""
    right = TRANSITIONS.get((current, target))
    if right is None:
        raise InvalidTransition(f"{code} is {current.value}; it cannot become {target.value}.")
    if right is Right.ENTER_DATA:
        check_may_enter(user, organisation_id)
    elif not has_right(user.role, right):
        raise NotPermitted(f"The role {user.role.value} may not review.")
    elif submitted_by == user.username:
        raise NotPermitted("A record is reviewed by someone other than the person who submitted it.")
