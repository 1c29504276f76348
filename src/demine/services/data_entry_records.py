"""Hazards from non-technical survey and incidents with their victims, entered in forms and reviewed before they
enter the register.

The form's values are validated exactly as a one-row import file of the kind (same rules, same messages, each naming
the form and the field), then kept in `submissions` as typed. Approval validates them again against the register as
it then is and writes the record (and its victims) in the same transaction as the status change: a submission that
no longer passes stays submitted and the officer sees why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Connection, func, insert, select, update

from demine.domain.roles import Right, Role, has_right
from demine.domain.vocabulary import ReviewStatus
from demine.errors import DemineError, Issue, NotFound, ValidationFailed
from demine.io.formats import format_for
from demine.io.readers import RawTable
from demine.io.spec import Field, GeometryRule, ImportFormat
from demine.io.validation import ParsedTable, validate
from demine.services.accounts import User
from demine.services.queries import HistoryEntry, history
from demine.services.register import Register
from demine.services.review import ACTIONS, EDITABLE, NotPermitted, check_may_enter, check_may_read, check_transition
from demine.store.audit import record_change
from demine.store.bulk import insert_frame
from demine.store.lookups import ConnectionLookup
from demine.store.tables.core import audit_log, organisations
from demine.store.tables.operations import activities
from demine.store.tables.submissions import submissions

S = ReviewStatus
ENTRY_KINDS = {"hazards": "HA-NTS", "incidents": "INC"}  # kinds entered by form, and the prefix of new codes
FORM_NAMES = {"hazards": "hazard form", "incidents": "incident form"}
VICTIMS_FORM = "victims (form)"
VICTIM_FIELDS = tuple(f for f in format_for("victims").fields if f.name != "incident_code")
# Victims are checked when the incident is entered, before it exists: the same format without the reference to it.
VICTIMS_BEFORE_INCIDENT = dataclasses.replace(format_for("victims"), fields=VICTIM_FIELDS)


def form_fields(kind: str) -> tuple[Field, ...]:
    """The fields the form shows: the import format's, so the form and the file never disagree."""
    return format_for(_entry_kind(kind)).fields


def geometry_fields(kind: str) -> tuple[str, ...]:
    rule = format_for(_entry_kind(kind)).geometry
    return ("wkt",) if rule is GeometryRule.AREA else ("longitude", "latitude")


@dataclass(frozen=True, slots=True)
class Submission:
    code: str
    kind: str
    organisation_code: str | None
    values: dict[str, str]
    victims: list[dict[str, str]] | None  # None: the reader may not see personal data
    victim_count: int
    review_status: S
    created_by: str
    submitted_by: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_comment: str | None


def _entry_kind(kind: str) -> str:
    if kind not in ENTRY_KINDS:
        raise NotFound(f"Forms exist for {', '.join(ENTRY_KINDS)}, not {kind!r}.")
    return kind


def save_submission(register: Register, user: User, kind: str, values: dict[str, str],
                    victims: list[dict[str, str]] | None = None, *, code: str | None = None,
                    today: dt.date | None = None) -> str:
    """Create (code None) or edit a submission; ValidationFailed names each bad field and nothing is kept."""
    _entry_kind(kind)
    if not has_right(user.role, Right.ENTER_DATA):
        raise NotPermitted(f"The role {user.role.value} may not enter data.")
    victims = [v for v in victims or [] if any(str(x).strip() for x in v.values())]
    if victims and not has_right(user.role, Right.READ_PERSONAL_DATA):
        raise NotPermitted("Victims' personal data is entered by roles allowed to see it.")
    values = {k: str(v).strip() for k, v in values.items()}
    geometry_issue = []
    if kind == "hazards" and values.get("wkt"):
        try:
            values["wkt"] = wkt_of(values["wkt"])
        except ValidationFailed as failure:
            geometry_issue = failure.issues
    with register.writing() as connection:
        existing = _editable(connection, user, code) if code else None
        if existing is not None and victims == [] and not has_right(user.role, Right.READ_PERSONAL_DATA):
            victims = json.loads(existing["payload"]).get("victims", [])  # kept: this user never saw them
        organisation_id = _organisation(connection, user, kind, values)
        check_may_enter(user, organisation_id)
        new_code = code or values.pop("code", "") or _new_code(connection, kind, values)
        values.pop("code", None)
        issues = geometry_issue + [i for i in _issues(connection, kind, new_code, values, victims, today,
                                                      creating=code is None)
                                   if not (geometry_issue and i.field == "wkt")]
        if any(i.severity == "error" for i in issues):
            raise ValidationFailed(issues)
        payload = json.dumps({"values": values, "victims": victims}, ensure_ascii=False, sort_keys=True)
        now = dt.datetime.now(dt.UTC)
        if existing is None:
            connection.execute(insert(submissions).values(
                code=new_code, kind=kind, organisation_id=organisation_id, payload=payload,
                review_status=S.SAVED.value, created_by=user.username, created_at=now))
            record_change(connection, actor=user.username, action="create", table_name="submissions",
                          record_code=new_code, after=_audit_view(kind, values, victims), at=now)
        else:
            before = json.loads(existing["payload"])
            connection.execute(update(submissions).where(submissions.c.id == existing["id"]).values(
                payload=payload, organisation_id=organisation_id, review_status=S.SAVED.value, updated_at=now))
            old = _audit_view(kind, before["values"], before.get("victims", []))
            new = _audit_view(kind, values, victims)
            changed = [k for k in new if old.get(k) != new[k]]
            record_change(connection, actor=user.username, action="update", table_name="submissions",
                          record_code=new_code, before={k: old.get(k) for k in changed},
                          after={k: new[k] for k in changed}, at=now)
    return new_code


def _audit_view(kind: str, values: dict[str, str], victims: list[dict[str, str]]) -> dict[str, Any]:
    """What the audit log keeps of a form: its values, and of victims only how many (personal data stays out)."""
    view: dict[str, Any] = {k: v for k, v in values.items() if v}
    if kind == "incidents":
        view["victims"] = len(victims)
    return view


def _editable(connection: Connection, user: User, code: str) -> dict[str, Any]:
    row = connection.execute(select(submissions).where(submissions.c.code == code,
                                                       submissions.c.retired_at.is_(None))).mappings().one_or_none()
    if row is None:
        raise NotFound(f"No submission with code {code!r}.")
    check_may_enter(user, row["organisation_id"])
    if S(row["review_status"]) not in EDITABLE:
        raise NotPermitted(f"{code} is {row['review_status']}: only saved or rejected entries are edited.")
    return dict(row)


def _organisation(connection: Connection, user: User, kind: str, values: dict[str, str]) -> int | None:
    """Whose data this is: an operator's own organisation, always; for others, what the form names."""
    if kind == "hazards":
        if user.role is Role.OPERATOR:
            values["reporting_organisation_code"] = user.organisation_code or ""
            return user.organisation_id
        code = values.get("reporting_organisation_code", "")
        return connection.execute(select(organisations.c.id).where(organisations.c.code == code)).scalar()
    activity = values.get("activity_code", "")
    if activity:
        owner = connection.execute(select(activities.c.organisation_id).where(activities.c.code == activity)).scalar()
        if owner is not None:
            return owner
    return user.organisation_id


def _new_code(connection: Connection, kind: str, values: dict[str, str]) -> str:
    day = (values.get("reported_date") or values.get("incident_date") or "").replace("-", "")
    base = f"{ENTRY_KINDS[kind]}-{day if day.isdigit() and len(day) == 8 else 'NEW'}"
    table = format_for(kind).table
    n = 1
    while True:
        candidate = f"{base}-{n:02d}"
        if not _code_taken(connection, table, candidate):
            return candidate
        n += 1


def _code_taken(connection: Connection, table: Any, code: str) -> bool:
    return bool(connection.execute(select(func.count()).select_from(table).where(table.c.code == code)).scalar()
                or connection.execute(select(func.count()).select_from(submissions)
                                      .where(submissions.c.code == code)).scalar())


def _issues(connection: Connection, kind: str, code: str, values: dict[str, str], victims: list[dict[str, str]],
            today: dt.date | None, *, creating: bool) -> list[Issue]:
    fmt = format_for(kind)
    issues: list[Issue] = []
    if creating and _code_taken(connection, fmt.table, code):
        issues.append(Issue(FORM_NAMES[kind], 1, "code", f"{code} is already used"))
    lookup = ConnectionLookup(connection)
    record = _parsed(issues, _row_table(fmt, kind, code, values), fmt, lookup, today)
    if kind == "incidents" and victims:
        # The incident does not exist yet, so the reference to it is checked on approval, when it is written first.
        _parsed(issues, _victims_table(code, victims, with_incident=False), VICTIMS_BEFORE_INCIDENT, lookup, today)
        if record is not None:
            issues += _victims_match_counts(victims, record)
    return issues


def _parsed(issues: list[Issue], raw: RawTable, fmt: ImportFormat, lookup: ConnectionLookup,
            today: dt.date | None) -> ParsedTable | None:
    try:
        parsed = validate(raw, fmt, lookup, today=today)
    except ValidationFailed as failure:
        issues += failure.issues
        return None
    issues += parsed.issues
    return parsed


def _row_table(fmt: ImportFormat, kind: str, code: str, values: dict[str, str]) -> RawTable:
    wanted = [f.name for f in fmt.fields] + list(geometry_fields(kind))
    row = {"code": code} | {name: values.get(name, "") for name in wanted}
    return RawTable(FORM_NAMES[kind], pd.DataFrame({k: [v] for k, v in row.items()}, dtype=object), np.array([1]))


def _victims_table(code: str, victims: list[dict[str, str]], *, with_incident: bool = True) -> RawTable:
    link = {"incident_code": code} if with_incident else {}
    rows = [{"code": f"{code}-V{n}"} | link | {f.name: str(v.get(f.name, "")).strip() for f in VICTIM_FIELDS}
            for n, v in enumerate(victims, start=1)]
    return RawTable(VICTIMS_FORM, pd.DataFrame(rows, dtype=object), np.arange(1, len(rows) + 1))


def _victims_match_counts(victims: list[dict[str, str]], incident: ParsedTable) -> list[Issue]:
    issues = []
    for outcome in ("killed", "injured"):
        listed = sum(1 for v in victims if str(v.get("outcome", "")).strip() == outcome)
        counted = incident.values[outcome].iat[0]
        if not pd.isna(counted) and listed > int(counted):
            issues.append(Issue(VICTIMS_FORM, None, "outcome",
                                f"{listed} victims {outcome} but the incident counts {int(counted)}"))
    return issues


def submission_of(register: Register, user: User, code: str) -> Submission:
    with register.reading() as connection:
        row = connection.execute(
            select(submissions, organisations.c.code.label("organisation_code"))
            .select_from(submissions.outerjoin(organisations, organisations.c.id == submissions.c.organisation_id))
            .where(submissions.c.code == code, submissions.c.retired_at.is_(None))).mappings().one_or_none()
    if row is None:
        raise NotFound(f"No submission with code {code!r}.")
    check_may_read(user, row["organisation_id"])
    return _view(user, row)


def _view(user: User, row: Any) -> Submission:
    payload = json.loads(row["payload"])
    victims = payload.get("victims", [])
    personal = has_right(user.role, Right.READ_PERSONAL_DATA)
    return Submission(row["code"], row["kind"], row["organisation_code"], payload["values"],
                      victims if personal else None, len(victims), S(row["review_status"]), row["created_by"],
                      row["submitted_by"], row["reviewed_by"], row["reviewed_at"], row["review_comment"])


def list_submissions(register: Register, user: User, *, status: S | None = None,
                     limit: int = 200) -> list[Submission]:
    if not has_right(user.role, Right.READ_REGISTER):
        raise NotPermitted(f"The role {user.role.value} may not read submissions.")
    query = (select(submissions, organisations.c.code.label("organisation_code"))
             .select_from(submissions.outerjoin(organisations, organisations.c.id == submissions.c.organisation_id))
             .where(submissions.c.retired_at.is_(None)).order_by(submissions.c.id.desc()).limit(limit))
    if status is not None:
        query = query.where(submissions.c.review_status == status.value)
    if user.role is Role.OPERATOR:
        query = query.where(submissions.c.organisation_id == user.organisation_id)
    with register.reading() as connection:
        return [_view(user, row) for row in connection.execute(query).mappings()]


def move_submission(register: Register, user: User, code: str, target: S, *, comment: str | None = None,
                    today: dt.date | None = None) -> None:
    """Submit, approve (writing the record to the register) or reject (a comment required)."""
    if target is S.REJECTED and not (comment and comment.strip()):
        raise DemineError("A rejection needs a comment that tells the author what to correct.")
    with register.writing() as connection:
        row = connection.execute(select(submissions).where(submissions.c.code == code,
                                                           submissions.c.retired_at.is_(None))).mappings().one_or_none()
        if row is None:
            raise NotFound(f"No submission with code {code!r}.")
        current = S(row["review_status"])
        check_transition(user, code, current, target, organisation_id=row["organisation_id"],
                         submitted_by=row["submitted_by"])
        now = dt.datetime.now(dt.UTC)
        if target is S.APPROVED:
            _write_to_register(connection, user, row, today, now)
        values: dict[str, Any] = {"review_status": target.value, "updated_at": now}
        if target is S.SUBMITTED:
            values |= {"submitted_by": user.username, "reviewed_by": None, "reviewed_at": None,
                       "review_comment": None}
        else:
            values |= {"reviewed_by": user.username, "reviewed_at": now, "review_comment": (comment or "").strip()
                       or None}
        connection.execute(update(submissions).where(submissions.c.id == row["id"]).values(**values))
        record_change(connection, actor=user.username, action=ACTIONS[target], table_name="submissions",
                      record_code=code, before={"review_status": current.value},
                      after={"review_status": target.value}, reason=(comment or "").strip() or None, at=now)


def _write_to_register(connection: Connection, user: User, row: Any, today: dt.date | None,
                       now: dt.datetime) -> None:
    kind, code = row["kind"], row["code"]
    payload = json.loads(row["payload"])
    fmt = format_for(kind)
    lookup = ConnectionLookup(connection)
    try:
        parsed = validate(_row_table(fmt, kind, code, payload["values"]), fmt, lookup, today=today)
        _insert(connection, parsed, code)
        victims = payload.get("victims") or []
        if victims:
            _insert(connection, validate(_victims_table(code, victims), format_for("victims"), lookup, today=today),
                    None)
    except ValidationFailed as failure:
        raise ValidationFailed([Issue(i.file, i.row, i.field, f"on approval: {i.reason}", i.severity)
                                for i in failure.issues]) from None
    record_change(connection, actor=user.username, action="create", table_name=fmt.table.name, record_code=code,
                  after=_audit_view(kind, payload["values"], payload.get("victims") or []),
                  reason=f"approved from submission {code} entered by {row['created_by']}", at=now)


def _insert(connection: Connection, parsed: ParsedTable, code: str | None) -> None:
    frame = parsed.values.copy()
    frame["code"] = parsed.codes.to_numpy()
    if "quality_flags" in parsed.fmt.table.c:
        flags = "; ".join(f"{i.field}: {i.reason}" for i in parsed.warnings()) or None
        frame["quality_flags"] = [flags] * len(frame)
    geoms = parsed.geometry.wgs84 if parsed.geometry is not None else None
    insert_frame(connection, parsed.fmt.table, frame, geoms)


def wkt_of(text: str) -> str:
    """A pasted or drawn geometry as WKT: GeoJSON (geometry, Feature or one-feature collection) or WKT as given."""
    stripped = text.strip()
    if not stripped.startswith("{"):
        return stripped
    try:
        data = json.loads(stripped)
        if data.get("type") == "FeatureCollection":
            features = data.get("features") or []
            if len(features) != 1:
                raise ValueError("a FeatureCollection of exactly one feature")
            data = features[0]
        if data.get("type") == "Feature":
            data = data.get("geometry")
        return shapely.to_wkt(shapely.from_geojson(json.dumps(data)), rounding_precision=7)
    except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as error:
        raise ValidationFailed([Issue("hazard form", 1, "wkt", f"not readable GeoJSON: {error}")]) from None


def entry_history(register: Register, entry: Submission) -> list[HistoryEntry]:
    """The submission's own trail, then, once approved, the register record's later changes."""
    entries = []
    with register.reading() as connection:
        for row in connection.execute(select(audit_log).where(audit_log.c.table_name == "submissions",
                                                              audit_log.c.record_code == entry.code)
                                      .order_by(audit_log.c.id)).mappings():
            entries.append(HistoryEntry(row["at"], row["actor"], row["action"], row["reason"] or _brief(row)))
    if entry.review_status is S.APPROVED:
        entries += [e for e in history(register, entry.code, kind=entry.kind) if e.action != "create"]
    return entries


def _brief(row: Any) -> str:
    before = json.loads(row["before"]) if row["before"] else {}
    after = json.loads(row["after"]) if row["after"] else {}
    return "; ".join(f"{k}: {before.get(k, '')} -> {after.get(k)}" if k in before else f"{k}: {after.get(k)}"
                     for k in sorted(set(before) | set(after)))
