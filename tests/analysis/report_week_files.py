"""A reporting week written as import files: the statement of 29 July - 4 August 2024 with known totals.

Seven of the 13 districts worked; every total is fixed here: 280 AP mines, 87 AT mines, 8,086 unexploded ordnance
(UXO, AXO and submunitions) and 2,790.9 ha released. Each district's task sits at a representative point of its
polygon in the shipped gazetteer; its outputs are squares measured with the importer's own area function and scaled
until their areas are exact to the cm². A submitted (pending) report in Lachin holds items and land that must not count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import shapely

from demine.domain.geodesy import areas_m2, local_equidistant_crs, transform_geometries
from pyproj import Transformer

try:
    from register_files import write_csv
except ImportError:  # pragma: no cover - when tests/ is a package
    from tests.register_files import write_csv  # type: ignore[no-redef]

WEEK = ("2024-07-29", "2024-08-04")


@dataclass(frozen=True)
class DistrictWeek:
    name: str
    ap: int
    at: int
    uxo: int  # split over uxo, axo and submunition
    hectares: float


# Sums: AP 280, AT 87, UXO 8,086, 2,790.9 ha.
GOLDEN = (
    DistrictWeek("Tartar", 60, 20, 2000, 500.0),
    DistrictWeek("Kalbajar", 40, 10, 1000, 300.5),
    DistrictWeek("Aghdam", 50, 15, 1500, 450.0),
    DistrictWeek("Khojaly", 30, 12, 900, 400.0),
    DistrictWeek("Fuzuli", 40, 10, 1200, 600.4),
    DistrictWeek("Jabrayil", 35, 10, 986, 340.0),
    DistrictWeek("Zangilan", 25, 10, 500, 200.0),
)
PENDING_DISTRICT = DistrictWeek("Lachin", 5, 1, 7, 10.0)
SHARES = (("cleared", 0.6), ("reduced", 0.3), ("cancelled", 0.1))


def district_points() -> dict[str, tuple[float, float]]:
    path = Path(str(resources.files("demine.data") / "azerbaijan" / "districts.geojson"))
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    points = {}
    for feature in features:
        point = shapely.point_on_surface(shapely.geometry.shape(feature["geometry"]))
        points[feature["properties"]["name"]] = (round(point.x, 6), round(point.y, 6))
    return points


def squares(centres: list[tuple[float, float]], targets_m2: list[float]) -> np.ndarray:
    """Squares around the centres whose areas, measured as the importer measures the whole file, equal the targets."""
    sides = np.sqrt(np.asarray(targets_m2))
    for _ in range(4):
        polygons = np.array([_square(c, s) for c, s in zip(centres, sides)], dtype=object)
        measured = areas_m2(polygons)
        sides = sides * np.sqrt(np.asarray(targets_m2) / measured)
    return np.array([_square(c, s) for c, s in zip(centres, sides)], dtype=object)


def _square(centre: tuple[float, float], side_m: float) -> shapely.Geometry:
    crs = local_equidistant_crs(*centre)
    half = side_m / 2
    local = shapely.box(-half, -half, half, half)
    return transform_geometries(np.array([local]), Transformer.from_crs(crs, "EPSG:4326", always_xy=True))[0]


def week_rows(districts: tuple[DistrictWeek, ...] = GOLDEN, *, pending: DistrictWeek | None = PENDING_DISTRICT,
              ) -> dict[str, list[dict[str, object]]]:
    points = district_points()
    rows: dict[str, list[dict[str, object]]] = {
        "organisations": [{"code": "ANAMA", "name": "Mine Action Agency", "organisation_type": "national_authority"},
                          {"code": "OP2", "name": "Operator Two", "organisation_type": "commercial_operator"}],
        "teams": [], "activities": [], "progress": [], "outputs": [], "items": []}
    plan = [(d, "approved") for d in districts] + ([(pending, "submitted")] if pending else [])
    centres, targets, output_rows = [], [], []
    for n, (district, status) in enumerate(plan):
        lon, lat = points[district.name]
        team, task, report = f"T-{n}", f"TASK-{n}", f"PR-{n}"
        rows["teams"].append({"code": team, "organisation_code": "ANAMA" if n % 2 == 0 else "OP2",
                              "name": f"Machine team {n}", "method": "mechanical", "members": "30"})
        rows["activities"].append({"code": task, "activity_type": "clearance", "organisation_code":
                                   "ANAMA" if n % 2 == 0 else "OP2", "team_code": team, "method": "mechanical",
                                   "start_date": "2024-07-01", "status": "ongoing", "longitude": lon, "latitude": lat})
        rows["progress"].append({"code": report, "activity_code": task, "period_start": WEEK[0], "period_end": WEEK[1],
                                 "area_worked_m2": f"{district.hectares * 10_000 * 0.9:.0f}", "working_days": "7",
                                 "deminers": "30", "review_status": status})
        for k, (outcome, share) in enumerate(SHARES):
            centres.append((lon + 0.03 * (k - 1), lat))
            targets.append(round(district.hectares * share * 10_000, 2))
            output_rows.append({"code": f"OUT-{n}-{k}", "activity_code": task, "progress_report_code": report,
                                "outcome": outcome, "release_date": WEEK[1]})
        rows["items"].extend(_items(n, district, task, report, (lon, lat)))
    for row, polygon in zip(output_rows, squares(centres, targets)):
        row["wkt"] = shapely.to_wkt(polygon, rounding_precision=9)
        rows["outputs"].append(row)
    return rows


def _items(n: int, district: DistrictWeek, task: str, report: str,
           point: tuple[float, float]) -> list[dict[str, object]]:
    lots = [("ap_mine", "PMN-2", 1)] * district.ap + [("at_mine", "TM-62M", 1)] * district.at
    remaining, kinds, k = district.uxo, ("uxo", "axo", "submunition"), 0
    while remaining:  # unexploded ordnance in lots of up to 50, the three categories in turn
        quantity = min(50, remaining)
        lots.append((kinds[k % 3], "", quantity))
        remaining -= quantity
        k += 1
    return [{"code": f"IT-{n}-{i}", "activity_code": task, "progress_report_code": report, "category": category,
             "model": model, "found_date": "2024-08-01", "quantity": str(quantity),
             "longitude": round(point[0] + 0.0001 * (i % 50), 6), "latitude": round(point[1] + 0.0001 * (i // 50), 6)}
            for i, (category, model, quantity) in enumerate(lots)]


def write_week(folder: Path, **options: object) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {kind: write_csv(folder / f"{kind}.csv", rows)
            for kind, rows in week_rows(**options).items() if rows}  # type: ignore[arg-type]


def load_files(register, files: dict[str, Path]) -> None:  # type: ignore[no-untyped-def]
    from demine.services.imports import import_file

    for kind, path in files.items():
        import_file(register, kind, path, actor="test")
