"""A hand-built programme for the planning tests: hazards at known distances from incidents, projects and team bases.

Built on tests/register_files.py (same base point in Aghdam, metres east/north of it). Every number below is chosen
so that a test can say which hazard must come first and why:
- HZ-CAS: a minefield with two civilian incidents (one killed) 100 m away: the casualty criterion.
- HZ-PRJ: a battle area crossed by a funded road project ready next year: the projects criterion.
- HZ-VIL: a battle area 500 m from a resettlement village of 3,000 people: the displaced criterion.
- HZ-FARM: a battle area of agricultural land, nothing else.
- HZ-NONE: far from everything, land use forest.
"""

from __future__ import annotations

import datetime as dt

from pathlib import Path

from register_files import lonlat, rows_of_programme, square_wkt, write_csv

LOAD_ORDER = ("organisations", "teams", "hazards", "activities", "progress", "outputs", "incidents", "projects")


def _hazard(code: str, east: float, north: float, side: float, *, kind: str = "battle_area",
            land_use: str = "", beneficiaries: str = "") -> dict[str, object]:
    point = lonlat(east + side / 2, north + side / 2)
    return {"code": code, "name": code, "hazard_class": "sha", "hazard_type": kind, "work_status": "open",
            "reported_date": "2022-01-10", "reporting_organisation_code": "ANAMA", "benchmark_longitude": point[0],
            "benchmark_latitude": point[1], "suspected_categories": "uxo", "confirmed_categories": "",
            "evidence_type": "witness_statement", "evidence_description": "", "expected_beneficiaries": beneficiaries,
            "land_use": land_use, "wkt": square_wkt(east, north, side)}


def _incident(code: str, east: float, north: float, killed: int, injured: int) -> dict[str, object]:
    x, y = lonlat(east, north)
    return {"code": code, "kind": "civilian_incident", "incident_date": "2023-05-02", "category": "ap_mine",
            "model": "", "activity_of_people": "herding", "activity_code": "", "killed": str(killed),
            "injured": str(injured), "description": "", "longitude": x, "latitude": y}


def _project(code: str, kind: str, wkt: str, *, usd: str, funded: str, ready: str, deadline: str,
             people: str) -> dict[str, object]:
    return {"code": code, "name": code, "project_type": kind, "sponsor": "Ministry", "funding_usd": usd,
            "funded": funded, "ready_date": ready, "deadline": deadline, "beneficiaries": people,
            "description": "", "wkt": wkt}


def planning_rows() -> dict[str, list[dict[str, object]]]:
    rows = rows_of_programme()
    rows["hazards"] += [
        _hazard("HZ-CAS", 4000, 0, 200, kind="minefield"),
        _hazard("HZ-PRJ", 0, 4000, 200),
        _hazard("HZ-VIL", 4000, 4000, 200),
        _hazard("HZ-FARM", 8000, 0, 200, land_use="agricultural"),
        _hazard("HZ-NONE", 8000, 8000, 200, land_use="forest"),
    ]
    rows["incidents"] += [_incident("INC-C1", 4300, 100, 1, 0), _incident("INC-C2", 4300, 150, 0, 2)]
    a, b = lonlat(-500, 4100), lonlat(700, 4100)
    rows["projects"] += [
        _project("PRJ-ROAD", "road", f"LINESTRING ({a[0]} {a[1]}, {b[0]} {b[1]})", usd="30000000", funded="true",
                 ready="2024-06-01", deadline="2025-06-01", people="8000"),
        _project("PRJ-VIL", "resettlement_village", square_wkt(4700, 4000, 300), usd="5000000", funded="true",
                 ready="2024-01-01", deadline="2026-01-01", people="3000"),
    ]
    return rows


def write_planning_programme(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = planning_rows()
    return {kind: write_csv(folder / f"{kind}.csv", rows[kind]) for kind in LOAD_ORDER}


# The date the tests plan from.
AS_OF = dt.date(2024, 9, 1)


def load_programme(register, folder):  # type: ignore[no-untyped-def]
    from demine.services.imports import import_file

    for kind, path in write_planning_programme(folder).items():
        import_file(register, kind, path, actor="test")
    return register
