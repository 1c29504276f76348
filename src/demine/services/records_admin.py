"""Retire a record (never delete it) and attach a document, such as the scanned original of a minefield record."""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from pathlib import Path

from sqlalchemy import insert, select, update

from demine.errors import DemineError, NotFound
from demine.io.formats import format_for
from demine.services.register import Register
from demine.store.audit import record_change
from demine.store.tables.core import attachments

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024  # a scanned form set; larger files belong in a document store


def retire(register: Register, kind: str, code: str, *, actor: str, reason: str) -> None:
    """Take a record out of the live register; it stays, with who retired it, when and why."""
    if not reason.strip():
        raise DemineError("Retiring a record needs a reason.")
    table = format_for(kind).table
    with register.writing() as connection:
        row = connection.execute(select(table.c.id, table.c.retired_at).where(table.c.code == code)).one_or_none()
        if row is None:
            raise NotFound(f"No {kind} record with code {code!r}.")
        if row.retired_at is not None:
            raise DemineError(f"{code} was already retired on {row.retired_at:%Y-%m-%d}.")
        now = dt.datetime.now(dt.UTC)
        connection.execute(update(table).where(table.c.id == row.id).values(retired_at=now, retired_reason=reason))
        record_change(connection, actor=actor, action="retire", table_name=table.name, record_code=code,
                      before={"retired_at": None}, after={"retired_at": now}, reason=reason, at=now)


def attach(register: Register, kind: str, code: str, document: Path, *, actor: str) -> str:
    """Store a document with a record (in the database, so a copy of the register carries it); its SHA-256."""
    table = format_for(kind).table
    content = document.read_bytes()
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise DemineError(f"{document.name} is larger than {MAX_ATTACHMENT_BYTES // 2**20} MiB.")
    digest = hashlib.sha256(content).hexdigest()
    media_type = mimetypes.guess_type(document.name)[0] or "application/octet-stream"
    with register.writing() as connection:
        if connection.execute(select(table.c.id).where(table.c.code == code)).first() is None:
            raise NotFound(f"No {kind} record with code {code!r}.")
        known = connection.execute(select(attachments.c.id).where(
            attachments.c.record_code == code, attachments.c.table_name == table.name,
            attachments.c.sha256 == digest)).first()
        if known is None:  # the same document twice is one attachment
            connection.execute(insert(attachments).values(
                table_name=table.name, record_code=code, file_name=document.name, media_type=media_type,
                sha256=digest, content=content, attached_by=actor))
            record_change(connection, actor=actor, action="attach", table_name=table.name, record_code=code,
                          after={"file_name": document.name, "sha256": digest, "bytes": len(content)})
    return digest


def attachment_content(register: Register, kind: str, code: str, sha256: str) -> tuple[str, bytes]:
    table = format_for(kind).table
    with register.reading() as connection:
        row = connection.execute(select(attachments.c.file_name, attachments.c.content).where(
            attachments.c.table_name == table.name, attachments.c.record_code == code,
            attachments.c.sha256 == sha256)).one_or_none()
    if row is None:
        raise NotFound(f"No attachment {sha256[:12]} on {code}.")
    return row.file_name, bytes(row.content)
