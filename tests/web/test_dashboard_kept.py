"""The dashboard's figures are kept between requests, keyed on the register's write counts: always equal to the
figures computed afresh, and to a direct count of approved items, before and after writes of every kind."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select, update

from demine.services import dashboard as dashboards
from demine.services.dashboard import compute_dashboard, dashboard
from demine.store.tables.operations import items_found, progress_reports
from demine.store.tables.people import incidents




def _fresh(register, day=None):  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        return compute_dashboard(connection, day=day)


def _approved_quantities(register) -> Counter:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        rows = connection.execute(
            select(items_found.c.category, items_found.c.quantity, items_found.c.retired_at,
                   items_found.c.progress_report_id, progress_reports.c.review_status)
            .select_from(items_found.outerjoin(progress_reports,
                                               progress_reports.c.id == items_found.c.progress_report_id))).all()
    totals: Counter = Counter()
    for r in rows:
        if r.retired_at is None and (r.progress_report_id is None or r.review_status == "approved"):
            totals[r.category] += r.quantity
    return totals


def test_kept_figures_equal_fresh_ones_through_writes(scattered):
    first = dashboard(scattered)
    assert first == _fresh(scattered)
    assert {k: v for k, v in first.cumulative.items.items() if v} == dict(_approved_quantities(scattered))
    kept = [entry for key, entry in dashboards._KEPT.items() if key[0] == scattered.location]
    assert len(kept) == 1 and kept[0][1] == first
    assert dashboard(scattered) == first  # from what was kept: nothing was written

    with scattered.writing() as connection:  # a review: a submitted report's items become official
        connection.execute(update(progress_reports).where(progress_reports.c.code == "PR-3")
                           .values(review_status="approved"))
    second = dashboard(scattered)
    assert second == _fresh(scattered) and second != first
    assert {k: v for k, v in second.cumulative.items.items() if v} == dict(_approved_quantities(scattered))
    assert sum(second.cumulative.items.values()) > sum(first.cumulative.items.values())

    with scattered.writing() as connection:  # a casualty figure corrected
        connection.execute(update(incidents).where(incidents.c.code == "INC-1").values(killed=2))
    third = dashboard(scattered)
    assert third == _fresh(scattered) and third.cumulative.killed == second.cumulative.killed + 2


def test_each_week_is_kept_apart(scattered):
    week = dt.date(2024, 8, 1)
    assert dashboard(scattered, day=week) == _fresh(scattered, week)
    assert dashboard(scattered, day=week + dt.timedelta(days=7)) == _fresh(scattered, week + dt.timedelta(days=7))
    assert dashboard(scattered, day=week).week_start == dt.date(2024, 7, 29)
