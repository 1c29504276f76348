"""Civilian incidents from people's movement near live ordnance, with victims by age and sex, and their assistance.

People farm near villages, herd further out, return to their houses and collect scrap where fighting was. An incident
happens where such movement meets an item still in the ground on that date; whether a supplied record or a hazard area
covers the spot is not considered, which is why most incidents fall outside the recorded areas, as in FACTS.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from demine.simulate.emplaced import CATEGORY_OF_INDEX, MODEL_CODES, ItemBatch
from demine.simulate.settlements import Settlement
from demine.simulate.truth import ContaminationSite, SiteKind

_ACTIVITY_BY_KIND = {
    SiteKind.ROW_BELT: (["herding", "farming", "scrap_collection", "travelling"], [0.35, 0.3, 0.25, 0.1]),
    SiteKind.PROTECTIVE: (["scrap_collection", "herding", "returning_home"], [0.5, 0.3, 0.2]),
    SiteKind.WITHDRAWAL: (["travelling", "returning_home", "herding", "construction"], [0.35, 0.3, 0.2, 0.15]),
    SiteKind.BATTLE_AREA: (["farming", "scrap_collection", "returning_home", "playing"], [0.4, 0.3, 0.2, 0.1]),
    SiteKind.CLUSTER_STRIKE: (["returning_home", "farming", "playing", "construction"], [0.35, 0.35, 0.15, 0.15]),
}
_MALE_NAMES = ["Elvin", "Rashad", "Tural", "Orkhan", "Kamran", "Vugar", "Ilgar", "Farid", "Samir", "Nijat"]
_FEMALE_NAMES = ["Aysel", "Gunel", "Leyla", "Nigar", "Sevinj", "Aynur", "Lala", "Narmin", "Konul", "Samira"]
_SURNAMES = ["Aliyev", "Mammadov", "Hasanov", "Huseynov", "Guliyev", "Ismayilov", "Abbasov", "Jafarov", "Rzayev"]


@dataclass(frozen=True, slots=True)
class IncidentTruth:
    code: str
    site_id: int
    item_index: int
    x: float
    y: float
    date: dt.date
    category: str
    model: str
    activity: str


def exposure(sites: list[ContaminationSite], settlements: list[Settlement]) -> np.ndarray:
    """How much people move over each site: returning population nearby, decaying over ~4 km."""
    sx = np.array([s.x for s in settlements])
    sy = np.array([s.y for s in settlements])
    pop = np.array([s.population for s in settlements], dtype=float)
    out = np.empty(len(sites))
    for i, site in enumerate(sites):
        d = np.hypot(sx - site.x, sy - site.y)
        out[i] = (pop * np.exp(-d / 4000)).sum() * np.log1p(site.n_items)
    return out / out.sum()


def draw_incidents(seed: int, n: int, sites: list[ContaminationSite], settlements: list[Settlement],
                   items_of, found_of, start: dt.date, end: dt.date) -> list[IncidentTruth]:
    """`items_of(site_id)` gives a site's items; `found_of(site_id)` the date ordinal each was found (0: never)."""
    rng = np.random.default_rng([seed, 8])
    weights = exposure(sites, settlements)
    out: list[IncidentTruth] = []
    span = (end - start).days
    for _ in range(n * 20):
        if len(out) >= n:
            break
        site = sites[int(rng.choice(len(sites), p=weights))]
        # Casualties fell as people returned: more in the first years (180 by Nov 2021, 41 in 2024).
        day = start.toordinal() + int(span * rng.beta(1.2, 2.2))
        items: ItemBatch = items_of(site.site_id)
        found = found_of(site.site_id)
        live = np.flatnonzero((found == 0) | (found > day))
        if len(live) == 0:
            continue
        k = int(live[rng.integers(len(live))])
        names, p = _ACTIVITY_BY_KIND[site.kind]
        out.append(IncidentTruth(f"INC-{len(out) + 1:05d}", site.site_id, k, float(items.x[k]), float(items.y[k]),
                                 dt.date.fromordinal(day), str(CATEGORY_OF_INDEX[items.model[k]]),
                                 MODEL_CODES[items.model[k]], str(rng.choice(names, p=p))))
    return out


def victims_of(rng: np.random.Generator, incident: IncidentTruth) -> list[tuple]:
    """Victim rows: mostly men, a share of children (playing, herding), about one in five killed."""
    n = 1 + rng.poisson(0.5 if incident.category in ("at_mine", "uxo") else 0.15)
    rows = []
    for j in range(n):
        child = incident.activity == "playing" or rng.random() < 0.08
        age = int(rng.integers(7, 18)) if child else int(np.clip(rng.normal(38, 14), 18, 80))
        male = rng.random() < (0.7 if child else 0.9)
        first = str(rng.choice(_MALE_NAMES if male else _FEMALE_NAMES))
        surname = str(rng.choice(_SURNAMES)) + ("" if male else "a")
        born = incident.date - dt.timedelta(days=int(age * 365.25 + rng.integers(0, 365)))
        killed = rng.random() < (0.35 if incident.category == "at_mine" else 0.18)
        rows.append((f"{incident.code}-V{j + 1}", incident.code, f"{first} {surname}", "male" if male else "female",
                     born, age, "child" if age < 18 else "elderly" if age >= 60 else "adult",
                     "Village of return (withheld)", "killed" if killed else "injured", incident.activity))
    return rows


def assistance_of(rng: np.random.Generator, victim: tuple, incident_date: dt.date) -> list[tuple]:
    if victim[8] == "killed":
        return []
    services = [("emergency_medical", 0), ("continuing_medical", 20), ("rehabilitation", 60),
                ("prosthetics", 120), ("psychosocial", 45), ("economic_inclusion", 300)]
    rows = []
    for kind, delay in services:
        if kind == "emergency_medical" or rng.random() < 0.5:
            date = incident_date + dt.timedelta(days=delay + int(rng.integers(0, 30)))
            rows.append((f"{victim[0]}-A{len(rows) + 1}", victim[0], kind, date, "ANAMA", None))
    return rows
