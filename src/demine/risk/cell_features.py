"""The register's features on any set of cells given by their centres and outlines (H3 hexagons), not a raster.

Each feature means what it means on the square grid's raster (register_cells.py), measured the same way: from the
cell's centre, to the centre of the nearest cell holding the evidence or touched by the geometry. `SquareCells` runs
this path on the square grid's own cells, which is how the tests hold the two paths to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import shapely
from pyproj import Transformer

from demine.domain.geodesy import transform_xy
from demine.risk.grid import Grid


class CellSet(Protocol):
    """Cells of the area: positions 0..n-1, with keys that also name cells outside the area (for evidence there)."""

    x: np.ndarray
    y: np.ndarray
    crs: object

    @property
    def spacing_m(self) -> float: ...
    def keys(self) -> np.ndarray: ...
    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray: ...
    def centre_of(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]: ...
    def polygons_projected(self) -> np.ndarray: ...
    def project(self, geometries_wgs84: np.ndarray) -> np.ndarray: ...


@dataclass
class SquareCells:
    """The square grid's cells seen as a cell set (keys: row * columns + column; -1 outside the grid's extent)."""

    grid: Grid
    x: np.ndarray = field(init=False)
    y: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.x, self.y = self.grid.centres()
        self.crs = self.grid.crs

    @property
    def spacing_m(self) -> float:
        return self.grid.size_m

    def keys(self) -> np.ndarray:
        r, c = self.grid.index()
        return r.astype(np.int64) * self.grid.cols + c

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        x, y = transform_xy(Transformer.from_crs("EPSG:4326", self.crs, always_xy=True), lon, lat)
        r, c, inside = self.grid.cell_of(x, y)
        return np.where(inside, r * self.grid.cols + c, -1)

    def centre_of(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r, c = np.divmod(np.asarray(keys, dtype=np.int64), self.grid.cols)
        return self.grid.x0 + (c + 0.5) * self.grid.size_m, self.grid.y0 - (r + 0.5) * self.grid.size_m

    def polygons_projected(self) -> np.ndarray:
        r, c = self.grid.index()
        west = self.grid.x0 + c * self.grid.size_m
        north = self.grid.y0 - r * self.grid.size_m
        return shapely.box(west, north - self.grid.size_m, west + self.grid.size_m, north)

    def project(self, geometries_wgs84: np.ndarray) -> np.ndarray:
        return self.grid.project(geometries_wgs84)


@dataclass
class Evidence:
    """One kind of evidence summed per cell (any cell holding it, in the area or beyond)."""

    keys: np.ndarray
    amount: np.ndarray


def evidence_in_cells(cells: CellSet, lon: np.ndarray, lat: np.ndarray, weight: np.ndarray) -> Evidence:
    if not len(lon):
        return Evidence(np.empty(0, dtype=cells.keys().dtype), np.empty(0))
    keys = cells.locate(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    known = keys != _outside(keys)
    unique, where = np.unique(keys[known], return_inverse=True)
    return Evidence(unique, np.bincount(where, weights=np.asarray(weight, dtype=float)[known]))


def _outside(keys: np.ndarray):  # type: ignore[no-untyped-def]
    return np.array(-1).astype(keys.dtype) if keys.dtype.kind == "i" else np.iinfo(keys.dtype).max


def own_amount(cells: CellSet, evidence: Evidence) -> np.ndarray:
    """The evidence inside each cell of the area."""
    keys = cells.keys()
    order = np.argsort(keys)
    where = np.searchsorted(keys[order], evidence.keys)
    hit = where < len(keys)
    hit[hit] = keys[order][where[hit]] == evidence.keys[hit]
    amount = np.zeros(len(keys))
    amount[order[where[hit]]] = evidence.amount[hit]
    return amount


def distance_to_other(cells: CellSet, evidence: Evidence) -> np.ndarray:
    """Metres from each cell's centre to the centre of the nearest *other* cell holding the evidence (+inf: none)."""
    from scipy.spatial import cKDTree

    present = evidence.keys[evidence.amount > 0]
    if not len(present):
        return np.full(len(cells.x), np.inf)
    tree = cKDTree(np.column_stack(cells.centre_of(present)))
    k = min(2, len(present))
    distance, which = tree.query(np.column_stack([cells.x, cells.y]), k=k)
    if k == 1:
        distance, which = distance[:, None], which[:, None]
    own = present[which[:, 0]] == cells.keys()
    result = distance[:, 0].copy()
    result[own] = distance[own, 1] if k == 2 else np.inf
    return result


def density(cells: CellSet, evidence: Evidence, radius_m: float) -> np.ndarray:
    """Evidence in the cells whose centre lies within the radius (rounded to whole cell spacings, at least one)."""
    from scipy.spatial import cKDTree

    if not len(evidence.keys) or not evidence.amount.any():
        return np.zeros(len(cells.x))
    reach = max(1, int(round(radius_m / cells.spacing_m))) * cells.spacing_m * (1 + 1e-9)
    source = cKDTree(np.column_stack(cells.centre_of(evidence.keys)))
    target = cKDTree(np.column_stack([cells.x, cells.y]))
    pairs = target.sparse_distance_matrix(source, reach, output_type="ndarray")
    return np.bincount(pairs["i"], weights=evidence.amount[pairs["j"]], minlength=len(cells.x))


def inside(cells: CellSet, geometries_wgs84: np.ndarray) -> np.ndarray:
    """1 where the cell's centre lies in any of the geometries."""
    result = np.zeros(len(cells.x), dtype=np.float32)
    which = _containing(cells, geometries_wgs84)
    result[which[0]] = 1
    return result


def _containing(cells: CellSet, geometries_wgs84: np.ndarray) -> np.ndarray:
    """(cell position, geometry position) pairs where the geometry holds the cell's centre."""
    projected = _usable(cells.project(np.asarray(geometries_wgs84, dtype=object)))
    if not len(projected):
        return np.empty((2, 0), dtype=np.int64)
    tree = shapely.STRtree(projected)
    return tree.query(centre_points(cells), predicate="within")


def containing_index(cells: CellSet, geometries_wgs84: np.ndarray) -> np.ndarray:
    """For each cell, the last geometry (in the given order) holding its centre, -1 for none: later wins, as a burn."""
    result = np.full(len(cells.x), -1, dtype=np.int64)
    geometries = np.asarray(geometries_wgs84, dtype=object)
    projected = cells.project(geometries)
    keep = np.flatnonzero(~shapely.is_empty(projected) & ~shapely.is_missing(projected))
    if not len(keep):
        return result
    pairs = shapely.STRtree(projected[keep]).query(centre_points(cells), predicate="within")
    np.maximum.at(result, pairs[0], keep[pairs[1]])
    return result


def distance_to_touched(cells: CellSet, geometries_wgs84: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Metres from each centre to the centre of the nearest cell the geometries touch (0 for a touched cell).

    Geometry touching no cell of the area (a line of contact beyond it) is measured exactly from the centre instead,
    so a district away from the line still knows how far it is. +inf when there is no geometry at all.
    """
    from scipy.spatial import cKDTree

    projected = _usable(cells.project(np.asarray(geometries_wgs84, dtype=object)))
    if not len(projected):
        return np.full(len(cells.x), np.inf)
    touched = np.unique(shapely.STRtree(polygons).query(projected, predicate="intersects")[1])
    if len(touched):
        distance, _ = cKDTree(np.column_stack([cells.x[touched], cells.y[touched]])).query(
            np.column_stack([cells.x, cells.y]))
        return distance
    return shapely.distance(centre_points(cells), shapely.union_all(projected))


def centre_points(cells: CellSet) -> np.ndarray:
    """The cells' centres as points, made once per cell set (a million points take a second each time)."""
    cached = getattr(cells, "_centre_points", None)
    if cached is None or len(cached) != len(cells.x):
        cached = shapely.points(cells.x, cells.y)
        cells._centre_points = cached  # type: ignore[attr-defined]
    return cached


def _usable(geometries: np.ndarray) -> np.ndarray:
    return geometries[~shapely.is_empty(geometries) & ~shapely.is_missing(geometries)]
