"""Pages for hazards from non-technical survey and incidents with their victims: enter, submit, review, history.

The forms are drawn from the import formats' fields; the rules live in services.data_entry_records and
services.review. Victims' fields are offered and shown only to roles allowed to see personal data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from demine.api.deps import RegisterDep
from demine.api.security import CurrentUser, check_write, require
from demine.api.templating import render
from demine.domain.roles import Right, has_right
from demine.domain.vocabulary import ReviewStatus
from demine.errors import Issue, ValidationFailed
from demine.io.spec import FieldType
from demine.services.accounts import User
from demine.services.data_entry_records import (
    ENTRY_KINDS,
    FORM_NAMES,
    VICTIM_FIELDS,
    VICTIMS_FORM,
    entry_history,
    form_fields,
    geometry_fields,
    list_submissions,
    move_submission,
    save_submission,
    submission_of,
)
from demine.services.review import EDITABLE

router = APIRouter(prefix="/entries", tags=["web: entries"], include_in_schema=False)
CsrfField = Annotated[str | None, Form()]
BLANK_VICTIMS = 2
TITLES = {"hazards": "Hazard area from non-technical survey", "incidents": "Incident or accident"}


def _login(path: str) -> Response:
    return RedirectResponse(f"/login?next={path}", status_code=303)


@router.get("", response_class=HTMLResponse)
def entries_page(request: Request, user: CurrentUser, register: RegisterDep, status: str | None = None) -> Response:
    if user is None:
        return _login("/entries")
    chosen = ReviewStatus(status) if status in set(ReviewStatus) else None
    return render(request, "entries/list.html", user, entries=list_submissions(register, user, status=chosen),
                  status=chosen, statuses=list(ReviewStatus), kinds=TITLES,
                  may_enter=has_right(user.role, Right.ENTER_DATA))


@router.get("/new/{kind}", response_class=HTMLResponse)
def new_entry_page(request: Request, kind: str, user: CurrentUser) -> Response:
    if user is None:
        return _login(f"/entries/new/{kind}")
    require(user, Right.ENTER_DATA)
    return _form_page(request, user, kind, {}, [], code=None)


@router.post("/new/{kind}", response_class=HTMLResponse)
async def create_entry(request: Request, kind: str, user: CurrentUser, register: RegisterDep) -> Response:
    return await _save(request, user, register, kind, code=None)


@router.get("/{code}", response_class=HTMLResponse)
def entry_page(request: Request, code: str, user: CurrentUser, register: RegisterDep) -> Response:
    if user is None:
        return _login(f"/entries/{code}")
    entry = submission_of(register, user, code)
    return render(request, "entries/entry.html", user, e=entry, title=TITLES[entry.kind],
                  fields=form_fields(entry.kind), geometry=geometry_fields(entry.kind), victim_fields=VICTIM_FIELDS,
                  history=entry_history(register, entry),
                  editable=_may_edit(user, entry.organisation_code) and entry.review_status in EDITABLE,
                  may_review=has_right(user.role, Right.REVIEW) and entry.review_status is ReviewStatus.SUBMITTED
                  and entry.submitted_by != user.username)


def _may_edit(user: User, organisation_code: str | None) -> bool:
    return has_right(user.role, Right.ENTER_DATA) and (user.organisation_id is None
                                                        or user.organisation_code == organisation_code)


@router.get("/{code}/edit", response_class=HTMLResponse)
def edit_entry_page(request: Request, code: str, user: CurrentUser, register: RegisterDep) -> Response:
    if user is None:
        return _login(f"/entries/{code}/edit")
    entry = submission_of(register, user, code)
    require(user, Right.ENTER_DATA)
    return _form_page(request, user, entry.kind, entry.values, entry.victims or [], code=code)


@router.post("/{code}/edit", response_class=HTMLResponse)
async def edit_entry(request: Request, code: str, user: CurrentUser, register: RegisterDep) -> Response:
    kind = submission_of(register, require(user, Right.ENTER_DATA), code).kind
    return await _save(request, user, register, kind, code=code)


@router.post("/{code}/{action}")
def move_entry(request: Request, code: str, action: str, user: CurrentUser, register: RegisterDep,
               comment: Annotated[str, Form()] = "", csrf_token: CsrfField = None) -> Response:
    check_write(request, csrf_token)
    targets = {"submit": ReviewStatus.SUBMITTED, "approve": ReviewStatus.APPROVED, "reject": ReviewStatus.REJECTED}
    if action not in targets:
        return Response(status_code=404)
    signed = require(user, Right.ENTER_DATA if action == "submit" else Right.REVIEW)
    move_submission(register, signed, code, targets[action], comment=comment.strip() or None)
    return RedirectResponse(f"/entries/{code}", status_code=303)


async def _save(request: Request, user: User | None, register, kind: str, *, code: str | None) -> Response:
    data = await request.form()
    check_write(request, data.get("csrf_token"))  # type: ignore[arg-type]
    signed = require(user, Right.ENTER_DATA)
    names = [f.name for f in form_fields(kind)] + list(geometry_fields(kind)) + ["code"]
    values = {name: ",".join(v for v in data.getlist(name) if isinstance(v, str) and v) for name in names}
    victims = _victim_lines(data) if has_right(signed.role, Right.READ_PERSONAL_DATA) else []
    try:
        saved = save_submission(register, signed, kind, values, victims, code=code)
    except ValidationFailed as failure:
        return _form_page(request, signed, kind, values, victims, code=code, issues=failure.issues, status_code=422)
    if data.get("action") == "submit":
        move_submission(register, signed, saved, ReviewStatus.SUBMITTED)
    return RedirectResponse(f"/entries/{saved}", status_code=303)


def _victim_lines(data) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    columns = {f.name: [v if isinstance(v, str) else "" for v in data.getlist(f"victim_{f.name}")]
               for f in VICTIM_FIELDS}
    count = min(max((len(v) for v in columns.values()), default=0), 200)
    return [{name: (values[i] if i < len(values) else "") for name, values in columns.items()} for i in range(count)]


def _form_page(request: Request, user: User, kind: str, values: dict[str, str], victims: list[dict[str, str]], *,
               code: str | None, issues: list[Issue] | None = None, status_code: int = 200) -> Response:
    if kind not in ENTRY_KINDS:
        return Response(status_code=404)
    errors: dict[str, list[str]] = {}
    victim_errors: dict[tuple[int, str], list[str]] = {}
    general: list[Issue] = []
    for issue in issues or []:
        field = "longitude" if issue.field in ("longitude/latitude", "latitude/longitude") else issue.field
        if issue.file == FORM_NAMES[kind] and field:
            errors.setdefault(field, []).append(issue.reason)
        elif issue.file == VICTIMS_FORM and field and issue.row is not None:
            victim_errors.setdefault((issue.row, field), []).append(issue.reason)
        else:
            general.append(issue)
    personal = has_right(user.role, Right.READ_PERSONAL_DATA) and kind == "incidents"
    return render(request, "entries/form.html", user, status_code=status_code, kind=kind, title=TITLES[kind],
                  code=code, values=values, fields=form_fields(kind), geometry=geometry_fields(kind),
                  FieldType=FieldType, field_errors=errors, general=general, personal=personal,
                  victim_fields=VICTIM_FIELDS, victims=list(victims) + [{} for _ in range(BLANK_VICTIMS)],
                  victim_errors=victim_errors, fixed_organisation=user.organisation_code if kind == "hazards"
                  and user.role.value == "operator" else None,
                  issue_count=len([i for i in issues or [] if i.severity == "error"]))
