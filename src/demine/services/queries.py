"""Read the register: list and show records of a kind, and the audit trail of one record."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Connection, Table, func, select

from demine.errors import DemineError, NotFound
from demine.io.formats import FORMATS, format_for
from demine.io.spec import FieldType, ImportFormat
from demine.services.register import Register
from demine.store.tables import metadata
from demine.store.tables.core import audit_log, import_batches
from demine.store.tables.hazards import hazard_status_changes
from demine.store.tables.base import BBox, bbox_filter

HIDDEN = {"id", "row_hash", "min_x", "min_y", "max_x", "max_y"}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: dt.datetime | dt.date
    actor: str
    action: str
    detail: str




def list_records(register: Register, kind: str, *, limit: int = 50, offset: int = 0,
                 include_retired: bool = False, bbox: BBox | None = None) -> tuple[list[str], list[dict[str, Any]], int]:
    """Columns, rows (references shown as codes) and the total count; `bbox` keeps what intersects it."""
    fmt = format_for(kind)
    table = fmt.table
    columns = ["code"] + [f.name for f in fmt.fields if f.stored][:6]
    with register.reading() as connection:
        where = [] if include_retired else [table.c.retired_at.is_(None)]
        if bbox is not None:
            where += bbox_filter(table, bbox)
        total = connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        rows = connection.execute(
            select(table).where(*where).order_by(table.c.id).limit(limit).offset(offset)
        ).mappings().all()
        records = [_public(connection, fmt, dict(r)) for r in rows]
    return columns, [{c: r.get(c) for c in columns} for r in records], total


def show_record(register: Register, kind: str, code: str) -> dict[str, Any]:
    fmt = format_for(kind)
    with register.reading() as connection:
        row = connection.execute(select(fmt.table).where(fmt.table.c.code == code)).mappings().one_or_none()
        if row is None:
            raise NotFound(f"No {fmt.title.lower()} record with code {code!r}.")
        return _public(connection, fmt, dict(row))


def _public(connection: Connection, fmt: ImportFormat, row: dict[str, Any]) -> dict[str, Any]:
    """The record as people read it: references as codes, geometry as WKT, internal columns left out."""
    for spec in fmt.fields:
        if spec.type is FieldType.REFERENCE and spec.references and row.get(spec.target) is not None:
            target = metadata.tables[spec.references]
            row[spec.name] = connection.execute(
                select(target.c.code).where(target.c.id == row.pop(spec.target))).scalar_one()
        elif spec.type is FieldType.REFERENCE:
            row[spec.name] = row.pop(spec.target, None)
    if isinstance(row.get("geom"), shapely.Geometry):
        row["wkt"] = shapely.to_wkt(row.pop("geom"), rounding_precision=7)
    if row.get("admin_area_id") is not None:
        areas = metadata.tables["admin_areas"]
        row["admin_area"] = connection.execute(
            select(areas.c.name).where(areas.c.id == row.pop("admin_area_id"))).scalar_one()
    return {k: v for k, v in row.items() if k not in HIDDEN}


def find_kind(register: Register, code: str) -> str:
    """The kind holding a record code; an error if none or several do (then the user names the kind)."""
    found = []
    with register.reading() as connection:
        for kind, fmt in FORMATS.items():
            if connection.execute(select(fmt.table.c.id).where(fmt.table.c.code == code)).first():
                found.append(kind)
    if not found:
        raise NotFound(f"No record with code {code!r}.")
    if len(found) > 1:
        raise DemineError(f"Code {code!r} is used by several kinds ({', '.join(found)}); name the kind with --kind.")
    return found[0]


def history(register: Register, code: str, *, kind: str | None = None) -> list[HistoryEntry]:
    """Creation (by import batch), every audited change and every status change of one record, oldest first."""
    kind = kind or find_kind(register, code)
    table: Table = format_for(kind).table
    entries: list[HistoryEntry] = []
    with register.reading() as connection:
        record = connection.execute(select(table.c.id, table.c.import_batch_id, table.c.created_at)
                                    .where(table.c.code == code)).one_or_none()
        if record is None:
            raise NotFound(f"No {kind} record with code {code!r}.")
        batch = connection.execute(select(import_batches).where(
            import_batches.c.id == record.import_batch_id)).mappings().one_or_none()
        if batch is not None:
            entries.append(HistoryEntry(batch["imported_at"], batch["imported_by"], "created",
                                        f"imported from {batch['file_name']} (batch {batch['id']})"))
        for row in connection.execute(select(audit_log).where(audit_log.c.table_name == table.name,
                                                              audit_log.c.record_code == code)
                                      .order_by(audit_log.c.id)).mappings():
            if row["action"] == "status" and table.name == "hazard_areas":
                continue  # told below from the status table, which has the effective date
            entries.append(HistoryEntry(row["at"], row["actor"], row["action"], _describe(row)))
        if table.name == "hazard_areas":
            for row in connection.execute(select(hazard_status_changes).where(
                    hazard_status_changes.c.hazard_area_id == record.id).order_by(hazard_status_changes.c.id)).mappings():
                entries.append(HistoryEntry(row["effective_date"], row["changed_by"], "status",
                                            f"{row['field']}: {row['from_value']} -> {row['to_value']} "
                                            f"(effective {row['effective_date']}; {row['reason']})"))
    return entries


def _describe(row: Any) -> str:
    before = json.loads(row["before"]) if row["before"] else {}
    after = json.loads(row["after"]) if row["after"] else {}
    changes = [f"{k}: {before.get(k)!r} -> {after.get(k)!r}" for k in sorted(set(before) | set(after))]
    reason = f" ({row['reason']})" if row["reason"] else ""
    return "; ".join(changes) + reason
