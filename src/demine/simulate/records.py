"""Supplied minefield records, derived from the truth by the errors real records carry.

A record is drawn from the rows its unit laid, then spoiled: a wrong reference point shifts everything by the same
vector (tens to hundreds of metres); a compass error rotates it; rows are forgotten or invented; counts and models
are mis-copied; and some records describe minefields that were never laid. No records exist for Khojavand, Tartar or
the withdrawal fields (FACTS.md). The true class and shift stay in the truth, to score record verification.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
from shapely.geometry import LineString, MultiLineString, Polygon

from demine.simulate.config import DISTRICTS_WITHOUT_RECORDS, ScenarioConfig
from demine.simulate.minefields import AP_ROW_MODELS, AT_ROW_MODELS, LaidRow, lay_row_belt
from demine.simulate.truth import ContaminationSite, SiteKind


@dataclass(frozen=True, slots=True)
class SuppliedRecord:
    code: str
    site_id: int | None  # None: a fictitious record
    true_class: str  # accurate, shifted, partially_accurate, inaccurate, fictitious
    shift_x: float  # metres, the systematic offset applied (wrong reference point)
    shift_y: float
    rotation_deg: float
    rows: tuple[LaidRow, ...]  # as written on the form (metric)
    reference1: tuple[float, float]
    reference2: tuple[float, float]
    perimeter: Polygon
    received_date: dt.date
    laid_date: dt.date
    laying_unit: str
    district: int


def _transform(rows: tuple[LaidRow, ...], cx: float, cy: float, dx: float, dy: float, rot: float) -> list[LaidRow]:
    c, s = np.cos(np.radians(-rot)), np.sin(np.radians(-rot))  # bearing is clockwise, maths is anticlockwise
    out = []
    for r in rows:
        px, py = r.start_x - cx, r.start_y - cy
        out.append(replace(r, start_x=cx + c * px - s * py + dx, start_y=cy + s * px + c * py + dy,
                           bearing_deg=(r.bearing_deg + rot) % 360))
    return out


def _miscopy(rng: np.random.Generator, rows: list[LaidRow], count_error: float, model_error: float) -> list[LaidRow]:
    out = []
    for r in rows:
        count = max(2, round(r.count * float(rng.uniform(1 - count_error, 1 + count_error))))
        model = r.model
        if rng.random() < model_error:
            model = str(rng.choice(AT_ROW_MODELS if model.startswith("TM") else AP_ROW_MODELS))
        # The form is self-consistent even when wrong: length follows from the count and the spacing.
        out.append(replace(r, count=count, model=model, length_m=round((count - 1) * r.spacing_m, 1)))
    return out


def _exact(rows: list[LaidRow]) -> list[LaidRow]:
    return [replace(r, length_m=round((r.count - 1) * r.spacing_m, 1)) for r in rows]


def _perimeter(rows: list[LaidRow]) -> Polygon:
    lines = []
    for r in rows:
        b = np.radians(r.bearing_deg)
        lines.append(LineString([(r.start_x, r.start_y), (r.start_x + r.length_m * np.sin(b),
                                                          r.start_y + r.length_m * np.cos(b))]))
    return MultiLineString(lines).convex_hull.buffer(10, join_style="mitre")


def _spoil(rng: np.random.Generator, klass: str, rows: list[LaidRow], cx: float, cy: float,
           ) -> tuple[list[LaidRow], float, float, float]:
    angle = rng.uniform(0, 2 * np.pi)
    if klass == "accurate":
        dist, rot = abs(rng.normal(0, 4)), float(rng.normal(0, 0.5))
        return _exact(_transform(tuple(rows), cx, cy, dist * np.cos(angle), dist * np.sin(angle), rot)), \
            dist * np.cos(angle), dist * np.sin(angle), rot
    if klass == "shifted":
        dist, rot = rng.uniform(80, 450), float(rng.normal(0, 1.5))
        rows = _exact(rows)
    elif klass == "partially_accurate":
        dist, rot = rng.uniform(25, 70), float(rng.normal(0, 4))
        if len(rows) > 2:
            forgotten = int(rng.integers(len(rows)))
            rows = [r for i, r in enumerate(rows) if i != forgotten]  # a forgotten row
        rows = _miscopy(rng, rows, 0.35, 0.3)
    else:  # inaccurate: "coordinates of the points were incorrect"
        dist, rot = rng.uniform(250, 1500), float(rng.uniform(-30, 30))
        rows = _miscopy(rng, rows, 0.6, 0.5)
        if rng.random() < 0.5:
            extra = rows[-1]
            # An invented row gets a label the form does not use yet (rows may have been miscopied out of order).
            rows.append(replace(extra, label=_unused_label({r.label for r in rows}), start_x=extra.start_x + 25))
    dx, dy = dist * np.cos(angle), dist * np.sin(angle)
    return _transform(tuple(rows), cx, cy, dx, dy, rot), dx, dy, rot


def _unused_label(used: set[str]) -> str:
    for code in range(ord("A"), ord("Z") + 1):
        if chr(code) not in used:
            return chr(code)
    return f"R{len(used) + 1}"


def _reference_points(rng: np.random.Generator, rows: list[LaidRow]) -> tuple[tuple[float, float], ...]:
    # Landmarks a few tens of metres off the first row's ends, as a sapper would pace them out.
    r = rows[0]
    b = np.radians(r.bearing_deg)
    ex, ey = r.start_x + r.length_m * np.sin(b), r.start_y + r.length_m * np.cos(b)
    off = rng.uniform(20, 80, 2)
    return ((r.start_x - off[0] * np.cos(b), r.start_y + off[0] * np.sin(b)),
            (ex - off[1] * np.cos(b), ey + off[1] * np.sin(b)))


def supply_records(seed: int, config: ScenarioConfig, sites: list[ContaminationSite],
                   district_names: list[str]) -> list[SuppliedRecord]:
    rng = np.random.default_rng([seed, 3])
    eligible = [s for s in sites if s.kind in (SiteKind.ROW_BELT, SiteKind.PROTECTIVE) and s.held_side
                and district_names[s.district] not in DISTRICTS_WITHOUT_RECORDS]
    eligible = [s for s in eligible if rng.random() < 0.85]  # some forms were never handed over
    shares = config.record_class_shares
    real = {k: v for k, v in shares.items() if k != "fictitious"}
    n_fictitious = round(len(eligible) * shares["fictitious"] / sum(real.values()))
    quota = np.repeat(list(real), [round(len(eligible) * v / sum(real.values())) + 1 for v in real.values()])
    classes = rng.permutation(quota)[: len(eligible)]
    records: list[SuppliedRecord] = []
    for site, klass in zip(eligible, classes):
        rows, dx, dy, rot = _spoil(rng, str(klass), list(site.rows), site.x, site.y)
        records.append(_record(rng, len(records), site.site_id, str(klass), rows, dx, dy, rot, site))
    for _ in range(n_fictitious):
        template = eligible[int(rng.integers(len(eligible)))] if eligible else None
        if template is None:
            break
        # A field that was planned, or recorded to deter, but never laid: placed near real ones, on no mines.
        x, y = template.x + rng.normal(0, 3000), template.y + rng.normal(0, 3000)
        _, rows = lay_row_belt(rng, x, y, template.bearing)
        records.append(_record(rng, len(records), None, "fictitious", _exact(rows), 0.0, 0.0, 0.0, template))
    return records


def _record(rng: np.random.Generator, n: int, site_id: int | None, klass: str, rows: list[LaidRow], dx: float,
            dy: float, rot: float, site: ContaminationSite) -> SuppliedRecord:
    ref1, ref2 = _reference_points(rng, rows)
    received = dt.date(2021, 6, 12) if rng.random() < 0.7 else dt.date(2024, 2, 9)
    return SuppliedRecord(f"MFR-{n + 1:05d}", site_id, klass, float(dx), float(dy), float(rot), tuple(rows), ref1,
                          ref2, _perimeter(rows), received, site.laid_date, f"Engineer unit {int(rng.integers(100, 999))}",
                          site.district)
