"""Plausibility rules of the import formats, each vectorised over the whole file.

An error rejects the file; a warning is stored with the record (`quality_flags`) for the information officer to
review. Some rules also derive a value the file does not give (an age group, a row's line).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer

from demine.domain import plausibility as p
from demine.domain.geodesy import local_equidistant_crs, to_projected, transform_xy
from demine.domain.vocabulary import AgeGroup, Method
from demine.io.geometry import WGS84

if TYPE_CHECKING:
    from demine.io.validation import CheckContext

GEOD = Geod(ellps="WGS84")


def _metres_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance between pairs of WGS84 geometries in metres, in a projection centred on the data."""
    both = np.concatenate([a, b])
    minx, miny, maxx, maxy = shapely.total_bounds(both)
    crs = local_equidistant_crs((minx + maxx) / 2, (miny + maxy) / 2)
    return shapely.distance(to_projected(a, crs), to_projected(b, crs))


def benchmark_near_perimeter(ctx: CheckContext) -> None:
    v = ctx.values
    benchmarks = shapely.points(v["benchmark_longitude"].to_numpy(float), v["benchmark_latitude"].to_numpy(float))
    distance = _metres_between(benchmarks, ctx.table.geometry.wgs84)
    ctx.flag(distance > p.MAX_BENCHMARK_DISTANCE_M, "benchmark_longitude",
             lambda i: f"the benchmark point is {distance[i]:,.0f} m from the perimeter", "warning")


def cha_needs_evidence(ctx: CheckContext) -> None:
    v = ctx.values
    missing = (v["hazard_class"] == "cha").to_numpy() & v["evidence_type"].isna().to_numpy()
    ctx.flag(missing, "evidence_type", "a confirmed hazardous area needs its direct evidence", "warning")


def end_not_before_start(ctx: CheckContext) -> None:
    _ordered(ctx, "start_date", "end_date")


def period_end_not_before_start(ctx: CheckContext) -> None:
    _ordered(ctx, "period_start", "period_end")
    _ordered(ctx, "period_start", "submitted_on")  # a report can be sent on its last days, never before it begins
    v = ctx.values
    length = (pd.to_datetime(v["period_end"]) - pd.to_datetime(v["period_start"])).dt.days.to_numpy() + 1
    ctx.flag(length > 31, "period_end", "a progress report covers at most a month")
    too_many = v["working_days"].to_numpy(dtype=float, na_value=0) > length
    ctx.flag(too_many, "working_days", lambda i: f"{v['working_days'].iat[i]} working days in a {length[i]}-day period")


def _ordered(ctx: CheckContext, start: str, end: str) -> None:
    v = ctx.values
    before = (pd.to_datetime(v[end]) < pd.to_datetime(v[start])).fillna(False).to_numpy()
    ctx.flag(before, end, lambda i: f"{v[end].iat[i]} is before {start.replace('_', ' ')} {v[start].iat[i]}")


def productivity_within_capacity(ctx: CheckContext) -> None:
    """More than a team could work is flagged, ten times more rejected; far less than it works is flagged."""
    v = ctx.values
    facts = ctx.activity_facts()
    units = v["deminers"].astype("Float64").fillna(facts["members"].astype("Float64")).fillna(1).to_numpy(float)
    days = v["working_days"].to_numpy(dtype=float, na_value=0)
    area = v["area_worked_m2"].to_numpy(dtype=float, na_value=0)
    ctx.flag((days == 0) & (area > 0), "working_days", "area worked on no working day")
    ceiling = facts["method"].map(lambda m: p.flag_ceiling(Method(m)) if isinstance(m, str) else np.nan)
    capacity = ceiling.to_numpy(float) * units * np.maximum(days, 1)
    with np.errstate(invalid="ignore"):
        unit_error = area > capacity * p.UNIT_ERROR_FACTOR
        beyond = (area > capacity) & ~unit_error

    def reason(i: int) -> str:
        hint = " (hectares typed where m² are asked?)" if area[i] / 10_000 <= capacity[i] else ""
        return (f"{area[i]:,.0f} m² is more than {units[i]:.0f} {facts['method'].iat[i]} unit(s) could work in "
                f"{days[i]:.0f} day(s) (at most about {capacity[i]:,.0f} m²){hint}")

    ctx.flag(unit_error, "area_worked_m2", reason)
    ctx.flag(beyond, "area_worked_m2", reason, "warning")
    # Too little is only flagged: the last days of a task may leave a few square metres amid dense contamination.
    lowest = facts["method"].map(lambda m: p.floor(Method(m)) if isinstance(m, str) else np.nan).to_numpy(float)
    least = lowest * units * np.maximum(days, 1)
    with np.errstate(invalid="ignore"):
        too_little = (area > 0) & (days > 0) & (area < least)
        as_hectares = (area * 10_000 >= least) & (area * 10_000 <= capacity)

    def low_reason(i: int) -> str:
        hint = ": hectares typed where m² are asked?" if as_hectares[i] else ""
        return (f"{area[i]:,.1f} m² is less than {units[i]:.0f} {facts['method'].iat[i]} unit(s) usually work in "
                f"{days[i]:.0f} day(s) (about {least[i]:,.0f} m²){hint}")

    ctx.flag(too_little, "area_worked_m2", low_reason, "warning")


def declared_area_matches_polygon(ctx: CheckContext) -> None:
    declared = ctx.table.extra["declared_area_m2"].to_numpy(dtype=float)
    computed = ctx.values["area_m2"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.abs(declared - computed) > p.AREA_TOLERANCE * computed
        in_hectares = off & (np.abs(declared * 10_000 - computed) <= p.AREA_TOLERANCE * computed)
    ctx.flag(in_hectares, "declared_area_m2",
             lambda i: f"{declared[i]:,.2f} looks like hectares: the polygon measures {computed[i]:,.0f} m²")
    ctx.flag(off & ~in_hectares, "declared_area_m2",
             lambda i: f"declared {declared[i]:,.0f} m² but the polygon measures {computed[i]:,.0f} m²", "warning")


def output_within_hazard(ctx: CheckContext) -> None:
    """An output larger than its hazard is a unit or polygon error; one outside it is suspicious."""
    facts = ctx.activity_facts()
    hazard_area = facts["hazard_area_m2"].to_numpy(dtype=float)
    area = ctx.values["area_m2"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        larger = area > hazard_area * (1 + p.OUTPUT_OVER_HAZARD_TOLERANCE)
    ctx.flag(larger, "wkt", lambda i: f"the output ({area[i] / 1e4:,.2f} ha) is larger than its hazard area "
                                      f"({hazard_area[i] / 1e4:,.2f} ha)")
    hazard_ids = facts["hazard_area_id"]
    geometries = ctx.lookup.hazard_geometries(hazard_ids.dropna().astype(int).unique().tolist())
    hazards = np.array([geometries.get(int(h)) if pd.notna(h) else None for h in hazard_ids], dtype=object)
    known = ~shapely.is_missing(hazards)
    apart = np.zeros(len(area), dtype=bool)
    apart[known] = ~shapely.intersects(hazards[known], ctx.table.geometry.wgs84[known])
    ctx.flag(apart, "wkt", "the output does not touch its hazard area", "warning")


def model_matches_category(ctx: CheckContext) -> None:
    categories = ctx.lookup.model_categories()
    v = ctx.values
    expected = v["model"].map(categories)
    wrong = (expected.notna() & v["category"].notna() & (expected != v["category"])).to_numpy()
    ctx.flag(wrong, "model", lambda i: f"{v['model'].iat[i]} is a {expected.iat[i]}, not a {v['category'].iat[i]}")


def derive_age_group(ctx: CheckContext) -> None:
    v = ctx.values
    age = v["age_years"].astype("Float64")
    derived = np.select(
        [age.lt(18).fillna(False), age.lt(60).fillna(False), age.ge(60).fillna(False)],
        [AgeGroup.CHILD.value, AgeGroup.ADULT.value, AgeGroup.ELDERLY.value],
        default=AgeGroup.UNKNOWN.value,
    )
    given = v["age_group"]
    clash = (given.notna() & age.notna() & (given != pd.Series(derived))).to_numpy()
    ctx.flag(clash, "age_group", lambda i: f"age {int(age.iat[i])} is not in age group '{given.iat[i]}'")
    v["age_group"] = given.fillna(pd.Series(derived, index=given.index))


def eore_has_beneficiaries(ctx: CheckContext) -> None:
    groups = ["girls", "boys", "women", "men", "elderly_women", "elderly_men"]
    total = ctx.values[groups].astype("Float64").fillna(0).sum(axis=1).to_numpy(float)
    ctx.flag(total == 0, "girls", "a session with no beneficiaries")


def reference_points_distinct(ctx: CheckContext) -> None:
    """Amended Protocol II asks for at least two reference points; read in the record's CRS, stored in WGS84."""
    v = ctx.values
    crs = ctx.table.geometry.crs
    for n in (1, 2):
        x, y = v[f"reference{n}_longitude"].to_numpy(float), v[f"reference{n}_latitude"].to_numpy(float)
        if crs != WGS84:
            x, y = transform_xy(Transformer.from_crs(crs, WGS84, always_xy=True), x, y)
        v[f"reference{n}_longitude"], v[f"reference{n}_latitude"] = x, y
    # Absolute tolerance of 1e-7° (about 1 cm): a relative one would merge points tens of metres apart.
    same = np.isclose(v["reference1_longitude"], v["reference2_longitude"], rtol=0, atol=1e-7) & np.isclose(
        v["reference1_latitude"], v["reference2_latitude"], rtol=0, atol=1e-7)
    ctx.flag(same, "reference2_x", "the two reference points are the same point")
    first = shapely.points(v["reference1_longitude"].to_numpy(float), v["reference1_latitude"].to_numpy(float))
    distance = _metres_between(first, ctx.table.geometry.wgs84)
    ctx.flag(distance > 5_000, "reference1_x",
             lambda i: f"the reference point is {distance[i]:,.0f} m from the perimeter", "warning")


def record_models_known(ctx: CheckContext) -> None:
    known = set(ctx.lookup.model_categories())
    models = ctx.values["mine_models"]
    for position, text in enumerate(models):
        if not isinstance(text, str):
            continue
        names = [m.strip().upper() for m in text.split(",") if m.strip()]
        unknown = [m for m in names if m not in known]
        mask = np.zeros(len(models), dtype=bool)
        mask[position] = True
        if unknown:
            ctx.flag(mask, "mine_models", f"unknown ordnance model '{unknown[0]}'")
        else:
            models.iat[position] = ",".join(names)


def row_count_matches_spacing(ctx: CheckContext) -> None:
    """The row's line is computed from start, bearing and length (Amended Protocol II row minefields)."""
    from demine.io.validation import set_geometry

    v = ctx.values
    lon, lat = v["start_longitude"].to_numpy(float), v["start_latitude"].to_numpy(float)
    end_lon, end_lat, _ = GEOD.fwd(lon, lat, v["bearing_deg"].to_numpy(float), v["length_m"].to_numpy(float))
    lines = shapely.linestrings(np.stack([np.column_stack([lon, lat]), np.column_stack([end_lon, end_lat])], axis=1))
    set_geometry(ctx.table, lines)
    expected = np.floor(v["length_m"].to_numpy(float) / v["mine_spacing_m"].to_numpy(float)) + 1
    count = v["mine_count"].to_numpy(dtype=float, na_value=0)
    ctx.flag(np.abs(count - expected) > 1, "mine_count",
             lambda i: f"{count[i]:.0f} mines but length and spacing give {expected[i]:.0f}", "warning")
