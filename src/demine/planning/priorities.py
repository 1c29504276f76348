"""Priority score of each hazard area: the weighted sum of per-criterion values in [0, 1], scaled to 0-100.

Each criterion's contribution is kept, so every score can be explained ("casualties 21.0: 3 incidents, 2 killed
within 2 km; projects 9.4: PRJ-0002 ..."). Criteria and weights come from a TOML file (criteria.py).
"""

from __future__ import annotations

from collections import defaultdict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from demine.planning.criteria import CRITERIA, Criteria
from demine.planning.inputs import PlanningInputs

SECONDS_PER_YEAR = 365.25 * 86_400


def score_hazards(inputs: PlanningInputs, criteria: Criteria, *, risk: pd.Series | None = None,
                  include_closed: bool = False) -> pd.DataFrame:
    """One row per hazard still to be worked, ranked: value_* in [0, 1], contribution_* and score in 0-100."""
    hazards = inputs.hazards if include_closed else inputs.open_hazards()
    hazards = hazards.reset_index(drop=True)
    values: dict[str, np.ndarray] = {}
    details: dict[str, list[str]] = {}
    values["casualties"], details["casualties"] = _casualties(hazards, inputs.incidents, criteria)
    values["projects"], details["projects"] = _projects(hazards, inputs, criteria)
    values["displaced"], details["displaced"] = _displaced(hazards, inputs.projects, criteria)
    values["farmland"], details["farmland"] = _farmland(hazards, inputs.projects, criteria)
    values["risk"], details["risk"] = _risk(hazards, risk)
    weights = dict(criteria.weights)
    if risk is None:
        weights["risk"] = 0.0  # no estimate: the other criteria share the whole score
    total = sum(weights.values()) or 1.0
    table = pd.DataFrame({"code": hazards["code"], "district": hazards["district"],
                          "hazard_type": hazards["hazard_type"], "hazard_class": hazards["hazard_class"],
                          "remaining_m2": hazards["remaining_m2"].round(1)})
    for name in CRITERIA:
        table[f"value_{name}"] = np.round(values[name], 4)
    for name in CRITERIA:
        table[f"contribution_{name}"] = np.round(100.0 * weights[name] * values[name] / total, 3)
    table["score"] = table[[f"contribution_{n}" for n in CRITERIA]].sum(axis=1).round(3)
    table["explanation"] = [_explain(i, table, details) for i in range(len(table))]
    table = table.sort_values(["score", "remaining_m2", "code"], ascending=[False, False, True], kind="stable")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def _explain(i: int, table: pd.DataFrame, details: dict[str, list[str]]) -> str:
    parts = []
    for name in CRITERIA:
        contribution = table.at[i, f"contribution_{name}"]
        if contribution > 0:
            parts.append(f"{name} {contribution:.1f}" + (f" ({details[name][i]})" if details[name][i] else ""))
    return "; ".join(parts) or "no criterion applies"


def near_pairs(geometries: np.ndarray, hazards: gpd.GeoDataFrame, radius: float) -> tuple[np.ndarray, np.ndarray,
                                                                                            np.ndarray]:
    """(other index, hazard index, distance in m) of every pair within `radius`; distance 0 means overlap."""
    if not len(geometries) or not len(hazards):
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    tree = shapely.STRtree(hazards.geometry.to_numpy())
    other, hazard = tree.query(geometries, predicate="dwithin", distance=radius)
    distance = shapely.distance(geometries[other], hazards.geometry.to_numpy()[hazard])
    return other, hazard, distance


def _casualties(hazards: gpd.GeoDataFrame, incidents: pd.DataFrame, criteria: Criteria) -> tuple[np.ndarray, list]:
    c = criteria.casualties
    points = shapely.points(incidents["x"].to_numpy(float), incidents["y"].to_numpy(float)) if len(incidents) \
        else np.zeros(0, object)
    other, hazard, distance = near_pairs(points, hazards, c.radius_m)
    killed = incidents["killed"].to_numpy(float)[other] if len(other) else np.zeros(0)
    injured = incidents["injured"].to_numpy(float)[other] if len(other) else np.zeros(0)
    # Nearer incidents say more about this hazard than ones at the edge of the radius.
    decay = 1.0 - distance / c.radius_m
    points_per_pair = (c.incident_weight + c.killed_weight * killed + c.injured_weight * injured) * decay
    total = np.bincount(hazard, weights=points_per_pair, minlength=len(hazards))
    count = np.bincount(hazard, minlength=len(hazards))
    dead = np.bincount(hazard, weights=killed, minlength=len(hazards))
    hurt = np.bincount(hazard, weights=injured, minlength=len(hazards))
    text = [f"{n} incident{'s' if n != 1 else ''}, {int(k)} killed, {int(i)} injured within {c.radius_m / 1000:g} km"
            if n else "" for n, k, i in zip(count, dead, hurt)]
    return 1.0 - np.exp(-total / c.saturation), text


def _project_weight(projects: gpd.GeoDataFrame, criteria: Criteria, as_of) -> np.ndarray:  # type: ignore[no-untyped-def]
    p = criteria.projects
    funded = projects["funded"].astype(bool).to_numpy()
    factor = np.where(funded, p.funded_factor, p.unfunded_factor)
    usd = projects["funding_usd"].to_numpy(float)
    # Funding on a log scale from 100,000 USD to the saturation; unknown funding counts half.
    funding = np.clip(np.log10(np.maximum(usd, 1.0) / 1e5) / np.log10(p.funding_saturation_usd / 1e5), 0.1, 1.0)
    funding = np.where(np.isnan(usd), 0.5, funding)
    ready = pd.to_datetime(projects["ready_date"])
    years = (ready - pd.Timestamp(as_of)).dt.total_seconds().to_numpy() / SECONDS_PER_YEAR
    readiness = np.where(np.isnan(years), (1 + p.late_factor) / 2, np.where(years <= p.ready_within_years, 1.0,
                                                                              p.late_factor))
    return factor * funding * readiness


def _projects(hazards: gpd.GeoDataFrame, inputs: PlanningInputs, criteria: Criteria) -> tuple[np.ndarray, list]:
    p = criteria.projects
    projects = inputs.projects
    other, hazard, distance = near_pairs(projects.geometry.to_numpy(), hazards, p.proximity_m)
    weight = _project_weight(projects, criteria, inputs.as_of)[other] if len(other) else np.zeros(0)
    # Overlap blocks fully; a project at the proximity limit is half blocked.
    weight = weight * (1.0 - 0.5 * distance / max(p.proximity_m, 1e-9))
    # Several projects: the chance that at least one is blocked (never above 1).
    keep = np.ones(len(hazards))
    names: dict[int, list[str]] = defaultdict(list)
    for o, h, w, d in zip(other, hazard, weight, distance):
        keep[h] *= 1.0 - w
        names[h].append(f"{projects['code'].iat[o]} {projects['project_type'].iat[o]}"
                        + (" overlaps" if d == 0 else f" {d:.0f} m"))
    return 1.0 - keep, [", ".join(names.get(i, [])) for i in range(len(hazards))]


def _displaced(hazards: gpd.GeoDataFrame, projects: gpd.GeoDataFrame, criteria: Criteria) -> tuple[np.ndarray, list]:
    d = criteria.displaced
    villages = projects[projects["project_type"] == "resettlement_village"]
    other, hazard, distance = near_pairs(villages.geometry.to_numpy(), hazards, d.radius_m)
    people = villages["beneficiaries"].fillna(0).to_numpy(float)[other] if len(other) else np.zeros(0)
    waiting = np.bincount(hazard, weights=people * (1.0 - 0.5 * distance / d.radius_m), minlength=len(hazards))
    own = hazards["expected_beneficiaries"].fillna(0).to_numpy(float) * d.expected_beneficiaries_share
    total = waiting + own
    text = [(f"{w:,.0f} people of resettlement villages" if w else "")
            + ("; " if w and o else "") + (f"{o:,.0f} of the hazard's beneficiaries" if o else "")
            for w, o in zip(waiting, own)]
    return np.minimum(total / d.beneficiaries_saturation, 1.0), text


def _farmland(hazards: gpd.GeoDataFrame, projects: gpd.GeoDataFrame, criteria: Criteria) -> tuple[np.ndarray, list]:
    f = criteria.farmland
    use = hazards["land_use"].fillna("").str.lower().str.strip()
    value = use.map(f.land_use).fillna(0.0).to_numpy(float)
    farms = projects[projects["project_type"].isin(f.project_types)]
    other, hazard, _ = near_pairs(farms.geometry.to_numpy(), hazards, criteria.projects.proximity_m)
    value[np.unique(hazard)] = 1.0
    blocked = set(hazard.tolist())
    text = [("blocks a farm or irrigation project" if i in blocked else (f"land use {u}" if v else ""))
            for i, (u, v) in enumerate(zip(use, value))]
    return value, text


def _risk(hazards: gpd.GeoDataFrame, risk: pd.Series | None) -> tuple[np.ndarray, list]:
    if risk is None:
        return np.zeros(len(hazards)), [""] * len(hazards)
    value = hazards["code"].map(risk).fillna(0.0).to_numpy(float)
    return value, [f"estimate {v:.2f}" if v else "" for v in value]
