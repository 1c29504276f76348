"""What-if inputs that are not (yet) in the register: a new development project read from a CSV file.

The file has the columns of the projects import format (code, name, project_type, funding_usd, funded, ready_date,
deadline, beneficiaries, wkt); nothing is stored: the projects only join the planner's inputs for this run.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from demine.domain.vocabulary import ProjectType
from demine.errors import Issue, ValidationFailed
from demine.planning.inputs import PlanningInputs

REQUIRED = ("code", "name", "project_type", "wkt")


def read_new_projects(path: Path) -> gpd.GeoDataFrame:
    path = Path(path)
    issues: list[Issue] = []
    rows = []
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationFailed([Issue(str(path), 1, missing[0], "missing column")])
            for line, raw in enumerate(reader, start=2):
                row, problems = _row(raw)
                issues += [Issue(str(path), line, field, reason) for field, reason in problems]
                rows.append(row)
    except FileNotFoundError:
        raise ValidationFailed([Issue(str(path), None, None, "file not found")]) from None
    if issues:
        raise ValidationFailed(issues)
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame["geometry"]), crs="EPSG:4326")


def _row(raw: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    problems = []
    kinds = {k.value for k in ProjectType}
    if raw["project_type"] not in kinds:
        problems.append(("project_type", f"{raw['project_type']!r} is not one of {', '.join(sorted(kinds))}"))
    try:
        geometry = shapely.from_wkt(raw["wkt"])
        if geometry is None or geometry.is_empty:
            raise ValueError("empty")
    except Exception:  # shapely raises its own GEOS errors for bad WKT
        geometry = None
        problems.append(("wkt", "not a valid WKT geometry"))
    dates = {}
    for field in ("ready_date", "deadline"):
        text = (raw.get(field) or "").strip()
        try:
            dates[field] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            problems.append((field, f"not a date (YYYY-MM-DD): {text!r}"))
    numbers = {}
    for field in ("funding_usd", "beneficiaries"):
        text = (raw.get(field) or "").strip()
        try:
            numbers[field] = float(text) if text else None
        except ValueError:
            problems.append((field, f"not a number: {text!r}"))
    funded = (raw.get("funded") or "").strip().lower() in ("true", "yes", "1")
    return ({"code": raw["code"], "name": raw["name"], "project_type": raw["project_type"],
             "funding_usd": numbers.get("funding_usd"), "funded": funded, "ready_date": dates.get("ready_date"),
             "deadline": dates.get("deadline"), "beneficiaries": numbers.get("beneficiaries"), "geometry": geometry},
            problems)


def with_projects(inputs: PlanningInputs, projects: gpd.GeoDataFrame) -> PlanningInputs:
    added = projects.to_crs(inputs.crs)
    return replace(inputs, projects=pd.concat([inputs.projects, added], ignore_index=True))
