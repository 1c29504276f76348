"""Progress reports in the browser's forms: entry with field-level errors, items from a file, the review workflow,
organisation boundaries, and the dashboard counting approved reports only."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient
from register_files import lonlat, write_csv

from demine.services.imports import import_file

from .conftest import csrf_of, sign_in

REPORT = {"activity_code": "ACT-1", "period_start": "2024-08-05", "period_end": "2024-08-11",
          "area_worked_m2": "3000", "working_days": "6", "deminers": "10"}
LINES = [("ap_mine", "PMN-2", "4", "2024-08-07"), ("at_mine", "TM-62M", "1", "")]


def _post_form(client: TestClient, url: str, fields: dict[str, str], lines=LINES, action: str = "save"):
    page = client.get("/progress/new")
    data: dict[str, str | list[str]] = {"csrf_token": csrf_of(page.text), "action": action, **fields}
    rows = [*lines, ("", "", "", "")]  # and a blank line, as the form always offers
    for position, name in enumerate(("category", "model", "quantity", "found_date")):
        data[f"item_{name}"] = [row[position] for row in rows]
    data["item_longitude"] = data["item_latitude"] = [""] * len(rows)
    return client.post(url, data=data, follow_redirects=False)


def _action(client: TestClient, code: str, action: str, **fields: str):
    token = csrf_of(client.get(f"/progress/{code}").text)
    return client.post(f"/progress/{code}/{action}", data={"csrf_token": token, **fields}, follow_redirects=False)


def _sent_on(client: TestClient, code: str, moved_to: dt.date | None = None) -> dt.date | None:
    """The report's sending day as stored; `moved_to` first backdates it, as if it had been sent that day."""
    from sqlalchemy import select, update

    from demine.store.tables.operations import progress_reports as p

    register = client.app.state.register
    if moved_to is not None:
        with register.writing() as connection:
            connection.execute(update(p).where(p.c.code == code).values(submitted_on=moved_to))
    with register.reading() as connection:
        return connection.execute(select(p.c.submitted_on).where(p.c.code == code)).scalar_one()


def _cumulative(client: TestClient) -> dict:
    return client.get("/dashboard/figures").json()["cumulative"]


def test_enter_submit_approve_and_the_dashboard_counts_it(client):
    before = _cumulative(client)
    sign_in(client, "op1")
    created = _post_form(client, "/progress/new", REPORT)
    assert created.status_code == 303
    code = created.headers["location"].removeprefix("/progress/")
    assert code == "ACT-1-PR-20240805"
    page = client.get(f"/progress/{code}").text
    assert 'data-status="saved' in page and "PMN-2" in page and "ap_mine PMN-2 x4; at_mine TM-62M x1" in page
    assert _cumulative(client) == before  # saved: not official
    assert _action(client, code, "submit").status_code == 303
    assert _cumulative(client) == before  # submitted: still not official
    assert _action(client, code, "approve").status_code == 403  # an operator does not review

    sign_in(client, "officer")
    assert code in client.get("/progress", params={"status": "submitted"}).text
    assert _action(client, code, "approve", comment="checked against the task file").status_code == 303
    after = _cumulative(client)
    assert (after["ap"], after["at"]) == (before["ap"] + 4, before["at"] + 1)
    page = client.get(f"/progress/{code}").text
    history = page.split('id="history"')[1]
    assert re.findall(r"<td>(create|submit|approve)</td>", history) == ["create", "submit", "approve"]
    assert "op1" in history and "officer" in history and "checked against the task file" in history
    assert _action(client, code, "reject", comment="too late").status_code == 409  # approved is final


def test_field_errors_are_shown_next_to_their_fields_and_nothing_is_written(sqlite_client):
    client = sqlite_client
    sign_in(client, "op1")
    bad = dict(REPORT, area_worked_m2="2,5", period_end="2024-08-01")
    lines = [("ap_mine", "TM-62M", "2", ""), ("uxo", "", "1", "2024-09-30")]
    response = _post_form(client, "/progress/new", bad, lines)
    assert response.status_code == 422
    errors = re.findall(r'<span class="field-error" role="alert">([^<]+)</span>', response.text)
    assert any("ambiguous number" in e for e in errors)  # area 2,5: decimal comma refused
    assert any("TM-62M" in e and "ap_mine" in e for e in errors)  # model of another category, on line 1
    assert 'value="2,5"' in response.text  # what was typed stays in the form
    assert client.get("/progress").text.count("ACT-1-PR-") == 0
    good_dates = dict(REPORT, area_worked_m2="2.5")
    response = _post_form(client, "/progress/new", good_dates, [("uxo", "", "1", "2024-09-30")])
    assert response.status_code == 422 and "outside the report&#39;s period" in response.text


@pytest.fixture
def two_operators(web_app, tmp_path):
    """A second organisation's activity (ANAMA's own task) beside OP1's."""
    point = lonlat(600, 600)
    path = write_csv(tmp_path / "act2.csv", [{
        "code": "ACT-2", "activity_type": "clearance", "hazard_code": "HA-2", "organisation_code": "ANAMA",
        "team_code": "", "method": "manual", "start_date": "2024-07-01", "end_date": "", "status": "ongoing",
        "clearance_depth_cm": "20", "longitude": point[0], "latitude": point[1]}])
    import_file(web_app.state.register, "activities", path, actor="test")
    with TestClient(web_app) as test_client:
        yield test_client


def test_an_operator_touches_only_its_own_organisations_data(two_operators):
    client = two_operators
    sign_in(client, "op1")
    refused = _post_form(client, "/progress/new", dict(REPORT, activity_code="ACT-2"))
    assert refused.status_code == 403
    assert "ACT-2" not in client.get("/progress/new").text  # not even offered

    sign_in(client, "officer")  # the agency's officer enters its own report
    code = _post_form(client, "/progress/new", dict(REPORT, activity_code="ACT-2")).headers["location"].split("/")[-1]
    sign_in(client, "op1")
    assert client.get(f"/progress/{code}").status_code == 403
    assert client.get(f"/progress/{code}/edit").status_code == 403
    token = csrf_of(client.get("/progress").text)
    assert client.post(f"/progress/{code}/submit", data={"csrf_token": token}).status_code == 403
    assert _post_form(client, f"/progress/{code}/edit", REPORT).status_code == 403
    assert code not in client.get("/progress").text

    sign_in(client, "viewer")
    assert client.get("/progress/new").status_code == 403
    client.cookies.clear()
    assert client.get("/progress", follow_redirects=False).headers["location"] == "/login?next=/progress"


def test_reject_with_comment_then_correct_and_resubmit(sqlite_client):
    client = sqlite_client
    sign_in(client, "op1")
    code = _post_form(client, "/progress/new", REPORT, action="submit").headers["location"].split("/")[-1]
    assert _sent_on(client, code) == dt.datetime.now(dt.UTC).date()  # the day it was sent, for the late list
    sign_in(client, "officer")
    assert _action(client, code, "reject").status_code == 400  # a rejection says what to correct
    assert _action(client, code, "reject", comment="TM-62M was found on 8 August").status_code == 303
    sign_in(client, "op1")
    page = client.get(f"/progress/{code}").text
    assert 'data-status="rejected' in page and "TM-62M was found on 8 August" in page
    edited = _post_form(client, f"/progress/{code}/edit", REPORT, [LINES[0], ("at_mine", "TM-62M", "1", "2024-08-08")])
    assert edited.status_code == 303
    assert 'data-status="saved' in client.get(f"/progress/{code}").text
    first_sent = _sent_on(client, code, moved_to=dt.date(2024, 8, 12))
    assert _action(client, code, "submit").status_code == 303
    assert _sent_on(client, code) == first_sent  # sending a correction again does not make the first one late
    # The officer may not approve what they submitted themselves.
    sign_in(client, "officer")
    own = _post_form(client, "/progress/new", dict(REPORT, period_start="2024-08-12", period_end="2024-08-18"),
                     [], action="submit").headers["location"].split("/")[-1]
    assert _action(client, own, "approve").status_code == 403
    assert _action(client, code, "approve").status_code == 303
    history = client.get(f"/progress/{code}").text.split('id="history"')[1]
    actions = re.findall(r"<td>(create|update|submit|approve|reject)</td>", history)
    assert actions == ["create", "submit", "reject", "update", "submit", "approve"]


def test_writes_need_the_csrf_token(sqlite_client):
    client = sqlite_client
    sign_in(client, "op1")
    assert client.post("/progress/new", data=REPORT).status_code == 403
    assert client.post("/progress/PR-1/submit", data={}).status_code == 403


def _items_rows(code: str, n: int = 2, report: str | None = None) -> list[dict[str, object]]:
    point = lonlat(40, 40)
    return [{"code": f"UP-{code}-{i}", "activity_code": "ACT-1", "progress_report_code": report or code,
             "category": "uxo", "model": "", "found_date": "2024-08-06", "quantity": "1", "depth_cm": "",
             "condition": "", "disposal": "", "longitude": point[0], "latitude": point[1]} for i in range(n)]


def test_items_from_a_file_with_errors_named_by_file_row_and_field(client, tmp_path):
    sign_in(client, "op1")
    code = _post_form(client, "/progress/new", REPORT, []).headers["location"].split("/")[-1]

    def upload(path):
        token = csrf_of(client.get(f"/progress/{code}").text)
        with path.open("rb") as handle:
            return client.post(f"/progress/{code}/items-file", data={"csrf_token": token},
                               files={"file": (path.name, handle.read())})

    rows = _items_rows(code)
    rows[1]["category"] = "landmine"
    rejected = upload(write_csv(tmp_path / "bad.csv", rows))
    assert rejected.status_code == 422
    issues = rejected.text.split('id="upload-issues"')[1]
    assert re.search(r"<td>bad.csv</td><td>3</td><td>category</td><td>[^<]*landmine", issues)
    elsewhere = upload(write_csv(tmp_path / "other.csv", _items_rows(code, report="PR-1")))
    assert elsewhere.status_code == 422 and "not this report" in elsewhere.text
    taken = _items_rows(code, 1)
    taken[0]["code"] = "IT-1"  # an item of another report: a re-import must not reach it
    assert "belongs to another record" in upload(write_csv(tmp_path / "taken.csv", taken)).text

    book = openpyxl.Workbook()
    sheet = book.active
    good = _items_rows(code, 3)
    sheet.append(list(good[0]))
    for row in good:
        sheet.append(list(row.values()))
    book.save(tmp_path / "items.xlsx")
    accepted = upload(tmp_path / "items.xlsx")
    assert accepted.status_code == 200 and "items.xlsx: 3 created" in accepted.text
    page = client.get(f"/progress/{code}").text
    assert "Items found (3)" in page and "items file" in page.split('id="history"')[1]
    # Editing the form keeps the file's items as they are, so the same file again changes nothing.
    assert _post_form(client, f"/progress/{code}/edit", REPORT, [("ap_mine", "PMN-2", "2", "")]).status_code == 303
    assert "Items found (5)" in client.get(f"/progress/{code}").text
    assert "items.xlsx: 0 created, 0 updated, 3 unchanged" in upload(tmp_path / "items.xlsx").text
