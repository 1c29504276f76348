"""Import a file of one record kind: validate all of it, then write all of it in one transaction, or nothing.

Re-importing the same file changes nothing: each row's content hash is compared with the stored one, unchanged rows
are skipped, changed rows are updated (audited with before and after), new rows are inserted in bulk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, insert, select, update

from demine.errors import Issue
from demine.io.formats import format_for
from demine.io.readers import read_table
from demine.io.validation import ParsedTable, validate
from demine.store.audit import record_change
from demine.store.bulk import insert_frame
from demine.store.lookups import CHUNK, ConnectionLookup
from demine.store.tables.core import import_batches
from demine.services.register import Register

Progress = Callable[[str], None]


@dataclass
class ImportResult:
    kind: str
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int
    batch_id: int | None
    warnings: list[Issue] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def import_file(register: Register, kind: str, path: Path | str, *, crs: str | None = None, actor: str,
                columns: dict[str, str] | None = None, today: dt.date | None = None,
                progress: Progress | None = None) -> ImportResult:
    """Import one file; `columns` maps the file's column names to the format's (e.g. a Shapefile's cut names)."""
    path = Path(path)
    fmt = format_for(kind)
    say = progress or (lambda _: None)
    say(f"reading {path.name}")
    raw = read_table(path)
    if columns:
        raw.columns = raw.columns.rename(columns={k.strip().lower(): v.strip().lower() for k, v in columns.items()})
    with register.writing() as connection:
        say(f"validating {len(raw):,} rows")
        parsed = validate(raw, fmt, ConnectionLookup(connection), crs=crs, today=today)
        say("writing")
        return _write(connection, parsed, path, actor)


def _row_hashes(parsed: ParsedTable) -> np.ndarray:
    content = parsed.values.astype(str)
    content["code"] = parsed.codes.to_numpy()
    if parsed.geometry is not None:
        content["geom"] = shapely.to_wkb(parsed.geometry.wgs84, hex=True)
    return pd.util.hash_pandas_object(content, index=False).to_numpy().view(np.int64)


def _quality_flags(parsed: ParsedTable) -> pd.Series:
    flags: dict[int, list[str]] = {}
    for issue in parsed.warnings():
        if issue.row is not None:
            flags.setdefault(issue.row, []).append(f"{issue.field}: {issue.reason}")
    return pd.Series([("; ".join(flags[r]) if r in flags else None) for r in parsed.row_numbers], dtype=object)


def _write(connection: Connection, parsed: ParsedTable, path: Path, actor: str) -> ImportResult:
    table = parsed.fmt.table
    hashes = _row_hashes(parsed)
    existing = _existing(connection, table, parsed.codes.tolist())
    stored = parsed.codes.map(lambda c: existing.get(c, (None, None))[1])
    is_new = parsed.codes.map(lambda c: c not in existing).to_numpy()
    unchanged = ~is_new & (stored.to_numpy(dtype=object) == hashes)
    changed = ~is_new & ~unchanged
    result = ImportResult(parsed.fmt.kind, path.name, len(parsed.codes), int(is_new.sum()), int(changed.sum()),
                          int(unchanged.sum()), None, parsed.warnings())
    if not result.changed_anything:
        return result  # the same file again: not even a batch is recorded
    frame = parsed.values.copy()
    if "quality_flags" in table.c:
        frame["quality_flags"] = _quality_flags(parsed)
    batch_id = _record_batch(connection, parsed, path, actor, result)
    result.batch_id = batch_id
    frame["code"] = parsed.codes.to_numpy()
    frame["row_hash"] = hashes
    frame["import_batch_id"] = batch_id
    geoms = parsed.geometry.wgs84 if parsed.geometry is not None else None
    insert_frame(connection, table, frame[is_new].reset_index(drop=True), geoms[is_new] if geoms is not None else None)
    for position in np.flatnonzero(changed):
        _update(connection, parsed, frame.iloc[position].to_dict(), geoms[position] if geoms is not None else None,
                existing[parsed.codes.iat[position]][0], actor, batch_id)
    record_change(connection, actor=actor, action="import", table_name=table.name, record_code=None,
                  after={"file": path.name, "created": result.created, "updated": result.updated,
                         "unchanged": result.unchanged}, import_batch_id=batch_id)
    return result


def _existing(connection: Connection, table, codes: list[str]) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(codes), CHUNK):
        query = select(table.c.code, table.c.id, table.c.row_hash).where(table.c.code.in_(codes[start : start + CHUNK]))
        found.update({code: (id_, row_hash) for code, id_, row_hash in connection.execute(query)})
    return found


def _record_batch(connection: Connection, parsed: ParsedTable, path: Path, actor: str, result: ImportResult) -> int:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    crs = parsed.geometry.crs.to_string() if parsed.geometry is not None else None
    return connection.execute(
        insert(import_batches)
        .values(kind=parsed.fmt.kind, file_name=path.name, file_sha256=digest, rows_in_file=result.rows,
                rows_created=result.created, rows_updated=result.updated, rows_unchanged=result.unchanged,
                rows_flagged=len({w.row for w in result.warnings if w.row is not None}), source_crs=crs,
                imported_by=actor)
        .returning(import_batches.c.id)
    ).scalar_one()


def _update(connection: Connection, parsed: ParsedTable, values: dict, geom, record_id: int, actor: str,
            batch_id: int) -> None:
    table = parsed.fmt.table
    columns = [c for c in values if c in table.c and c not in ("id", "code")]
    current = connection.execute(select(table).where(table.c.id == record_id)).mappings().one()
    new_values = {c: (None if _is_missing(values[c]) else values[c]) for c in columns}
    if geom is not None:
        new_values["geom"] = geom
    new_values["updated_at"] = dt.datetime.now(dt.UTC)
    connection.execute(update(table).where(table.c.id == record_id).values(**new_values))
    changed_keys = [k for k in new_values if k not in ("updated_at", "row_hash", "import_batch_id")
                    and _differs(current.get(k), new_values[k])]
    record_change(connection, actor=actor, action="update", table_name=table.name, record_code=current["code"],
                  before={k: current.get(k) for k in changed_keys}, after={k: new_values[k] for k in changed_keys},
                  reason=f"re-import of {parsed.file}", import_batch_id=batch_id)


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _differs(old: object, new: object) -> bool:
    if isinstance(old, shapely.Geometry) or isinstance(new, shapely.Geometry):
        return not (isinstance(old, shapely.Geometry) and isinstance(new, shapely.Geometry) and old.equals_exact(new, 1e-9))
    if isinstance(old, float) and isinstance(new, float):
        return not np.isclose(old, new)
    return old != new
