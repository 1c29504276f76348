"""The square grid's raster features against the textbook computation they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.ndimage import convolve

from demine.domain.geodesy import local_equal_area_crs
from demine.risk.grid import Grid
from demine.risk.register_cells import DENSITY_RADIUS_M, _density


@settings(max_examples=40, deadline=None)
@given(counts=arrays(np.float32, st.tuples(st.integers(1, 40), st.integers(1, 40)),
                     elements=st.sampled_from([0.0] * 12 + [1.0, 2.0, 7.0])),
       size=st.sampled_from([100.0, 250.0, 333.0, 1000.0, 2500.0]))
def test_density_is_the_disc_convolution(counts, size):
    rows, cols = counts.shape
    grid = Grid(local_equal_area_crs(46.8, 40.0), size, 0.0, 0.0, rows, cols, np.ones((rows, cols), dtype=bool))
    radius = max(1, int(round(DENSITY_RADIUS_M / size)))
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    disc = (xx**2 + yy**2 <= radius**2).astype(np.float64)
    expected = convolve(counts.astype(np.float64), disc, mode="constant", cval=0.0)
    np.testing.assert_array_equal(_density(grid, counts), expected.astype(np.float32))


def test_burning_mappings_built_in_bulk_equals_burning_the_geometries():
    import shapely
    from rasterio.features import rasterize
    from affine import Affine

    from demine.risk.grid import geojson_like

    rng = np.random.default_rng(9)
    centres = rng.uniform(0, 5000, (40, 2))
    polygons = shapely.buffer(shapely.points(centres), rng.uniform(50, 600, 40), quad_segs=3)
    holed = shapely.difference(polygons[0], shapely.buffer(shapely.points(centres[0]), 30))
    multi = shapely.union_all(polygons[1:4])
    lines = shapely.linestrings(rng.uniform(0, 5000, (6, 5, 2)))
    transform = Affine(73.0, 0.0, -100.0, 0.0, -73.0, 5100.0)
    for geometries in (np.array([holed, multi, *polygons[4:]], dtype=object), lines,
                       np.array([shapely.MultiLineString(list(lines[:2])), shapely.MultiLineString(list(lines[2:]))])):
        for touched in (False, True):
            bulk = rasterize(zip(geojson_like(geometries), range(1, len(geometries) + 1)), out_shape=(75, 75),
                             transform=transform, all_touched=touched, dtype="int32")
            direct = rasterize(zip(geometries, range(1, len(geometries) + 1)), out_shape=(75, 75),
                               transform=transform, all_touched=touched, dtype="int32")
            assert bulk.any()
            np.testing.assert_array_equal(bulk, direct)
