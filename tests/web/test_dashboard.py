"""Dashboard figures: approved data only, the week and to date, trend and districts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from demine.services.dashboard import dashboard, week_bounds
from demine.store.tables.operations import progress_reports


def test_week_is_monday_to_sunday():
    assert week_bounds(dt.date(2024, 8, 1)) == (dt.date(2024, 7, 29), dt.date(2024, 8, 4))


def test_figures_of_the_latest_reported_week(client):
    figures = client.get("/dashboard/figures").json()
    assert figures["week_start"] == "2024-07-29" and figures["week_end"] == "2024-08-04"
    week = figures["week"]
    assert (week["ap"], week["at"], week["uxo"]) == (2, 1, 0)
    assert week["released_ha"]["cleared"] > 0 and week["released_ha"]["reduced"] > 0
    assert figures["cumulative"]["injured"] == 1 and week["injured"] == 0  # the incident was in May
    aghdam = [d for d in figures["districts"] if d["name"] == "Aghdam"][0]
    assert aghdam["ap"] == 2 and aghdam["open_hazards"] == 2
    assert sum(b["items"] for b in figures["trend"]) == 3


def test_only_approved_reports_count(web_app):
    register = web_app.state.register
    with register.writing() as connection:
        connection.execute(update(progress_reports).values(review_status="submitted"))
    figures = dashboard(register, day=dt.date(2024, 8, 1))
    assert figures.week.ap == 0 and figures.week.total_ha == 0 and figures.cumulative.at == 0


def test_dashboard_page_is_public_and_shows_figures(client):
    page = client.get("/dashboard", params={"day": "2024-08-01"})
    assert page.status_code == 200
    assert 'id="fig-ap"' in page.text and "<svg" in page.text and "Aghdam" in page.text
    assert "Shepherd" not in page.text
