"""Hazard status changes: allowed moves, dated and reasoned, recorded and audited."""

from __future__ import annotations

import datetime as dt

import pytest

from demine.domain.status import check_change
from demine.errors import InvalidTransition, NotFound
from demine.services.hazard_status import set_status
from demine.services.imports import import_file
from demine.services.queries import history, show_record

TODAY = dt.date(2025, 1, 1)


@pytest.mark.parametrize(("field", "current", "target"), [
    ("hazard_class", "sha", "cha"),
    ("work_status", "open", "worked_on"),
    ("work_status", "open", "closed"),
    ("work_status", "worked_on", "closed"),
    ("work_status", "closed", "open"),
])
def test_allowed_moves(field, current, target):
    change = check_change(field=field, current=current, target=target, effective_date=TODAY, reason="survey",
                          today=TODAY, last_change=None)
    assert (change.from_value, change.to_value) == (current, target)


@pytest.mark.parametrize(("field", "current", "target", "words"), [
    ("hazard_class", "cha", "sha", "cannot become sha"),
    ("work_status", "open", "open", "already open"),
])
def test_refused_moves(field, current, target, words):
    with pytest.raises(InvalidTransition, match=words):
        check_change(field=field, current=current, target=target, effective_date=TODAY, reason="x", today=TODAY,
                     last_change=None)


def test_reason_and_dates_are_required_in_order():
    with pytest.raises(InvalidTransition, match="needs a reason"):
        check_change(field="work_status", current="open", target="closed", effective_date=TODAY, reason=" ",
                     today=TODAY, last_change=None)
    with pytest.raises(InvalidTransition, match="in the future"):
        check_change(field="work_status", current="open", target="closed", effective_date=TODAY + dt.timedelta(1),
                     reason="x", today=TODAY, last_change=None)
    with pytest.raises(InvalidTransition, match="before the last change"):
        check_change(field="work_status", current="open", target="closed", effective_date=TODAY - dt.timedelta(9),
                     reason="x", today=TODAY, last_change=TODAY - dt.timedelta(1))


def test_status_change_is_stored_and_in_history(register, programme_files):
    for kind in ("organisations", "hazards"):
        import_file(register, kind, programme_files[kind], actor="officer")
    set_status(register, "HA-2", actor="planner", reason="UXO found on the surface", hazard_class="cha",
               work_status="worked_on", effective_date=dt.date(2024, 5, 1))
    stored = show_record(register, "hazards", "HA-2")
    assert (stored["hazard_class"], stored["work_status"]) == ("cha", "worked_on")
    entries = history(register, "HA-2")
    assert [e.action for e in entries] == ["created", "status", "status"]
    assert "UXO found on the surface" in entries[1].detail and entries[1].actor == "planner"
    with pytest.raises(NotFound):
        set_status(register, "HA-404", actor="x", reason="y", work_status="closed")
