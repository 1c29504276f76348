"""Battle areas with their UXO scatter, and cluster munition strike footprints.

UXO is not spread evenly: it gathers where guns fired from and shells fell on (positions, depots, crossroads), so a
battle area holds a few dense spots in a wide, nearly empty suspicion. That is why most of it can be cancelled by
survey and only the spots need battle area clearance.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon

from demine.simulate.emplaced import ItemBatch, model_indices

UXO_MODELS = ["ARTILLERY_122MM", "ARTILLERY_152MM", "MORTAR_82MM", "MORTAR_120MM", "ROCKET_122MM", "RPG-7", "F-1",
              "RGD-5", "VOG-17", "AXO_CACHE"]
UXO_WEIGHTS = [0.2, 0.1, 0.2, 0.1, 0.07, 0.08, 0.09, 0.08, 0.07, 0.01]
SUBMUNITIONS = ["9N235", "9N210", "M095"]
_UXO_INDEX = model_indices(UXO_MODELS)


def blob(rng: np.random.Generator, x: float, y: float, a: float, b: float, angle_deg: float) -> Polygon:
    """An irregular ellipse: how a surveyor draws an area of fighting."""
    t = np.linspace(0, 2 * np.pi, 25)[:-1]
    r = 1 + 0.18 * np.sin(3 * t + rng.uniform(0, 6)) + 0.1 * np.sin(5 * t + rng.uniform(0, 6))
    px, py = a * r * np.cos(t), b * r * np.sin(t)
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    return Polygon(np.column_stack([x + c * px - s * py, y + s * px + c * py]))


def scatter_uxo(rng: np.random.Generator, area: Polygon, clusters_per_100_ha: float,
                spot_size: tuple[float, float, int] = (4.6, 1.0, 6000)) -> ItemBatch:
    """Dense spots of UXO plus a thin background, kept inside the area."""
    minx, miny, maxx, maxy = area.bounds
    ha = area.area / 10_000
    n_clusters = max(1, rng.poisson(ha / 100 * clusters_per_100_ha))
    cx = rng.uniform(minx, maxx, n_clusters * 4)
    cy = rng.uniform(miny, maxy, n_clusters * 4)
    inside = shapely.contains_xy(area, cx, cy)
    cx, cy = cx[inside][:n_clusters], cy[inside][:n_clusters]
    # A spot is a firing position, a shelled crossroads or a blown depot: from a few items to thousands (FACTS.md has
    # a week of 8,086 UXO and a month of 27,872). spot_size: log-normal mu, sigma of its items, and a cap.
    mu, sigma, cap = spot_size
    sizes = np.minimum(rng.lognormal(mu, sigma, len(cx)).astype(int) + 3, cap)
    spread = rng.uniform(40, 200, len(cx))
    xs = [rng.normal(x0, s, n) for x0, s, n in zip(cx, spread, sizes)]
    ys = [rng.normal(y0, s, n) for y0, s, n in zip(cy, spread, sizes)]
    n_background = rng.poisson(ha * 0.01)
    xs.append(rng.uniform(minx, maxx, n_background))
    ys.append(rng.uniform(miny, maxy, n_background))
    x, y = np.concatenate(xs) if xs else np.empty(0), np.concatenate(ys) if ys else np.empty(0)
    keep = shapely.contains_xy(area, x, y)
    x, y = x[keep], y[keep]
    # Choosing indices draws the same numbers as choosing among the names, without a per-item lookup.
    models = _UXO_INDEX[rng.choice(len(UXO_MODELS), size=len(x), p=UXO_WEIGHTS)]
    depth = np.minimum(rng.exponential(12, len(x)), 150).astype(np.float32)
    return ItemBatch(x, y, models, depth)


def strike_footprint(rng: np.random.Generator, x: float, y: float, bearing: float) -> tuple[Polygon, ItemBatch]:
    """Failed submunitions of one to six rockets: an ellipse elongated along the line of fire."""
    a, b = float(rng.uniform(150, 400)), float(rng.uniform(80, 200))
    footprint = blob(rng, x, y, a, b, 90 - bearing)
    rockets = int(rng.integers(1, 7))
    model = str(rng.choice(SUBMUNITIONS, p=[0.5, 0.35, 0.15]))
    per_rocket = 72 if model == "9N235" else 30
    duds = rng.binomial(rockets * per_rocket, float(rng.uniform(0.05, 0.25)))
    c, s = np.cos(np.radians(90 - bearing)), np.sin(np.radians(90 - bearing))
    px, py = rng.normal(0, a / 2.2, duds), rng.normal(0, b / 2.2, duds)
    items = ItemBatch(x + c * px - s * py, y + s * px + c * py, model_indices([model]).repeat(duds),
                      rng.uniform(0, 10, duds).astype(np.float32))
    return footprint, items.take(shapely.contains_xy(footprint, items.x, items.y))
