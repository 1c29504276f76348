"""The audit log: who changed what, when, with the record before and after."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import shapely
from sqlalchemy import Connection, insert

from demine.store.tables.core import audit_log


def to_json(record: dict[str, Any] | None) -> str | None:
    if record is None:
        return None
    return json.dumps({k: _plain(v) for k, v in record.items()}, sort_keys=True, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if isinstance(value, shapely.Geometry):
        return shapely.to_wkt(value, rounding_precision=7)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def record_change(
    connection: Connection,
    *,
    actor: str,
    action: str,
    table_name: str,
    record_code: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
    import_batch_id: int | None = None,
    at: dt.datetime | None = None,
) -> None:
    connection.execute(
        insert(audit_log).values(
            at=at or dt.datetime.now(dt.UTC),
            actor=actor,
            action=action,
            table_name=table_name,
            record_code=record_code,
            import_batch_id=import_batch_id,
            before=to_json(before),
            after=to_json(after),
            reason=reason,
        )
    )
