"""A small, coherent programme in Aghdam written as import files, with totals the tests know.

Two hazards, one clearance task, one weekly progress report, two outputs, three items, one record with two rows,
one incident with one victim, one EORE session, one assistance record, one project. Positions are metres away from
a base point inside Aghdam district, so every file passes validation as written; tests then break one thing at a time.
"""

from __future__ import annotations

import csv
from pathlib import Path

BASE_LON, BASE_LAT = 46.9274, 40.0304  # inside Aghdam district
M_LON, M_LAT = 1 / 85_300, 1 / 111_000  # degrees per metre near 40° N (approximate; areas are measured, not these)


def lonlat(east_m: float, north_m: float) -> tuple[float, float]:
    return round(BASE_LON + east_m * M_LON, 7), round(BASE_LAT + north_m * M_LAT, 7)


def square_wkt(east_m: float, north_m: float, side_m: float) -> str:
    corners = [(0, 0), (side_m, 0), (side_m, side_m), (0, side_m), (0, 0)]
    points = [lonlat(east_m + dx, north_m + dy) for dx, dy in corners]
    return "POLYGON ((" + ", ".join(f"{x} {y}" for x, y in points) + "))"


def rows_of_programme() -> dict[str, list[dict[str, object]]]:
    b1 = lonlat(10, 10)
    b2 = lonlat(1010, 10)
    return {
        "organisations": [
            {"code": "ANAMA", "name": "Mine Action Agency", "organisation_type": "national_authority",
             "country_code": "AZE", "accredited": "true"},
            {"code": "OP1", "name": "Demining Operator One", "organisation_type": "commercial_operator",
             "country_code": "AZE", "accredited": "true"},
        ],
        "teams": [
            {"code": "OP1-M1", "organisation_code": "OP1", "name": "Manual 1", "method": "manual", "members": "10",
             "base_name": "Aghdam", "base_longitude": BASE_LON, "base_latitude": BASE_LAT, "active_from": "2021-01-10"},
        ],
        "hazards": [
            {"code": "HA-1", "name": "Field north", "hazard_class": "cha", "hazard_type": "minefield",
             "work_status": "open", "reported_date": "2021-02-01", "reporting_organisation_code": "ANAMA",
             "benchmark_longitude": b1[0], "benchmark_latitude": b1[1], "suspected_categories": "ap_mine,at_mine",
             "confirmed_categories": "ap_mine", "evidence_type": "visible_item", "evidence_description": "PMN-2 seen",
             "expected_beneficiaries": "120", "land_use": "agricultural", "wkt": square_wkt(0, 0, 200)},
            {"code": "HA-2", "name": "Orchard", "hazard_class": "sha", "hazard_type": "battle_area",
             "work_status": "open", "reported_date": "2021-03-01", "reporting_organisation_code": "ANAMA",
             "benchmark_longitude": b2[0], "benchmark_latitude": b2[1], "suspected_categories": "uxo",
             "wkt": square_wkt(1000, 0, 100)},
        ],
        "activities": [
            _activity("ACT-1", "HA-1", lonlat(20, 20)),
        ],
        "progress": [
            {"code": "PR-1", "activity_code": "ACT-1", "period_start": "2024-07-29", "period_end": "2024-08-04",
             "area_worked_m2": "2500", "working_days": "6", "deminers": "10", "review_status": "approved",
             "submitted_by": "team leader"},
        ],
        "outputs": [
            {"code": "OUT-1", "activity_code": "ACT-1", "progress_report_code": "PR-1", "outcome": "cleared",
             "release_date": "2024-08-04", "declared_area_m2": "", "clearance_depth_cm": "20",
             "land_use_after": "agricultural", "wkt": square_wkt(0, 0, 50)},
            {"code": "OUT-2", "activity_code": "ACT-1", "progress_report_code": "PR-1", "outcome": "reduced",
             "release_date": "2024-08-04", "declared_area_m2": "", "clearance_depth_cm": "",
             "land_use_after": "agricultural", "wkt": square_wkt(50, 0, 50)},
        ],
        "items": [
            _item("IT-1", "ap_mine", "PMN-2", lonlat(10, 12)),
            _item("IT-2", "ap_mine", "PMN-2", lonlat(15, 12)),
            _item("IT-3", "at_mine", "TM-62M", lonlat(30, 30)),
        ],
        "records": [
            {"code": "MR-1", "name": "Form 12", "supplying_party": "former adversary", "received_date": "2021-06-01",
             "laid_date": "1994-05-10", "laying_unit": "unit", "pattern": "rows", "emplacement_method": "hand_laid",
             "ap_count": "40", "at_count": "0", "mine_models": "PMN-2", "fuze_type": "pressure", "fuze_life": "",
             "anti_handling": "false", "self_destruct_period": "", "reference1_x": lonlat(0, 0)[0],
             "reference1_y": lonlat(0, 0)[1], "reference2_x": lonlat(200, 0)[0], "reference2_y": lonlat(200, 0)[1],
             "wkt": square_wkt(0, 0, 200)},
        ],
        "record-rows": [
            _row("MR-1-A", "A", lonlat(10, 20)),
            _row("MR-1-B", "B", lonlat(10, 40)),
        ],
        "incidents": [
            {"code": "INC-1", "kind": "civilian_incident", "incident_date": "2024-05-02", "category": "ap_mine",
             "model": "PMN-2", "activity_of_people": "herding", "activity_code": "", "killed": "0", "injured": "1",
             "description": "shepherd injured", "longitude": lonlat(300, 300)[0], "latitude": lonlat(300, 300)[1]},
        ],
        "victims": [
            {"code": "V-1", "incident_code": "INC-1", "full_name": "A. Shepherd", "sex": "male",
             "date_of_birth": "1980-01-01", "age_years": "44", "age_group": "", "address": "Aghdam",
             "outcome": "injured", "activity": "herding"},
        ],
        "eore": [
            {"code": "EORE-1", "session_date": "2024-06-01", "organisation_code": "ANAMA",
             "delivery_method": "school", "location_name": "School 1", "girls": "20", "boys": "25", "women": "2",
             "men": "1", "elderly_women": "0", "elderly_men": "0", "longitude": BASE_LON, "latitude": BASE_LAT},
        ],
        "assistance": [
            {"code": "SA-1", "victim_code": "V-1", "assistance_type": "prosthetics", "provided_date": "2024-07-01",
             "provider_organisation_code": "ANAMA", "notes": ""},
        ],
        "projects": [
            {"code": "PRJ-1", "name": "Aghdam ring road", "project_type": "road", "sponsor": "Ministry",
             "funding_usd": "1000000", "funded": "true", "ready_date": "2025-01-01", "deadline": "2026-01-01",
             "beneficiaries": "5000", "description": "",
             "wkt": f"LINESTRING ({BASE_LON} {BASE_LAT}, {lonlat(2000, 0)[0]} {lonlat(2000, 0)[1]})"},
        ],
    }


def _activity(code: str, hazard: str, point: tuple[float, float]) -> dict[str, object]:
    return {"code": code, "activity_type": "clearance", "hazard_code": hazard, "organisation_code": "OP1",
            "team_code": "OP1-M1", "method": "manual", "start_date": "2024-07-01", "end_date": "",
            "status": "ongoing", "clearance_depth_cm": "20", "longitude": point[0], "latitude": point[1]}


def _item(code: str, category: str, model: str, point: tuple[float, float]) -> dict[str, object]:
    return {"code": code, "activity_code": "ACT-1", "progress_report_code": "PR-1", "category": category,
            "model": model, "found_date": "2024-08-01", "quantity": "1", "depth_cm": "5", "condition": "armed",
            "disposal": "destroyed_in_situ", "longitude": point[0], "latitude": point[1]}


def _row(code: str, label: str, start: tuple[float, float]) -> dict[str, object]:
    return {"code": code, "record_code": "MR-1", "row_label": label, "start_longitude": start[0],
            "start_latitude": start[1], "bearing_deg": "90", "length_m": "100", "mine_spacing_m": "5",
            "mine_count": "21", "mine_model": "PMN-2"}


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_programme(folder: Path) -> dict[str, Path]:
    """Every kind's file of the small programme, in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    return {kind: write_csv(folder / f"{kind}.csv", rows) for kind, rows in rows_of_programme().items()}
