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
