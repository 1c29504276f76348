"""The compiled point-in-polygon test and rasteriser of rings.py answer as shapely's contains_xy and rasterio's
rasterize (centre rule) on random polygons with holes, multipolygons, empty geometries, points and lines."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.features import rasterize
from rasterio.transform import Affine

from demine.analysis.records.rings import Rings, near_area


def _polygons(rng: np.random.Generator, n: int) -> np.ndarray:
    """Star-shaped polygons (some with a hole), a multipolygon, an empty polygon, a point and a line."""
    out = []
    for _ in range(n):
        cx, cy = rng.uniform(0, 1000, 2)
        k = int(rng.integers(3, 30))
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        radii = rng.uniform(20, 200, k)
        shell = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
        polygon = shapely.make_valid(shapely.Polygon(shell))
        if rng.random() < 0.3:
            polygon = shapely.difference(polygon, shapely.buffer(shapely.Point(cx, cy), 15))
        out.append(polygon)
    out.append(shapely.union(shapely.box(1100, 0, 1200, 100), shapely.box(1300, 50, 1400, 300)))
    out.append(shapely.Polygon())
    out.append(shapely.Point(*rng.uniform(0, 1000, 2)))
    out.append(shapely.LineString(rng.uniform(0, 1000, (3, 2))))
    return np.array(out, dtype=object)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12))
def test_points_inside_are_those_shapely_finds_inside(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    geoms = _polygons(rng, n)
    rings = Rings.of(geoms)
    x, y = rng.uniform(-100, 1500, 3000), rng.uniform(-100, 1100, 3000)
    chosen = np.flatnonzero(rng.random(len(geoms)) < 0.7)
    polygonal = chosen[~rings.lineal[chosen]]
    want = np.zeros(len(x), bool)
    for g in polygonal:
        want |= shapely.contains_xy(geoms[g], x, y)
    assert np.array_equal(rings.covered(polygonal, x, y), want)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), cell=st.sampled_from([5.0, 10.0, 25.0]))
def test_the_raster_is_rasterios_centre_rule(seed: int, n: int, cell: float) -> None:
    rng = np.random.default_rng(seed)
    geoms = _polygons(rng, n)
    rings = Rings.of(geoms)
    x0, top = rng.uniform(-200, 600), rng.uniform(600, 1200)
    height, width = int(rng.integers(1, 150)), int(rng.integers(1, 150))
    chosen = np.flatnonzero(rng.random(len(geoms)) < 0.8)
    got = rings.raster(chosen, x0, top, cell, height, width)
    live = [g for g in geoms[chosen] if not g.is_empty]
    want = rasterize(((g, 1) for g in live), out_shape=(height, width), transform=Affine(cell, 0, x0, 0, -cell, top),
                     fill=0, dtype="uint8").astype(bool) if live else np.zeros((height, width), bool)
    assert np.array_equal(got, want)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), distance=st.sampled_from([0.0, 3.5, 30.0, 100.0]))
def test_points_near_an_area_are_those_within_its_exact_distance(seed: int, distance: float) -> None:
    """near_area on one polygon (with a hole or not) or multipolygon: inside as shapely's contains_xy, near as
    shapely's exact distance (points within a micrometre of the distance left out: rounding decides them)."""
    rng = np.random.default_rng(seed)
    polygonal = [g for g in _polygons(rng, 3) if shapely.get_type_id(g) in (3, 6) and not shapely.is_empty(g)]
    area = polygonal[int(rng.integers(len(polygonal)))]
    rings = Rings.of(np.array([area], dtype=object))
    x, y = rng.uniform(-200, 1600, 4000), rng.uniform(-200, 1300, 4000)
    near, inside = near_area(rings.xs, rings.ys, rings.ring_starts, x, y, distance)
    assert np.array_equal(inside, shapely.contains_xy(area, x, y))
    gap = shapely.distance(area, shapely.points(x, y))
    clear = np.abs(gap - distance) > 1e-6
    assert np.array_equal(near[clear], (gap <= distance)[clear])
    assert near[inside].all()
