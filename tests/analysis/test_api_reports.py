"""The reports over HTTP: the statement and figures as JSON, the full report as a download."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from demine.api.app import create_app
from demine.settings import Settings


@pytest.fixture
def client(golden_register):  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(database_url=golden_register.location))) as test_client:
        yield test_client


def test_weekly_statement_and_figures(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/reports/weekly", params={"from": "2024-07-29", "to": "2024-08-04", "lang": "en",
                                                       "numbers": "az"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["statement"].startswith("During the mine-clearing operations in the Tartar, Kalbajar,")
    assert "8.086 unexploded ordnances (UXOs)" in body["statement"]
    assert body["sentences"][1] == "2.790,9 hectares were cleared of mines and UXOs over the past week."
    assert (body["national"]["ap_mines"], body["national"]["at_mines"], body["national"]["unexploded_ordnance"]) \
        == (280, 87, 8086)
    assert body["national"]["released_ha"] == pytest.approx(2790.9)
    assert body["named_districts"][0] == "Tartar" and "Lachin" not in body["named_districts"]
    assert body["pending"] == {"reports": 1, "items": 13, "released_ha": pytest.approx(10.0)}


def test_full_report_downloads_and_errors(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/reports/full", params={"from": "2024-07-29", "to": "2024-08-04", "format": "hxl"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert 'filename="demine-report-2024-07-29-2024-08-04.csv"' in answer.headers["content-disposition"]
    assert answer.text.splitlines()[1].startswith("#adm2+name,#adm2+code")
    xlsx = client.get("/api/reports/full", params={"from": "2024-07-29", "to": "2024-08-04", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    wrong = client.get("/api/reports/weekly", params={"from": "2024-08-04", "to": "2024-07-29"})
    assert wrong.status_code == 400 and wrong.headers["content-type"] == "application/problem+json"
    assert client.get("/api/reports/full", params={"format": "doc"}).status_code == 422
    # A mistyped year (found by Schemathesis: it pushed the comparison period out of the calendar, a 500 before).
    ancient = client.get("/api/reports/full", params={"from": "1013-01-01", "format": "csv"})
    assert ancient.status_code == 400 and "1013-01-01" in ancient.json()["detail"]
