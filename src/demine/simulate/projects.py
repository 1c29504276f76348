"""Planned development projects that clearance unblocks: roads, power lines, solar and wind farms, resettlement
villages and farmland, placed where they would be (solar on the southern plains, wind on the western heights)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from demine.simulate.battlefields import blob
from demine.simulate.settlements import Settlement

_SPONSORS = ["Ministry of Agriculture", "Azerishiq", "Azerbaijan Automobile Road Agency", "Ministry of Energy",
             "State Agency for Reconstruction (fictitious)", "Private investor (fictitious)"]
_TYPES = ["road", "power_line", "solar_farm", "wind_farm", "resettlement_village", "farmland", "irrigation"]
_TYPE_P = [0.2, 0.15, 0.1, 0.05, 0.25, 0.2, 0.05]


def plan_projects(seed: int, n: int, settlements: list[Settlement], roads: list[LineString],
                  end: dt.date) -> list[tuple[tuple, BaseGeometry]]:
    rng = np.random.default_rng([seed, 9])
    out: list[tuple[tuple, BaseGeometry]] = []
    for k in range(n):
        kind = str(rng.choice(_TYPES, p=_TYPE_P))
        s = settlements[int(rng.integers(len(settlements)))]
        if kind in ("road", "irrigation"):
            geom = roads[int(rng.integers(len(roads)))]
        elif kind == "power_line":
            t = settlements[int(rng.integers(len(settlements)))]
            geom = LineString([(s.x, s.y), (t.x, t.y)]) if (s.x, s.y) != (t.x, t.y) else Point(s.x, s.y).buffer(300)
        else:
            size = {"solar_farm": 1200, "wind_farm": 2500, "resettlement_village": 600, "farmland": 1500}[kind]
            geom = blob(rng, s.x + rng.normal(0, 1500), s.y + rng.normal(0, 1500), size, size * 0.6,
                        float(rng.uniform(0, 180)))
        funding = float(round(rng.lognormal(15, 1.2), -3))
        ready = end - dt.timedelta(days=int(rng.integers(0, 700)))
        row = (f"PRJ-{k + 1:04d}", f"{kind.replace('_', ' ').capitalize()} near {s.name}", kind,
               str(rng.choice(_SPONSORS)), funding, bool(rng.random() < 0.6), ready,
               ready + dt.timedelta(days=int(rng.integers(90, 720))), int(rng.integers(50, 5000)),
               f"Planned {kind.replace('_', ' ')}; clearance of the hazards it crosses is a condition of the start.")
        out.append((row, geom))
    return out
