"""Progress report pages: enter (form or file of items found), submit, review (approve or reject), history.

Pages only translate: the rules (who may, which transition, what is valid) live in services.data_entry and
services.review. Every write is CSRF-checked; a script with an API token may post the same forms.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from demine.api.deps import RegisterDep
from demine.api.security import CurrentUser, check_write, require
from demine.api.templating import render
from demine.domain.roles import Right, has_right
from demine.domain.vocabulary import EOCategory, ReviewStatus
from demine.errors import DemineError, Issue, ValidationFailed
from demine.services.accounts import User
from demine.services.catalogue import list_models
from demine.services.data_entry import (
    ITEMS_FORM,
    REPORT_FORM,
    ItemLine,
    ProgressForm,
    activities_for_entry,
    import_items_file,
    progress_form_of,
    report_items,
    save_progress_report,
)
from demine.services.queries import history
from demine.services.review import EDITABLE, approve, list_reports, reject, report_summary, submit

router = APIRouter(prefix="/progress", tags=["web: progress reports"], include_in_schema=False)
CsrfField = Annotated[str | None, Form()]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
BLANK_LINES = 3  # empty item lines offered below those filled in
SHOWN_ITEMS = 500  # items listed on a report's page (a file may bring thousands; the map and exports show them all)


@router.get("", response_class=HTMLResponse)
def reports_page(request: Request, user: CurrentUser, register: RegisterDep, status: str | None = None) -> Response:
    if user is None:
        return RedirectResponse("/login?next=/progress", status_code=303)
    chosen = ReviewStatus(status) if status in set(ReviewStatus) else None
    return render(request, "progress/list.html", user, reports=list_reports(register, user, status=chosen),
                  status=chosen, statuses=list(ReviewStatus), may_enter=has_right(user.role, Right.ENTER_DATA))


@router.get("/new", response_class=HTMLResponse)
def new_report_page(request: Request, user: CurrentUser, register: RegisterDep, activity: str = "") -> Response:
    if user is None:
        return RedirectResponse("/login?next=/progress/new", status_code=303)
    require(user, Right.ENTER_DATA)
    return _form_page(request, user, register, ProgressForm(activity_code=activity), code=None)


@router.post("/new", response_class=HTMLResponse)
async def create_report(request: Request, user: CurrentUser, register: RegisterDep) -> Response:
    return await _save(request, user, register, code=None)


@router.get("/{code}", response_class=HTMLResponse)
def report_page(request: Request, code: str, user: CurrentUser, register: RegisterDep) -> Response:
    if user is None:
        return RedirectResponse(f"/login?next=/progress/{code}", status_code=303)
    return _report_page(request, user, register, code)


@router.get("/{code}/edit", response_class=HTMLResponse)
def edit_report_page(request: Request, code: str, user: CurrentUser, register: RegisterDep) -> Response:
    if user is None:
        return RedirectResponse(f"/login?next=/progress/{code}/edit", status_code=303)
    report_summary(register, user, code)  # 404 / 403 before anything is shown
    return _form_page(request, user, register, progress_form_of(register, code), code=code)


@router.post("/{code}/edit", response_class=HTMLResponse)
async def edit_report(request: Request, code: str, user: CurrentUser, register: RegisterDep) -> Response:
    return await _save(request, user, register, code=code)


@router.post("/{code}/submit")
def submit_report(request: Request, code: str, user: CurrentUser, register: RegisterDep,
                  csrf_token: CsrfField = None) -> Response:
    check_write(request, csrf_token)
    submit(register, require(user, Right.ENTER_DATA), code)
    return RedirectResponse(f"/progress/{code}", status_code=303)


@router.post("/{code}/approve")
def approve_report(request: Request, code: str, user: CurrentUser, register: RegisterDep,
                   comment: Annotated[str, Form()] = "", csrf_token: CsrfField = None) -> Response:
    check_write(request, csrf_token)
    approve(register, require(user, Right.REVIEW), code, comment=comment.strip() or None)
    return RedirectResponse(f"/progress/{code}", status_code=303)


@router.post("/{code}/reject")
def reject_report(request: Request, code: str, user: CurrentUser, register: RegisterDep,
                  comment: Annotated[str, Form()] = "", csrf_token: CsrfField = None) -> Response:
    check_write(request, csrf_token)
    reject(register, require(user, Right.REVIEW), code, comment=comment)
    return RedirectResponse(f"/progress/{code}", status_code=303)


@router.post("/{code}/items-file", response_class=HTMLResponse)
async def upload_items(request: Request, code: str, user: CurrentUser, register: RegisterDep,
                       file: Annotated[UploadFile, File()], csrf_token: CsrfField = None) -> Response:
    check_write(request, csrf_token)
    signed = require(user, Right.ENTER_DATA)
    name = Path(file.filename or "items.csv").name or "items.csv"  # the name only: never a path from the client
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise DemineError(f"{name} is larger than {MAX_UPLOAD_BYTES // 2**20} MiB; split it.")
    with tempfile.TemporaryDirectory(prefix="demine-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            result = import_items_file(register, signed, code, path)
        except ValidationFailed as failure:
            return _report_page(request, signed, register, code, upload_issues=failure.issues, status_code=422)
    return _report_page(request, signed, register, code, upload_result=result)


def _report_page(request: Request, user: User, register, code: str, status_code: int = 200, **context) -> Response:
    summary = report_summary(register, user, code)
    may_enter = has_right(user.role, Right.ENTER_DATA) and (
        user.organisation_id is None or user.organisation_code == summary.organisation_code)
    return render(request, "progress/report.html", user, status_code=status_code, r=summary,
                  form=progress_form_of(register, code), items=report_items(register, code, limit=SHOWN_ITEMS), shown_items=SHOWN_ITEMS,
                  history=history(register, code, kind="progress"),
                  editable=may_enter and summary.review_status in EDITABLE,
                  may_review=has_right(user.role, Right.REVIEW) and summary.review_status is ReviewStatus.SUBMITTED
                  and summary.submitted_by != user.username,
                  upload_issues=context.get("upload_issues"), upload_result=context.get("upload_result"))


async def _save(request: Request, user: User | None, register, *, code: str | None) -> Response:
    data = await request.form()
    check_write(request, data.get("csrf_token"))  # type: ignore[arg-type]
    signed = require(user, Right.ENTER_DATA)
    form = _form_of(data)
    try:
        saved = save_progress_report(register, signed, form, code=code)
    except ValidationFailed as failure:
        return _form_page(request, signed, register, form, code=code, issues=failure.issues, status_code=422)
    if data.get("action") == "submit":
        submit(register, signed, saved.code)
    return RedirectResponse(f"/progress/{saved.code}", status_code=303)


def _form_of(data) -> ProgressForm:  # type: ignore[no-untyped-def]
    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    columns = {f: [v if isinstance(v, str) else "" for v in data.getlist(f"item_{f}")]
               for f in ("category", "model", "quantity", "found_date", "longitude", "latitude")}
    count = max((len(v) for v in columns.values()), default=0)
    lines = [ItemLine(**{f: (values[i] if i < len(values) else "") for f, values in columns.items()})
             for i in range(min(count, 500))]
    return ProgressForm(text("activity_code"), text("period_start"), text("period_end"), text("area_worked_m2"),
                        text("working_days"), text("deminers"), lines)


def _form_page(request: Request, user: User, register, form: ProgressForm, *, code: str | None,
               issues: list[Issue] | None = None, status_code: int = 200) -> Response:
    report_errors: dict[str, list[str]] = {}
    item_errors: dict[tuple[int, str], list[str]] = {}
    general: list[Issue] = []
    for issue in issues or []:
        target = "longitude" if issue.field in ("longitude/latitude", "latitude/longitude") else issue.field
        if issue.file == REPORT_FORM and target:
            report_errors.setdefault(target, []).append(issue.reason)
        elif issue.file == ITEMS_FORM and target and issue.row is not None:
            item_errors.setdefault((issue.row, target), []).append(issue.reason)
        else:
            general.append(issue)
    lines = form.items + [ItemLine() for _ in range(BLANK_LINES)]
    return render(request, "progress/form.html", user, status_code=status_code, form=form, lines=lines, code=code,
                  activities=activities_for_entry(register, user), categories=list(EOCategory),
                  models=list_models(register), report_errors=report_errors, item_errors=item_errors,
                  general=general, issue_count=len([i for i in issues or [] if i.severity == "error"]))
