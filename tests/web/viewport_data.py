"""Many features scattered over Aghdam on top of the small programme, for the spatial index and grid tests.

12,000 items found (enough for the bulk path's deferred indexes and its ANALYZE), under reports that are approved,
submitted or rejected, or under none; 400 hazard polygons of every size; 300 incidents. Seeded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

try:
    from register_files import BASE_LAT, BASE_LON, write_csv
except ImportError:  # tests/ as a package
    from ..register_files import BASE_LAT, BASE_LON, write_csv  # type: ignore[no-redef]

from demine.services.imports import import_file
from demine.services.register import open_register

ITEMS = 12_000
HAZARDS = 400
INCIDENTS = 300
SPREAD = 0.08  # degrees either side of the programme's base point
REPORTS = {"PR-2": "approved", "PR-3": "submitted", "PR-4": "rejected", "PR-5": "approved", "PR-6": "submitted"}
CATEGORIES = ("ap_mine", "at_mine", "uxo", "axo", "submunition")


def add_scattered(register, folder: Path, seed: int = 3) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    progress = [{"code": code, "activity_code": "ACT-1", "period_start": "2024-08-05", "period_end": "2024-08-11",
                 "area_worked_m2": "1000", "working_days": "5", "deminers": "8", "review_status": status,
                 "submitted_by": "team leader"} for code, status in REPORTS.items()]
    import_file(register, "progress", write_csv(folder / "progress.csv", progress), actor="test")
    reports = np.array(["PR-1", *REPORTS, ""])  # "" : an item imported without a report (completion data)
    lon = BASE_LON + rng.uniform(-SPREAD, SPREAD, ITEMS)
    lat = BASE_LAT + rng.uniform(-SPREAD, SPREAD, ITEMS)
    items = [{"code": f"SC-{k}", "activity_code": "ACT-1", "progress_report_code": reports[rng.integers(len(reports))],
              "category": CATEGORIES[rng.integers(len(CATEGORIES))], "model": "", "found_date": "2024-08-07",
              "quantity": str(int(rng.integers(1, 4))), "depth_cm": "", "condition": "", "disposal": "",
              "longitude": round(float(lon[k]), 7), "latitude": round(float(lat[k]), 7)} for k in range(ITEMS)]
    import_file(register, "items", write_csv(folder / "items.csv", items), actor="test")
    hazards = []
    for k in range(HAZARDS):
        x = BASE_LON + rng.uniform(-SPREAD, SPREAD)
        y = BASE_LAT + rng.uniform(-SPREAD, SPREAD)
        side = float(rng.choice([0.0002, 0.002, 0.02]))
        hazards.append({"code": f"HS-{k}", "hazard_class": "sha", "hazard_type": "minefield", "work_status": "open",
                        "reported_date": "2023-01-01", "benchmark_longitude": round(x, 7),
                        "benchmark_latitude": round(y, 7), "evidence_type": "visible_item",
                        "wkt": f"POLYGON (({x} {y}, {x + side} {y}, {x + side} {y + side}, {x} {y + side}, {x} {y}))"})
    import_file(register, "hazards", write_csv(folder / "hazards.csv", hazards), actor="test")
    incidents = [{"code": f"INS-{k}", "kind": "civilian_incident", "incident_date": "2024-05-02",
                  "category": "uxo", "model": "", "activity_of_people": "herding", "activity_code": "",
                  "killed": str(int(rng.integers(0, 2))), "injured": str(int(rng.integers(0, 3))), "description": "",
                  "longitude": round(BASE_LON + float(rng.uniform(-SPREAD, SPREAD)), 7),
                  "latitude": round(BASE_LAT + float(rng.uniform(-SPREAD, SPREAD)), 7)} for k in range(INCIDENTS)]
    import_file(register, "incidents", write_csv(folder / "incidents.csv", incidents), actor="test")


@pytest.fixture(scope="session")
def sqlite_scattered_template(sqlite_programme_template, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("scattered")
    path = folder / "register.db"
    shutil.copyfile(sqlite_programme_template, path)
    register = open_register(str(path))
    add_scattered(register, folder / "files")
    register.close()
    return path


@pytest.fixture(scope="session")
def postgis_scattered_template(postgis_server, postgis_programme_template, tmp_path_factory) -> str:  # type: ignore[no-untyped-def]
    name = postgis_server.new_database(template=postgis_programme_template)
    register = open_register(postgis_server.url(name))
    add_scattered(register, tmp_path_factory.mktemp("scattered-pg"))
    register.close()  # a template must have no connections when it is cloned
    return name


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgis", id="postgis", marks=pytest.mark.postgis)])
def scattered(request, tmp_path):  # type: ignore[no-untyped-def]
    """A copy of the web programme (on each backend) with the scattered features added; the register, open."""
    if request.param == "sqlite":
        target = tmp_path / "scattered.db"
        shutil.copyfile(request.getfixturevalue("sqlite_scattered_template"), target)
        register = open_register(str(target))
        yield register
        register.close()
        return
    server = request.getfixturevalue("postgis_server")
    name = server.new_database(template=request.getfixturevalue("postgis_scattered_template"))
    register = open_register(server.url(name))
    try:
        yield register
    finally:
        register.close()
        server.drop_database(name)
