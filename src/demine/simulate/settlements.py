"""Settlements and roads: synthetic, placed on the real districts, where people will return, farm and travel.

Names are made up from common Azerbaijani place-name parts so that nobody mistakes them for surveyed villages.
District centres sit at the district's representative point and carry its name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString

from demine.simulate.geography import Theatre

_FIRST = ["Qara", "Ag", "Sari", "Gul", "Dash", "Chay", "Qiz", "Bulaq", "Tala", "Mehdi", "Alı", "Quzey", "Gunesh",
          "Dag", "Arx", "Qaya", "Shix", "Tut", "Baba", "Emir"]
_SECOND = ["kend", "li", "bulaq", "lar", "dere", "tala", "qishlaq", "oba", "abad", "yurd"]
_PREFIX = ["", "", "", "Yuxari ", "Ashagi ", "Yeni ", "Boyuk ", "Kichik "]


@dataclass(frozen=True, slots=True)
class Settlement:
    name: str
    x: float
    y: float
    population: int  # people expected to return
    district: int  # index into Theatre.districts
    is_centre: bool


def _name(rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(_PREFIX)}{rng.choice(_FIRST)}{rng.choice(_SECOND)}".replace("ı", "i")
        if name not in taken:
            taken.add(name)
            return name


def place_settlements(rng: np.random.Generator, theatre: Theatre, per_100_km2: float) -> list[Settlement]:
    out: list[Settlement] = []
    taken: set[str] = set()
    for i, (name, geom) in enumerate(zip(theatre.districts["name"], theatre.districts.geometry)):
        centre = shapely.point_on_surface(geom)
        taken.add(name)
        out.append(Settlement(name, centre.x, centre.y, int(rng.integers(4_000, 20_000)), i, True))
        n = int(rng.poisson(geom.area / 1e8 * per_100_km2))
        minx, miny, maxx, maxy = geom.bounds
        x, y = rng.uniform(minx, maxx, n * 3), rng.uniform(miny, maxy, n * 3)
        inside = shapely.contains_xy(geom, x, y)
        for xi, yi in zip(x[inside][:n], y[inside][:n]):
            out.append(Settlement(_name(rng, taken), float(xi), float(yi), int(rng.lognormal(6.0, 0.8)) + 50, i,
                                  False))
    return out


def build_roads(settlements: list[Settlement]) -> list[LineString]:
    """Each settlement joins the nearest one already on the network (a greedy spanning tree from the centres)."""
    xy = np.array([[s.x, s.y] for s in settlements])
    on_network = np.array([s.is_centre for s in settlements])
    roads: list[LineString] = []
    # Centres first join each other, then villages join in order of distance to the network.
    centres = np.flatnonzero(on_network)
    for a, b in zip(centres[:-1], centres[1:]):
        roads.append(LineString([xy[a], xy[b]]))
    remaining = list(np.flatnonzero(~on_network))
    while remaining:
        net = xy[on_network]
        rem = xy[remaining]
        d = ((rem[:, None, :] - net[None, :, :]) ** 2).sum(axis=2)
        k = int(np.argmin(d.min(axis=1)))
        target = net[int(np.argmin(d[k]))]
        idx = remaining.pop(k)
        roads.append(LineString([xy[idx], target]))
        on_network[idx] = True
    return roads
