"""Import a file of one record kind: validate all of it and write all of it in one transaction, or nothing.

A CSV is read, validated and written in parts of PART_ROWS rows inside that one transaction, so that a file of ten
million items found needs the memory of a part, not of the file (15.9 GB for 12.8 million rows read whole); any
error in any part rolls every part back, and every part is still validated so that all errors are reported at once.

Re-importing the same file changes nothing: each row's content hash is compared with the stored one, unchanged rows
are skipped, changed rows are updated (audited with before and after), new rows are inserted in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, func, insert, select, update

from demine.errors import Issue, ValidationFailed
from demine.io.formats import format_for
from demine.io.readers import RawTable, read_table_parts
from demine.io.spec import ImportFormat
from demine.io.validation import ParsedTable, key_codes, validate
from demine.store.audit import record_change
from demine.store.bulk import bulk_load, insert_frame, stored_hashes
from demine.store.lookups import CHUNK, ConnectionLookup
from demine.store.tables.core import import_batches
from demine.services.import_parts import BatchTotals, CodesMet, file_digest
from demine.services.register import Register

Progress = Callable[[str], None]
RowsProgress = Callable[[int, int], None]
SCAN_FACTOR = 4  # read the whole table's codes when it holds at most this many rows per row of the file
PART_ROWS = 500_000  # rows of a CSV validated and written at a time: about 0.6 GB of items found in memory


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
                progress: Progress | None = None, rows_written: RowsProgress | None = None) -> ImportResult:
    """Import one file; `columns` maps the file's column names to the format's (e.g. a Shapefile's cut names).

    `progress` hears each stage (reading, validating, writing); `rows_written` hears (rows written, rows to write)
    while new records go in, for a progress bar on large files.
    """
    path = Path(path)
    fmt = format_for(kind)
    say = progress or (lambda _: None)
    say(f"reading {path.name}")
    totals, issues, met = BatchTotals(), [], CodesMet()
    with register.writing() as connection, bulk_load(connection, fmt.table):
        lookup = ConnectionLookup(connection)
        held = connection.execute(select(func.max(fmt.table.c.id))).scalar()  # before this file: see _existing
        for raw in _read_parts(path, columns):
            say(_stage("validating", raw))
            parsed, found = _validate_part(raw, fmt, lookup, crs, today, met, first=totals.rows == 0)
            totals.rows += len(raw)
            issues.extend(found)
            if _fatal(found):
                break  # the header is wrong: every later part would say the same
            if parsed is None or any(i.severity == "error" for i in issues):
                continue  # nothing more is written, but the rest of the file is still checked
            say(_stage("writing", raw))
            _write(connection, parsed, path, actor, totals, held, _offset(rows_written, totals))
        if any(i.severity == "error" for i in issues):
            raise ValidationFailed(issues)  # leaving the block rolls back every part written
        return _finish(connection, fmt, path, actor, totals)


def check_file(register: Register, kind: str, path: Path | str, *, crs: str | None = None,
               columns: dict[str, str] | None = None, today: dt.date | None = None) -> list[Issue]:
    """Every issue an import of the file would meet (errors and warnings), writing nothing."""
    path = Path(path)
    fmt = format_for(kind)
    issues: list[Issue] = []
    met = CodesMet()
    try:
        with register.reading() as connection:
            lookup = ConnectionLookup(connection)
            for number, raw in enumerate(_read_parts(path, columns)):
                _, found = _validate_part(raw, fmt, lookup, crs, today, met, first=number == 0)
                issues.extend(found)
                if _fatal(found):
                    break
    except ValidationFailed as failure:  # the file itself cannot be read
        issues.extend(failure.issues)
    return issues


def _validate_part(raw: RawTable, fmt: ImportFormat, lookup: ConnectionLookup, crs: str | None,
                   today: dt.date | None, met: CodesMet, *, first: bool) -> tuple[ParsedTable | None, list[Issue]]:
    """The part parsed (None if it has errors) and its issues, with codes repeated from earlier parts as errors.

    Issues of the header (row 1, or no row) are the same for every part, so only the first part's are kept.
    """
    try:
        parsed: ParsedTable | None = validate(raw, fmt, lookup, crs=crs, today=today)
        found = list(parsed.issues)
    except ValidationFailed as failure:
        parsed, found = None, list(failure.issues)
    if not first:
        found = [i for i in found if i.row not in (1, None)]
    repeated = met.repeated(raw.file, fmt.key, key_codes(raw, fmt), raw.row_numbers)
    return (None if repeated else parsed), found + repeated


def _fatal(issues: list[Issue]) -> bool:
    """An error no row can be blamed for (a missing column, an unreadable file): the later parts need not be read."""
    return any(i.severity == "error" and i.row in (1, None) for i in issues)


def _stage(verb: str, raw: RawTable) -> str:
    if len(raw) == 0:
        return verb
    return f"{verb} rows {int(raw.row_numbers[0]):,}-{int(raw.row_numbers[-1]):,}"


def _offset(rows_written: RowsProgress | None, totals: BatchTotals) -> RowsProgress | None:
    """The part's progress told as the file's: rows of earlier parts added (the file's total is not known ahead)."""
    if rows_written is None:
        return None
    before = totals.created
    return lambda done, total: rows_written(before + done, before + total)


def _read_parts(path: Path, columns: dict[str, str] | None) -> Iterator[RawTable]:
    """The file's table in parts, with its columns renamed to the format's where the user mapped them."""
    for raw in read_table_parts(path, PART_ROWS):
        if columns:
            raw.columns = raw.columns.rename(
                columns={k.strip().lower(): v.strip().lower() for k, v in columns.items()})
        yield raw


def _row_hashes(parsed: ParsedTable) -> np.ndarray:
    """A 64-bit hash of each row's stored content (code, typed values, geometry), built column by column.

    Each column is hashed in its own type (no text conversion of a million rows) and the columns are combined in a
    fixed order, so the same content always gives the same hash and a change in any column changes it.
    """
    columns = {"code": pd.util.hash_array(parsed.codes.to_numpy(dtype=object), categorize=False)}
    for name in parsed.values.columns:
        columns[name] = _column_hashes(parsed.values[name])
    if parsed.geometry is not None:
        columns["geom"] = _geometry_hashes(parsed.geometry.wgs84)
    combined = pd.util.hash_pandas_object(pd.DataFrame(columns, copy=False), index=False)
    return combined.to_numpy().view(np.int64)


def _column_hashes(values: pd.Series) -> np.ndarray:
    if values.dtype != object:  # numbers, nullable integers, booleans: hashed as they are, missing included
        return pd.util.hash_pandas_object(values, index=False).to_numpy()
    # Text, dates and None: each distinct value is hashed once as its text and spread back to its rows.
    codes, distinct = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    texts = np.array([str(v) for v in distinct], dtype=object)
    return pd.util.hash_array(texts, categorize=False)[codes]


def _geometry_hashes(geoms: np.ndarray) -> np.ndarray:
    """Points by their coordinates (the common case, a million items found), other geometries by their WKB."""
    points = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    hashes = pd.util.hash_array(shapely.to_wkb(geoms[~points]), categorize=False)  # None (missing) included
    result = np.empty(len(geoms), dtype=np.uint64)
    result[~points] = hashes
    if points.any():
        xyz = shapely.get_coordinates(geoms[points], include_z=True)
        result[points] = pd.util.hash_pandas_object(pd.DataFrame(xyz), index=False).to_numpy()
    return result


def _quality_flags(parsed: ParsedTable) -> pd.Series:
    flags: dict[int, list[str]] = {}
    for issue in parsed.warnings():
        if issue.row is not None:
            flags.setdefault(issue.row, []).append(f"{issue.field}: {issue.reason}")
    return pd.Series([("; ".join(flags[r]) if r in flags else None) for r in parsed.row_numbers], dtype=object)


def _write(connection: Connection, parsed: ParsedTable, path: Path, actor: str, totals: BatchTotals,
           held: int | None, rows_written: RowsProgress | None = None) -> None:
    """Write one part: new rows in bulk, changed rows one by one (each audited), unchanged rows not at all."""
    table = parsed.fmt.table
    hashes = _row_hashes(parsed)
    existing = _existing(connection, table, parsed.codes, held)
    where = existing.index.get_indexer(parsed.codes)  # position among the stored records, -1 for a new code
    is_new = where < 0
    unchanged = np.zeros(len(where), dtype=bool)
    if len(existing):
        stored = existing["row_hash"]
        known = stored.notna().to_numpy()[where] & ~is_new
        unchanged[known] = stored.to_numpy(dtype=np.int64, na_value=0)[where[known]] == hashes[known]
    changed = ~is_new & ~unchanged
    totals.created += int(is_new.sum())
    totals.updated += int(changed.sum())
    totals.unchanged += int(unchanged.sum())
    totals.warnings.extend(parsed.warnings())
    if not (is_new.any() or changed.any()):
        return  # the same rows again: not even a batch is recorded for them
    if totals.batch_id is None:
        totals.batch_id = _open_batch(connection, parsed, path, actor)
    batch_id = totals.batch_id
    columns = dict(parsed.values.items())  # the typed columns themselves: a million rows are not copied
    if "quality_flags" in table.c:
        columns["quality_flags"] = _quality_flags(parsed)
    columns |= {"code": parsed.codes, "row_hash": hashes, "import_batch_id": np.full(len(hashes), batch_id)}
    frame = pd.DataFrame(columns, copy=False)
    geoms = parsed.geometry.wgs84 if parsed.geometry is not None else None
    if is_new.all():
        insert_frame(connection, table, frame, geoms, progress=rows_written)
    else:
        insert_frame(connection, table, frame[is_new].reset_index(drop=True),
                     geoms[is_new] if geoms is not None else None, progress=rows_written)
    ids = existing["id"].to_numpy() if len(existing) else np.empty(0, dtype=np.int64)
    for position in np.flatnonzero(changed):
        _update(connection, parsed, frame.iloc[position].to_dict(), geoms[position] if geoms is not None else None,
                int(ids[where[position]]), actor, batch_id)


def _existing(connection: Connection, table, codes: pd.Series, held: int | None) -> pd.DataFrame:
    """Id and stored row hash of the records already holding the part's codes (possibly more), indexed by code.

    `held` is the table's highest id before the file's first part: into a table that was empty, every code is new
    (a code repeated within the file is an error), so nothing is read. A large part is matched against the whole
    table in one read when the table is not much larger than the part: IN lists of CHUNK codes cost far more per code
    than reading a row.
    """
    if held is None:
        return pd.DataFrame({"id": pd.array([], dtype="int64"), "row_hash": pd.array([], dtype="Int64")},
                            index=pd.Index([], dtype=object))
    if len(codes) > CHUNK and held <= SCAN_FACTOR * len(codes):
        return stored_hashes(connection, table)
    query = select(table.c.code, table.c.id, table.c.row_hash)
    wanted = codes.tolist()
    rows = [row for start in range(0, len(wanted), CHUNK)
            for row in connection.execute(query.where(table.c.code.in_(wanted[start : start + CHUNK])))]
    code, id_, row_hash = (list(column) for column in zip(*rows)) if rows else ([], [], [])
    return pd.DataFrame({"id": pd.array(id_, dtype="int64"), "row_hash": pd.array(row_hash, dtype="Int64")},
                        index=pd.Index(code, dtype=object))


def _open_batch(connection: Connection, parsed: ParsedTable, path: Path, actor: str) -> int:
    """The file's import batch, opened at its first written part; its counts are set by _finish."""
    crs = parsed.geometry.crs.to_string() if parsed.geometry is not None else None
    return connection.execute(
        insert(import_batches)
        .values(kind=parsed.fmt.kind, file_name=path.name, file_sha256=file_digest(path), rows_in_file=0,
                rows_created=0, rows_updated=0, rows_unchanged=0, source_crs=crs, imported_by=actor)
        .returning(import_batches.c.id)
    ).scalar_one()


def _finish(connection: Connection, fmt: ImportFormat, path: Path, actor: str, totals: BatchTotals) -> ImportResult:
    """The whole file's counts on its batch and in one audit entry (none when nothing changed)."""
    result = ImportResult(fmt.kind, path.name, totals.rows, totals.created, totals.updated, totals.unchanged,
                          totals.batch_id, totals.warnings)
    if totals.batch_id is None:
        return result  # the same file again: not even a batch is recorded
    connection.execute(
        update(import_batches).where(import_batches.c.id == totals.batch_id)
        .values(rows_in_file=totals.rows, rows_created=totals.created, rows_updated=totals.updated,
                rows_unchanged=totals.unchanged, rows_flagged=totals.flagged_rows))
    record_change(connection, actor=actor, action="import", table_name=fmt.table.name, record_code=None,
                  after={"file": path.name, "created": totals.created, "updated": totals.updated,
                         "unchanged": totals.unchanged}, import_batch_id=totals.batch_id)
    return result


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
