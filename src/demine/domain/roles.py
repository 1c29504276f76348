"""Who may do what in the web application and the API: roles and the rights they carry (pure rules, no I/O)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    INFORMATION_OFFICER = "information_officer"  # reviews and approves, sees everything
    OPERATOR = "operator"  # enters and edits only their own organisation's data
    ANALYST = "analyst"  # reads everything but victims' personal data
    VIEWER = "viewer"


class Right(StrEnum):
    READ_REGISTER = "read_register"  # individual records (items, incidents) rather than aggregates
    READ_PERSONAL_DATA = "read_personal_data"  # victims' names, dates of birth, addresses
    ENTER_DATA = "enter_data"
    REVIEW = "review"  # approve or reject submitted reports
    MANAGE_USERS = "manage_users"


RIGHTS: dict[Role, frozenset[Right]] = {
    Role.ADMINISTRATOR: frozenset(Right),
    Role.INFORMATION_OFFICER: frozenset({Right.READ_REGISTER, Right.READ_PERSONAL_DATA, Right.ENTER_DATA,
                                         Right.REVIEW}),
    Role.OPERATOR: frozenset({Right.READ_REGISTER, Right.ENTER_DATA}),
    Role.ANALYST: frozenset({Right.READ_REGISTER}),
    Role.VIEWER: frozenset({Right.READ_REGISTER}),
}


def has_right(role: Role | None, right: Right) -> bool:
    """Anonymous (role None) has no right: it sees the public map and aggregate figures only."""
    return role is not None and right in RIGHTS[role]


def needs_organisation(role: Role) -> bool:
    """An operator's rights are bounded by its organisation, so it cannot exist without one."""
    return role is Role.OPERATOR
