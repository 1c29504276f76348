"""Polygons as flat arrays of ring vertices, for compiled point-in-polygon tests and rasterising.

A record asks some ten times which of its points lie on released land, and the search before an inaccurate call
burns the released and hazard polygons around it into 10 m rasters. Through shapely and rasterio each such question
is a call per polygon (and a GeoJSON conversion per polygon for rasterio), and at 10,000 records their number, not
their size, set the time. Here every polygon of a layer is flattened once per run (its parts, their exterior and
interior rings, the vertices of each) and a question is one compiled loop over the polygons near the record.

Both tests are even-odd crossing counts over all the rings of a polygon, which is the polygon's interior for valid
polygons and multipolygons (parts do not overlap, holes lie inside their shell). A point exactly on an edge may be
counted either way (shapely's `contains_xy` says outside, GDAL's scanline rule may say inside); with coordinates
projected from degrees that does not arise in practice, and the property tests compare both on random polygons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import shapely
from rasterio.features import rasterize
from rasterio.transform import Affine


@dataclass(frozen=True, slots=True)
class Rings:
    xs: np.ndarray  # vertices of every ring, each ring closed (last vertex = first)
    ys: np.ndarray
    ring_starts: np.ndarray  # ring r's vertices are xs[ring_starts[r]:ring_starts[r + 1]]
    geom_rings: np.ndarray  # geometry g's rings are rings geom_rings[g]:geom_rings[g + 1] (all its parts)
    bounds: np.ndarray  # (geometries, 4): minx, miny, maxx, maxy; NaN for an empty geometry
    geometries: np.ndarray  # the geometries themselves
    lineal: np.ndarray  # geometries that are not (multi)polygons (points, lines, collections): rasterised by rasterio

    @classmethod
    def of(cls, geometries: np.ndarray) -> Rings:
        geometries = np.asarray(geometries, dtype=object)
        parts, part_geom = shapely.get_parts(geometries, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        xy, vertex_ring = shapely.get_coordinates(rings, return_index=True)
        ring_starts = np.zeros(len(rings) + 1, np.int64)
        np.cumsum(np.bincount(vertex_ring, minlength=len(rings)), out=ring_starts[1:])
        geom_rings = np.zeros(len(geometries) + 1, np.int64)
        np.cumsum(np.bincount(part_geom[ring_part], minlength=len(geometries)), out=geom_rings[1:])
        kinds = shapely.get_type_id(geometries)
        lineal = ~np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]) & \
            ~shapely.is_empty(geometries) & ~shapely.is_missing(geometries)
        return cls(np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), ring_starts, geom_rings,
                   shapely.bounds(geometries), geometries, lineal)

    def of_one(self, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geometry g's rings alone: its vertices (xs, ys) and ring_starts from 0 (as near_area takes them)."""
        r0, r1 = self.geom_rings[g], self.geom_rings[g + 1]
        v0, v1 = self.ring_starts[r0], self.ring_starts[r1]
        return self.xs[v0:v1], self.ys[v0:v1], self.ring_starts[r0:r1 + 1] - v0

    def covered(self, geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points lie inside any of the geometries `geoms` (indices)."""
        return _covered(np.asarray(geoms, np.int64), np.asarray(x, float), np.asarray(y, float), self.xs, self.ys,
                        self.ring_starts, self.geom_rings, self.bounds)

    def raster(self, geoms: np.ndarray, x0: float, top: float, cell: float, height: int, width: int) -> np.ndarray:
        """Cells (north up: row 0 at the top, the window's west edge at x0) whose centre lies inside any of the
        geometries `geoms`: rasterio's `rasterize` with the centre rule."""
        geoms = np.asarray(geoms, np.int64)
        out = _raster(geoms, float(x0), float(top), float(cell), int(height), int(width), self.xs, self.ys,
                      self.ring_starts, self.geom_rings, self.bounds)
        others = geoms[self.lineal[geoms]]
        if len(others):  # a point or line burns the cells it touches, as rasterio burns them
            out |= rasterize(((g, 1) for g in self.geometries[others]), out_shape=(height, width),
                             transform=Affine(cell, 0.0, x0, 0.0, -cell, top), fill=0, dtype="uint8").astype(bool)
        return out


def near_area(xs: np.ndarray, ys: np.ndarray, ring_starts: np.ndarray, x: np.ndarray, y: np.ndarray,
              distance: float) -> tuple[np.ndarray, np.ndarray]:
    """For one (multi)polygon given by its rings (as Rings holds them, ring_starts from 0): which points lie within
    `distance` of it (inside or at most that far from an edge) and which lie inside it (even-odd).

    The exact distance, where a buffer polygon cuts its round corners by chords; one compiled loop over the points
    and edges, where a buffer and a point-in-polygon test cost a record 0.65 ms (perimeters have a handful of
    turning points)."""
    return _near_area(np.asarray(xs, float), np.asarray(ys, float), np.asarray(ring_starts, np.int64),
                      np.asarray(x, float), np.asarray(y, float), float(distance))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _near_area(xs: np.ndarray, ys: np.ndarray, ring_starts: np.ndarray, x: np.ndarray, y: np.ndarray,
               distance: float) -> tuple[np.ndarray, np.ndarray]:
    n = len(x)
    near = np.zeros(n, np.bool_)
    inside = np.zeros(n, np.bool_)
    d2 = distance * distance
    for i in range(n):
        px, py = x[i], y[i]
        odd = False
        closest = np.inf
        for r in range(len(ring_starts) - 1):
            for v in range(ring_starts[r], ring_starts[r + 1] - 1):
                x1, y1, x2, y2 = xs[v], ys[v], xs[v + 1], ys[v + 1]
                if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                    odd = not odd
                ex, ey = x2 - x1, y2 - y1
                length2 = ex * ex + ey * ey
                t = 0.0 if length2 == 0.0 else min(1.0, max(0.0, ((px - x1) * ex + (py - y1) * ey) / length2))
                qx, qy = x1 + t * ex - px, y1 + t * ey - py
                closest = min(closest, qx * qx + qy * qy)
        inside[i] = odd
        near[i] = odd or closest <= d2
    return near, inside


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _covered(geoms: np.ndarray, x: np.ndarray, y: np.ndarray, xs: np.ndarray, ys: np.ndarray,
             ring_starts: np.ndarray, geom_rings: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    n = len(x)
    out = np.zeros(n, np.bool_)
    for g in geoms:
        bx0, by0, bx1, by1 = bounds[g, 0], bounds[g, 1], bounds[g, 2], bounds[g, 3]
        if not bx0 <= bx1:  # empty geometry (NaN bounds)
            continue
        for i in range(n):
            px, py = x[i], y[i]
            if out[i] or px < bx0 or px > bx1 or py < by0 or py > by1:
                continue
            inside = False
            for r in range(geom_rings[g], geom_rings[g + 1]):
                for v in range(ring_starts[r], ring_starts[r + 1] - 1):
                    u = np.uint64(v)  # unsigned: see kernels.py on indexing
                    x1, y1, x2, y2 = xs[u], ys[u], xs[u + np.uint64(1)], ys[u + np.uint64(1)]
                    if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                        inside = not inside
            out[i] = inside
    return out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _raster(geoms: np.ndarray, x0: float, top: float, cell: float, height: int, width: int, xs: np.ndarray,
            ys: np.ndarray, ring_starts: np.ndarray, geom_rings: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    out = np.zeros((height, width), np.bool_)
    for g in geoms:
        bx0, by0, bx1, by1 = bounds[g, 0], bounds[g, 1], bounds[g, 2], bounds[g, 3]
        if not bx0 <= bx1:
            continue
        # Rows whose centre line can cross the geometry.
        r0 = max(0, int(np.floor((top - by1) / cell - 0.5)))
        r1 = min(height - 1, int(np.ceil((top - by0) / cell - 0.5)))
        if r1 < r0:
            continue
        # Each edge's crossings with the rows' centre lines, bucketed by row: an edge is tested only against the rows
        # its span reaches (a row of slack each way, then the exact test), not against every row of the geometry.
        # Counted in a first pass over the edges, then written in a second in the same order, so that each row holds
        # the crossings a row-by-row scan of every edge would find, in the same order.
        slots = np.zeros(r1 - r0 + 2, np.int64)  # per row: crossings counted, then where its crossings start
        crossings = np.empty(0, np.float64)
        fill = slots[:-1]
        for write in (False, True):
            if write:
                for q in range(r1 - r0 + 1):
                    slots[q + 1] += slots[q]
                crossings = np.empty(slots[r1 - r0 + 1], np.float64)
                fill = slots[:-1].copy()
            for r in range(geom_rings[g], geom_rings[g + 1]):
                for v in range(ring_starts[r], ring_starts[r + 1] - 1):
                    u = np.uint64(v)
                    x1, y1, x2, y2 = xs[u], ys[u], xs[u + np.uint64(1)], ys[u + np.uint64(1)]
                    if y1 == y2:
                        continue  # level: no centre line changes side along it
                    lo, hi = min(y1, y2), max(y1, y2)
                    ra = max(r0, int(np.floor((top - hi) / cell - 0.5)) - 1)
                    rb = min(r1, int(np.ceil((top - lo) / cell - 0.5)) + 1)
                    for row in range(ra, rb + 1):
                        yc = top - (row + 0.5) * cell
                        if (y1 > yc) != (y2 > yc):
                            if write:
                                crossings[fill[row - r0]] = x1 + (yc - y1) * (x2 - x1) / (y2 - y1)
                                fill[row - r0] += 1
                            else:
                                slots[row - r0 + 1] += 1
        for row in range(r0, r1 + 1):
            a, b = slots[row - r0], slots[row - r0 + 1]
            m = b - a
            if m < 2:
                continue
            line = np.sort(crossings[a:b])
            # A centre at xc is inside when an odd number of crossings lie beyond it: xc in [line[2k], line[2k+1]).
            for k in range(0, m - 1, 2):
                c0 = max(0, int(np.ceil((line[k] - x0) / cell - 0.5)))
                c1 = min(width, int(np.ceil((line[k + 1] - x0) / cell - 0.5)))
                for c in range(c0, c1):
                    out[row, c] = True
    return out
