"""Data entry of progress reports: a form (the report and its items found) or a file of items found.

A form is validated exactly as an import file is: its values become a one-row table of the `progress` format and
an n-row table of the `items` format, so a form and a file get the same rules and the same messages, each naming the
form, the line and the field. Nothing is written unless every value passes. A report is entered as `saved`; the
review workflow (services.review) takes it on from there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, func, or_, select, update

from demine.domain.roles import Right, Role, has_right
from demine.domain.vocabulary import ReviewStatus
from demine.errors import Issue, NotFound, ValidationFailed
from demine.io.formats import format_for
from demine.io.readers import RawTable, read_table
from demine.io.validation import ParsedTable, validate
from demine.services.accounts import User
from demine.services.imports import ImportResult, import_file
from demine.services.register import Register
from demine.services.review import EDITABLE, NotPermitted, check_may_enter
from demine.store.audit import record_change
from demine.store.bulk import insert_frame
from demine.store.lookups import ConnectionLookup
from demine.store.tables.core import organisations
from demine.store.tables.operations import activities, items_found, progress_reports

REPORT_FORM = "progress report form"
ITEMS_FORM = "items found (form)"
ITEM_FILE_SUFFIXES = (".csv", ".xlsx")


@dataclass
class ItemLine:
    """One line of the form's items table, as typed (text)."""

    category: str = ""
    model: str = ""
    quantity: str = ""
    found_date: str = ""
    longitude: str = ""
    latitude: str = ""

    def is_blank(self) -> bool:
        return not any(getattr(self, f.name).strip() for f in fields(self))


@dataclass
class ProgressForm:
    """The values of the progress report form, as typed (text)."""

    activity_code: str = ""
    period_start: str = ""
    period_end: str = ""
    area_worked_m2: str = ""
    working_days: str = ""
    deminers: str = ""
    items: list[ItemLine] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Saved:
    code: str
    warnings: list[Issue]


def progress_form_of(register: Register, code: str) -> ProgressForm:
    """A stored report as the form shows it for editing: the items entered by form are its lines (items that came
    in a file keep their codes and stay as they are, so that importing that file again still changes nothing)."""
    with register.reading() as connection:
        report = connection.execute(
            select(progress_reports, activities.c.code.label("activity_code"))
            .select_from(progress_reports.join(activities, activities.c.id == progress_reports.c.activity_id))
            .where(progress_reports.c.code == code)).mappings().one_or_none()
        if report is None:
            raise NotFound(f"No progress report with code {code!r}.")
        lines = _lines(connection, report["id"], items_found.c.import_batch_id.is_(None), limit=None)
    return ProgressForm(report["activity_code"], report["period_start"].isoformat(), report["period_end"].isoformat(),
                        f"{report['area_worked_m2']:g}", str(report["working_days"]),
                        "" if report["deminers"] is None else str(report["deminers"]), lines)


def report_items(register: Register, code: str, *, limit: int = 500) -> list[ItemLine]:
    """The first `limit` live items of a report, from the form and from files alike (for its page)."""
    with register.reading() as connection:
        report_id = connection.execute(select(progress_reports.c.id).where(progress_reports.c.code == code)).scalar()
        return [] if report_id is None else _lines(connection, report_id, None, limit=limit)


def _lines(connection: Connection, report_id: int, condition: Any, *, limit: int | None) -> list[ItemLine]:
    query = (select(items_found).where(items_found.c.progress_report_id == report_id,
                                       items_found.c.retired_at.is_(None)).order_by(items_found.c.id).limit(limit))
    if condition is not None:
        query = query.where(condition)
    return [ItemLine(r.category, r.model or "", str(r.quantity), r.found_date.isoformat(), f"{r.longitude:.7f}",
                     f"{r.latitude:.7f}") for r in connection.execute(query)]


@dataclass(frozen=True, slots=True)
class ActivityChoice:
    code: str
    organisation_code: str
    activity_type: str
    status: str


def activities_for_entry(register: Register, user: User, *, limit: int = 500) -> list[ActivityChoice]:
    """Activities the user may report on (an operator: its organisation's), most recently started first."""
    if not has_right(user.role, Right.ENTER_DATA):
        return []
    query = (select(activities.c.code, organisations.c.code, activities.c.activity_type, activities.c.status)
             .select_from(activities.join(organisations, organisations.c.id == activities.c.organisation_id))
             .where(activities.c.retired_at.is_(None))
             .order_by(activities.c.start_date.desc(), activities.c.code).limit(limit))
    if user.role is Role.OPERATOR:
        query = query.where(activities.c.organisation_id == user.organisation_id)
    with register.reading() as connection:
        return [ActivityChoice(*row) for row in connection.execute(query)]


def save_progress_report(register: Register, user: User, form: ProgressForm, *, code: str | None = None,
                         today: dt.date | None = None) -> Saved:
    """Create (code None) or edit a report with its items; ValidationFailed names each bad field, nothing written."""
    if not has_right(user.role, Right.ENTER_DATA):
        raise NotPermitted(f"The role {user.role.value} may not enter data.")
    with register.writing() as connection:
        existing = _editable(connection, user, code) if code else None
        activity = connection.execute(
            select(activities.c.id, activities.c.organisation_id, activities.c.geom)
            .where(activities.c.code == form.activity_code.strip(), activities.c.retired_at.is_(None))).one_or_none()
        if activity is not None:
            check_may_enter(user, activity.organisation_id)
        code = code or _new_code(connection, form)
        lookup = ConnectionLookup(connection)
        issues: list[Issue] = []
        report = _validated(issues, _report_table(form, code), "progress", lookup, today)
        lines = [(number, line) for number, line in enumerate(form.items, start=1) if not line.is_blank()]
        items = None
        if lines and activity is not None:
            first = _items_used(connection, existing["id"] if existing else None) + 1
            items = _validated(issues, _items_table(form, code, lines, activity.geom, first), "items", lookup, today)
            issues += _outside_period(items, report)
        if any(i.severity == "error" for i in issues):
            raise ValidationFailed(issues)
        assert report is not None
        report_id, before, after = _write_report(connection, user, report, code, existing)
        if items is not None:
            items.values["progress_report_id"] = report_id
            insert_frame(connection, items_found, _frame(items), items.geometry.wgs84 if items.geometry else None)
        after["items"] = _items_summary(connection, report_id)
        if existing is None:
            after["activity"] = form.activity_code.strip()
        record_change(connection, actor=user.username, action="update" if existing else "create",
                      table_name="progress_reports", record_code=code, before=before or None, after=after)
        return Saved(code, [i for i in issues if i.severity == "warning"])


def _editable(connection: Connection, user: User, code: str) -> dict[str, Any]:
    row = connection.execute(
        select(progress_reports, activities.c.organisation_id)
        .select_from(progress_reports.join(activities, activities.c.id == progress_reports.c.activity_id))
        .where(progress_reports.c.code == code, progress_reports.c.retired_at.is_(None))).mappings().one_or_none()
    if row is None:
        raise NotFound(f"No progress report with code {code!r}.")
    check_may_enter(user, row["organisation_id"])
    if ReviewStatus(row["review_status"]) not in EDITABLE:
        raise NotPermitted(f"Progress report {code} is {row['review_status']}: only saved or rejected reports are "
                           "edited.")
    return dict(row)


def _new_code(connection: Connection, form: ProgressForm) -> str:
    """ACTIVITY-PR-YYYYMMDD of the period's start, with -2, -3 ... when the code is taken."""
    start = form.period_start.strip().replace("-", "")[:8]
    base = f"{form.activity_code.strip()[:40] or 'ACTIVITY'}-PR-{start if start.isdigit() else 'NEW'}"
    taken = set(connection.execute(select(progress_reports.c.code).where(
        progress_reports.c.code.like(base.replace("%", "").replace("_", "\\_") + "%", escape="\\"))).scalars())
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _validated(issues: list[Issue], raw: RawTable, kind: str, lookup: ConnectionLookup,
               today: dt.date | None) -> ParsedTable | None:
    try:
        parsed = validate(raw, format_for(kind), lookup, today=today)
    except ValidationFailed as failure:
        issues += failure.issues
        return None
    issues += parsed.issues
    return parsed


def _report_table(form: ProgressForm, code: str) -> RawTable:
    values = {"code": code, "activity_code": form.activity_code, "period_start": form.period_start,
              "period_end": form.period_end, "area_worked_m2": form.area_worked_m2,
              "working_days": form.working_days, "deminers": form.deminers, "review_status": ReviewStatus.SAVED.value}
    return RawTable(REPORT_FORM, pd.DataFrame({k: [v.strip()] for k, v in values.items()}, dtype=object),
                    np.array([1]))


def _items_table(form: ProgressForm, code: str, lines: list[tuple[int, ItemLine]], point: Any,
                 first: int) -> RawTable:
    """Lines as rows of the items format: the report's activity, its period's end and the activity's reference point
    stand in for a date or position left empty (a weekly summary often has neither)."""
    rows = []
    for serial, (number, line) in enumerate(lines, start=first):
        longitude, latitude = line.longitude.strip(), line.latitude.strip()
        if not longitude and not latitude and point is not None:
            longitude, latitude = f"{shapely.get_x(point):.7f}", f"{shapely.get_y(point):.7f}"
        rows.append({"code": f"{code}-IT{serial:03d}", "activity_code": form.activity_code.strip(),
                     "category": line.category.strip(), "model": line.model.strip(),
                     "quantity": line.quantity.strip() or "1",
                     "found_date": line.found_date.strip() or form.period_end.strip(),
                     "longitude": longitude, "latitude": latitude})
    return RawTable(ITEMS_FORM, pd.DataFrame(rows, dtype=object), np.array([n for n, _ in lines]))


def _outside_period(items: ParsedTable | None, report: ParsedTable | None) -> list[Issue]:
    if items is None or report is None:
        return []
    start, end = report.values["period_start"].iat[0], report.values["period_end"].iat[0]
    found = items.values["found_date"]
    return [Issue(ITEMS_FORM, int(row), "found_date", f"{day} is outside the report's period {start} to {end}")
            for row, day in zip(items.row_numbers, found) if day is not None and not start <= day <= end]


def _frame(parsed: ParsedTable) -> pd.DataFrame:
    frame = parsed.values.copy()
    frame["code"] = parsed.codes.to_numpy()
    return frame


def _python(value: Any) -> Any:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):  # NaN, NA and NaT alike
        return None
    return value.item() if hasattr(value, "item") else value


def _write_report(connection: Connection, user: User, report: ParsedTable, code: str,
                  existing: dict[str, Any] | None) -> tuple[int, dict[str, Any], dict[str, Any]]:
    """The report's row written; its id and the before/after the audit entry will hold."""
    # The sending day belongs to the workflow (set on submit), never to the form: an edit must not erase it.
    values = {k: _python(v) for k, v in report.values.iloc[0].items()
              if k in progress_reports.c and k != "submitted_on"}
    flags = "; ".join(f"{i.field}: {i.reason}" for i in report.warnings()) or None
    values["quality_flags"] = flags
    if existing is None:
        insert_frame(connection, progress_reports, _frame(report).assign(quality_flags=flags), None)
        report_id = connection.execute(select(progress_reports.c.id).where(progress_reports.c.code == code)).scalar_one()
        after = {k: v for k, v in values.items() if v is not None and k != "activity_id"}
        return report_id, {}, after
    report_id = existing["id"]
    now = dt.datetime.now(dt.UTC)
    before_items = _items_summary(connection, report_id)
    connection.execute(update(items_found).where(  # the form's lines only: items from files are not in the form
        items_found.c.progress_report_id == report_id, items_found.c.retired_at.is_(None),
        items_found.c.import_batch_id.is_(None))
        .values(retired_at=now, retired_reason=f"replaced by an edit of {code}"))
    values |= {"review_status": ReviewStatus.SAVED.value, "updated_at": now}
    connection.execute(update(progress_reports).where(progress_reports.c.id == report_id).values(**values))
    changed = [k for k in values if k != "updated_at" and _python(existing.get(k)) != values[k]]
    return report_id, {k: existing.get(k) for k in changed} | {"items": before_items}, {k: values[k] for k in changed}


def _items_summary(connection: Connection, report_id: int) -> str:
    """What a report holds, e.g. "ap_mine PMN-2 x4; at_mine TM-62M x1", for the audit trail."""
    rows = connection.execute(select(items_found.c.category, items_found.c.model, func.sum(items_found.c.quantity))
                              .where(items_found.c.progress_report_id == report_id,
                                     items_found.c.retired_at.is_(None))
                              .group_by(items_found.c.category, items_found.c.model)
                              .order_by(items_found.c.category, items_found.c.model)).all()
    return "; ".join(" ".join(p for p in (c, m, f"x{q}") if p) for c, m, q in rows) or "none"


def _items_used(connection: Connection, report_id: int | None) -> int:
    """Item lines ever entered for the report (retired ones keep their codes), so new codes never collide."""
    if report_id is None:
        return 0
    return connection.execute(select(func.count()).select_from(items_found).where(
        items_found.c.progress_report_id == report_id)).scalar_one()


def import_items_file(register: Register, user: User, code: str, path: Path) -> ImportResult:
    """A CSV or XLSX of items found for one report, through the import service (same rules, same messages).

    Every row must name this report and its activity, and a code already held by an item of another report is
    refused: a re-import updates by code, and an operator must not reach another organisation's items that way.
    """
    if path.suffix.lower() not in ITEM_FILE_SUFFIXES:
        raise ValidationFailed([Issue(path.name, None, None, "items found are uploaded as .csv or .xlsx")])
    with register.reading() as connection:
        report = _editable(connection, user, code)
        activity_code = connection.execute(select(activities.c.code).where(
            activities.c.id == report["activity_id"])).scalar_one()
        raw = read_table(path)
        issues = _rows_name_report(raw, code, activity_code)
        codes = [c.strip() for c in raw.columns["code"]] if "code" in raw.columns else []
        foreign = set(connection.execute(select(items_found.c.code).where(
            items_found.c.code.in_(codes), or_(items_found.c.progress_report_id.is_(None),
                                               items_found.c.progress_report_id != report["id"]))).scalars())
    issues += [Issue(path.name, int(row), "code", f"item {value} belongs to another record; use a new code")
               for row, value in zip(raw.row_numbers, codes) if value in foreign]
    if issues:
        raise ValidationFailed(issues)
    result = import_file(register, "items", path, actor=user.username)
    with register.writing() as connection:
        record_change(connection, actor=user.username, action="items file", table_name="progress_reports",
                      record_code=code, after={"file": path.name, "created": result.created,
                                               "updated": result.updated, "unchanged": result.unchanged},
                      import_batch_id=result.batch_id)
    return result


def _rows_name_report(raw: RawTable, code: str, activity_code: str) -> list[Issue]:
    issues = []
    for column, expected in (("progress_report_code", code), ("activity_code", activity_code)):
        if column not in raw.columns:
            issues.append(Issue(raw.file, 1, column, f"missing column '{column}': every row names {expected}"))
            continue
        for row, value in zip(raw.row_numbers, raw.columns[column]):
            if value.strip() != expected:
                issues.append(Issue(raw.file, int(row), column,
                                    f"'{value}' is not this report's {column.removesuffix('_code')} ({expected})"))
    return issues
