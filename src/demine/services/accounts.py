"""Accounts: add users, check passwords, open and end browser sessions, issue and check API tokens.

Passwords are hashed with argon2id (argon2-cffi defaults, parameters kept in the hash so they can be raised later).
Session ids and API tokens are random and stored only as SHA-256: they are long enough that a fast hash is safe,
and a lookup by hash is one indexed query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from demine.domain.roles import Role, needs_organisation
from demine.errors import DemineError, NotFound
from demine.services.register import Register
from demine.store.audit import record_change
from demine.store.tables.accounts import api_tokens, user_sessions, users
from demine.store.tables.core import organisations

SESSION_LIFETIME = dt.timedelta(hours=12)  # a working day in the field office, then sign in again
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the time of a failed sign-in the same either way.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    organisation_id: int | None
    organisation_code: str | None


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add_user(register: Register, username: str, password: str, *, role: str, actor: str,
             organisation: str | None = None) -> User:
    """Create a user; an operator must belong to an organisation of the register."""
    try:
        role_value = Role(role)
    except ValueError:
        raise DemineError(f"Unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}.") from None
    if not username or len(username) > 64 or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise DemineError("A username is 1-64 letters, digits, '.', '-' or '_'.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DemineError(f"A password has at least {MIN_PASSWORD_LENGTH} characters.")
    if needs_organisation(role_value) and not organisation:
        raise DemineError("An operator belongs to an organisation: give --organisation CODE.")
    with register.writing() as connection:
        organisation_id = None
        if organisation:
            organisation_id = connection.execute(
                select(organisations.c.id).where(organisations.c.code == organisation)).scalar()
            if organisation_id is None:
                raise NotFound(f"No organisation with code {organisation!r}.")
        if connection.execute(select(users.c.id).where(users.c.username == username)).first():
            raise DemineError(f"A user named {username!r} exists already.")
        user_id = connection.execute(insert(users).values(
            username=username, password_hash=_hasher.hash(password), role=role_value.value,
            organisation_id=organisation_id, created_at=_now())).inserted_primary_key[0]
        record_change(connection, actor=actor, action="create", table_name="users", record_code=username,
                      after={"username": username, "role": role_value.value, "organisation": organisation})
    return User(user_id, username, role_value, organisation_id, organisation)


def authenticate(register: Register, username: str, password: str) -> User | None:
    """The user if the password is right and the account enabled; None otherwise (never says which)."""
    with register.reading() as connection:
        row = connection.execute(select(users).where(users.c.username == username)).mappings().one_or_none()
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled_at"] is not None:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with register.writing() as connection:
            connection.execute(update(users).where(users.c.id == row["id"]).values(
                password_hash=_hasher.hash(password)))
    return _user(register, row["id"])


def _user(register: Register, user_id: int) -> User | None:
    with register.reading() as connection:
        row = connection.execute(
            select(users.c.id, users.c.username, users.c.role, users.c.organisation_id,
                   organisations.c.code.label("organisation_code"))
            .select_from(users.outerjoin(organisations, organisations.c.id == users.c.organisation_id))
            .where(users.c.id == user_id, users.c.disabled_at.is_(None))).one_or_none()
    if row is None:
        return None
    return User(row.id, row.username, Role(row.role), row.organisation_id, row.organisation_code)


def open_session(register: Register, user: User) -> str:
    """A new session id for the cookie (the caller signs it)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with register.writing() as connection:
        connection.execute(insert(user_sessions).values(
            token_sha256=_sha256(token), user_id=user.id, created_at=now, expires_at=now + SESSION_LIFETIME))
    return token


def session_user(register: Register, token: str) -> User | None:
    with register.reading() as connection:
        row = connection.execute(select(user_sessions.c.user_id, user_sessions.c.expires_at).where(
            user_sessions.c.token_sha256 == _sha256(token), user_sessions.c.ended_at.is_(None))).one_or_none()
    if row is None or _aware(row.expires_at) <= _now():
        return None
    return _user(register, row.user_id)


def end_session(register: Register, token: str) -> None:
    with register.writing() as connection:
        connection.execute(update(user_sessions).where(user_sessions.c.token_sha256 == _sha256(token))
                           .values(ended_at=_now()))


def issue_token(register: Register, user: User, name: str) -> str:
    """A new API token, shown once: only its hash is kept."""
    token = "dmn_" + secrets.token_urlsafe(32)
    with register.writing() as connection:
        connection.execute(insert(api_tokens).values(
            token_sha256=_sha256(token), user_id=user.id, name=name[:128] or "script", created_at=_now()))
        record_change(connection, actor=user.username, action="token", table_name="api_tokens",
                      record_code=user.username, after={"name": name})
    return token


def token_user(register: Register, token: str) -> User | None:
    with register.reading() as connection:
        user_id = connection.execute(select(api_tokens.c.user_id).where(
            api_tokens.c.token_sha256 == _sha256(token), api_tokens.c.revoked_at.is_(None))).scalar()
    return None if user_id is None else _user(register, user_id)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for what was stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
