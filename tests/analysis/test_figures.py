"""Reconciliation: the period figures equal what the register holds, on small data with known totals, both backends.

On top of the small Aghdam programme (tests/register_files.py: one approved weekly report with 2 AP and 1 AT mines, a
cleared and a reduced square of 50 m), this adds a week in Fuzuli with a pending and a rejected report, an EOD spot
task in Zangilan recorded without any report, the previous week in Aghdam, a retired item, an incident with two
victims, a risk education session, a completed clearance task that found nothing and a team that never reported.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from demine.analysis.compute import period_figures, totals, weekly_figures
from demine.analysis.period import Period
from demine.services.records_admin import retire
from demine.store.tables.operations import land_release_outputs
from register_files import lonlat, square_wkt, write_csv
from report_week_files import district_points, load_files

WEEK = Period(dt.date(2024, 7, 29), dt.date(2024, 8, 4))


def m2(value: float):  # type: ignore[no-untyped-def]
    """Areas are summed in the database and rounded to the cm² (so that both backends agree)."""
    return pytest.approx(value, abs=0.02)


def _extra_rows() -> dict[str, list[dict[str, object]]]:
    points = district_points()
    fuzuli, zangilan = points["Fuzuli"], points["Zangilan"]

    def activity(code: str, team: str, kind: str, point: tuple[float, float], status: str = "ongoing",
                 end: str = "") -> dict[str, object]:
        return {"code": code, "activity_type": kind, "organisation_code": "OP1", "team_code": team,
                "method": "manual", "start_date": "2024-07-01", "end_date": end, "status": status,
                "longitude": point[0], "latitude": point[1]}

    def report(code: str, task: str, start: str, end: str, status: str, area: str = "1000") -> dict[str, object]:
        return {"code": code, "activity_code": task, "period_start": start, "period_end": end,
                "area_worked_m2": area, "working_days": "5", "deminers": "8", "review_status": status}

    def item(code: str, task: str, report_code: str, category: str, quantity: int, day: str,
             point: tuple[float, float]) -> dict[str, object]:
        return {"code": code, "activity_code": task, "progress_report_code": report_code, "category": category,
                "found_date": day, "quantity": str(quantity), "longitude": point[0], "latitude": point[1]}

    return {
        "teams": [{"code": "OP1-M2", "organisation_code": "OP1", "name": "Manual 2", "method": "manual",
                   "members": "8"},
                  {"code": "OP1-M3", "organisation_code": "OP1", "name": "Manual 3", "method": "manual",
                   "members": "6"}],
        "activities": [activity("ACT-F", "OP1-M2", "clearance", fuzuli),
                       activity("ACT-Z", "OP1-M2", "eod_spot_task", zangilan),
                       activity("ACT-E", "OP1-M3", "clearance", lonlat(400, 400), "completed", "2024-08-02")],
        "progress": [report("PR-F1", "ACT-F", "2024-07-29", "2024-08-04", "submitted"),
                     report("PR-F2", "ACT-F", "2024-07-29", "2024-08-04", "rejected"),
                     report("PR-0", "ACT-1", "2024-07-22", "2024-07-28", "approved", "2000")],
        "outputs": [{"code": "OUT-F", "activity_code": "ACT-F", "progress_report_code": "PR-F1", "outcome": "cleared",
                     "release_date": "2024-08-03", "wkt": _square_at(fuzuli, 100)},
                    {"code": "OUT-0", "activity_code": "ACT-1", "progress_report_code": "PR-0", "outcome": "cleared",
                     "release_date": "2024-07-26", "wkt": square_wkt(0, 60, 40)},
                    {"code": "OUT-E", "activity_code": "ACT-E", "progress_report_code": "", "outcome": "cleared",
                     "release_date": "2024-08-02", "wkt": square_wkt(400, 400, 30)}],
        "items": [item("IT-F1", "ACT-F", "PR-F1", "uxo", 3, "2024-08-01", fuzuli),
                  item("IT-F2", "ACT-F", "PR-F2", "axo", 4, "2024-08-01", fuzuli),
                  item("IT-Z1", "ACT-Z", "", "uxo", 10, "2024-08-02", zangilan),
                  item("IT-Z2", "ACT-Z", "", "submunition", 2, "2024-08-02", zangilan),
                  item("IT-R", "ACT-Z", "", "uxo", 100, "2024-08-02", zangilan),
                  item("IT-0", "ACT-1", "PR-0", "ap_mine", 1, "2024-07-25", lonlat(12, 70))],
        "incidents": [{"code": "INC-W", "kind": "civilian_incident", "incident_date": "2024-07-30",
                       "category": "at_mine", "activity_of_people": "farming", "killed": "1", "injured": "1",
                       "longitude": fuzuli[0], "latitude": fuzuli[1]}],
        "victims": [{"code": "V-W1", "incident_code": "INC-W", "sex": "male", "age_years": "45", "outcome": "killed",
                     "activity": "farming"},
                    {"code": "V-W2", "incident_code": "INC-W", "sex": "female", "age_years": "12",
                     "outcome": "injured", "activity": "farming"}],
        "eore": [{"code": "EORE-W", "session_date": "2024-07-31", "organisation_code": "ANAMA",
                  "delivery_method": "face_to_face", "girls": "5", "boys": "6", "women": "7", "men": "8",
                  "longitude": fuzuli[0], "latitude": fuzuli[1]}],
    }


def _square_at(point: tuple[float, float], side_m: float) -> str:
    dx, dy = side_m / 85_300, side_m / 111_000
    x, y = point
    return f"POLYGON (({x} {y}, {x + dx} {y}, {x + dx} {y + dy}, {x} {y + dy}, {x} {y}))"


@pytest.fixture
def small_register(register, programme_files: dict[str, Path], tmp_path: Path):  # type: ignore[no-untyped-def]
    load_files(register, programme_files)
    folder = tmp_path / "extra"
    folder.mkdir()
    load_files(register, {kind: write_csv(folder / f"{kind}.csv", rows) for kind, rows in _extra_rows().items()})
    retire(register, "items", "IT-R", actor="test", reason="entered twice")
    return register


def _areas(register, *codes: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        rows = connection.execute(select(land_release_outputs.c.code, land_release_outputs.c.area_m2)
                                  .where(land_release_outputs.c.code.in_(codes)))
        return dict(rows.tuples().all())


def test_approved_counts_pending_is_apart_and_districts_follow_the_order(small_register) -> None:  # type: ignore[no-untyped-def]
    with small_register.reading() as connection:
        figures = weekly_figures(connection, WEEK)
    stored = _areas(small_register, "OUT-1", "OUT-2", "OUT-E", "OUT-F")
    # Aghdam: PR-1's 2 AP + 1 AT; Zangilan: 10 UXO + 2 submunitions with no report (IT-R is retired).
    assert figures.national.items.by_category == {"ap_mine": 2, "at_mine": 1, "uxo": 10, "submunition": 2}
    assert figures.national.items.unexploded == 12
    assert [d.name for d in figures.named_districts] == ["Aghdam", "Zangilan"]  # Fuzuli's only work is pending
    aghdam = figures.districts[0]
    assert aghdam.land.cleared_m2 == m2(stored["OUT-1"] + stored["OUT-E"])
    assert aghdam.land.reduced_m2 == m2(stored["OUT-2"])
    assert figures.national.land.total_m2 == m2(stored["OUT-1"] + stored["OUT-2"] + stored["OUT-E"])
    assert 2_400 < stored["OUT-1"] < 2_600  # the 50 m square, measured
    assert (figures.pending.reports, figures.pending.items) == (1, 3)
    assert figures.pending.land_m2 == m2(stored["OUT-F"])


def test_previous_period_and_cumulative(small_register) -> None:  # type: ignore[no-untyped-def]
    with small_register.reading() as connection:
        full = period_figures(connection, WEEK, since=dt.date(2024, 7, 1))
        before = totals(connection, Period(dt.date(2024, 7, 1), dt.date(2024, 7, 28)))
    out0 = _areas(small_register, "OUT-0")["OUT-0"]
    assert full.previous.period == Period(dt.date(2024, 7, 22), dt.date(2024, 7, 28))
    assert full.previous.items.by_category == {"ap_mine": 1}
    assert full.previous.land.cleared_m2 == m2(out0)
    assert full.cumulative is not None
    assert full.cumulative.items.total == full.national.items.total + before.items.total == 16
    assert full.cumulative.land.total_m2 == m2(full.national.land.total_m2 + out0)


def test_tables_indicators_and_data_quality(small_register) -> None:  # type: ignore[no-untyped-def]
    with small_register.reading() as connection:
        full = period_figures(connection, WEEK)
    stored = _areas(small_register, "OUT-1", "OUT-E")
    assert [(o.code, o.items.total) for o in full.operators] == [("OP1", 15)]
    assert {(m.category, m.model): m.quantity for m in full.models} == {
        ("ap_mine", "PMN-2"): 2, ("at_mine", "TM-62M"): 1, ("uxo", None): 10, ("submunition", None): 2}
    # ACT-E completed and found nothing: its cleared square is the empty share; ACT-1 found mines.
    empty = full.empty_clearance
    assert (empty.completed_tasks, empty.completed_tasks_nothing_found) == (1, 1)
    assert empty.area_share == pytest.approx(stored["OUT-E"] / (stored["OUT-E"] + stored["OUT-1"]), abs=1e-5)
    # Only PR-1 is approved and ends in the week: 2,500 m² by 10 deminers over 6 days.
    assert [(t.team_code, t.m2_per_unit_day) for t in full.team_productivity] == [("OP1-M1", pytest.approx(2500 / 60))]
    assert full.casualties.incidents == 1 and (full.casualties.killed, full.casualties.injured) == (1, 1)
    assert full.casualties.by_age_group == {"adult": 1, "child": 1}
    assert full.casualties.by_sex == {"male": 1, "female": 1} and full.casualties.by_district == {"Fuzuli": (1, 1, 1)}
    assert full.risk_education.total == 26 and full.risk_education.sessions == 1
    # OP1-M3's task ran in the week with no report at all; OP1-M2 sent (pending and rejected) reports.
    assert [m.team_code for m in full.missing_reports] == ["OP1-M3"]


def test_flagged_submissions_are_listed(small_register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from demine.services.imports import import_file

    # 20,000 m² by 2 deminers in 5 days is beyond a manual team's ceiling: stored, flagged for review.
    row = {"code": "PR-X", "activity_code": "ACT-1", "period_start": "2024-07-29", "period_end": "2024-08-02",
           "area_worked_m2": "2000", "working_days": "1", "deminers": "2", "review_status": "submitted"}
    import_file(small_register, "progress", write_csv(tmp_path / "flagged.csv", [row]), actor="test")
    with small_register.reading() as connection:
        full = period_figures(connection, WEEK)
    assert full.flagged_total == 1
    assert [(f.kind, f.code) for f in full.flagged] == [("progress report", "PR-X")]
    assert "area_worked_m2" in full.flagged[0].flags
    assert full.weekly.pending.reports == 2


def test_an_empty_period_names_no_district(small_register) -> None:  # type: ignore[no-untyped-def]
    with small_register.reading() as connection:
        figures = weekly_figures(connection, Period(dt.date(2023, 1, 1), dt.date(2023, 1, 7)))
    assert figures.districts == () and figures.national.items.total == 0 and figures.national.land.total_m2 == 0


def test_late_reports_by_the_due_rule(small_register, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Reports ending in the period are judged by their sending day; unknown days and retired reports never count."""
    from demine.services.imports import import_file

    def sent(code: str, end: str, on: str) -> dict[str, object]:
        start = (dt.date.fromisoformat(end) - dt.timedelta(days=4)).isoformat()
        return {"code": code, "activity_code": "ACT-1", "period_start": start, "period_end": end,
                "area_worked_m2": "500", "working_days": "3", "deminers": "8", "review_status": "submitted",
                "submitted_on": on}

    rows = [sent("PR-ON-TIME", "2024-08-02", "2024-08-05"),   # 3 days after: due that day
            sent("PR-LATE-1", "2024-08-02", "2024-08-06"),    # 4 days after: one day late
            sent("PR-LATE-9", "2024-08-01", "2024-08-13"),    # twelve days after
            sent("PR-UNKNOWN", "2024-08-03", ""),             # no sending day: not judged
            sent("PR-BEFORE", "2024-07-26", "2024-08-20"),    # ends before the week: another period's lateness
            sent("PR-RETIRED", "2024-08-02", "2024-08-30")]
    import_file(small_register, "progress", write_csv(tmp_path / "sent.csv", rows), actor="test")
    retire(small_register, "progress", "PR-RETIRED", actor="test", reason="sent twice")
    with small_register.reading() as connection:
        by_rule = period_figures(connection, WEEK)
        strict = period_figures(connection, WEEK, due_days=0)
    assert [(r.report_code, r.days_late, r.team_code, r.organisation) for r in by_rule.late_reports] == [
        ("PR-LATE-9", 9, "OP1-M1", "OP1"), ("PR-LATE-1", 1, "OP1-M1", "OP1")]
    assert by_rule.late_reports[0].submitted_on == dt.date(2024, 8, 13) and by_rule.report_due_days == 3
    assert [(r.report_code, r.days_late) for r in strict.late_reports] == [
        ("PR-LATE-9", 12), ("PR-LATE-1", 4), ("PR-ON-TIME", 3)]


def test_a_report_cannot_be_sent_before_its_period_begins(register, programme_files, tmp_path: Path):  # type: ignore[no-untyped-def]
    from demine.errors import ValidationFailed
    from demine.services.imports import import_file

    load_files(register, programme_files)
    row = {"code": "PR-EARLY", "activity_code": "ACT-1", "period_start": "2024-08-05", "period_end": "2024-08-11",
           "area_worked_m2": "500", "working_days": "3", "deminers": "8", "submitted_on": "2024-08-01"}
    path = write_csv(tmp_path / "early.csv", [row])
    with pytest.raises(ValidationFailed) as failure:
        import_file(register, "progress", path, actor="test")
    assert "early.csv, row 2, field 'submitted_on'" in str(failure.value)
    assert "before period start" in str(failure.value)
