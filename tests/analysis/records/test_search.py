"""The counts of a record's mines at every placement (search._Correlation, one kernel transform for several rasters)
are those of scipy's fftconvolve with the flipped kernel, and whole numbers of mines."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import fftconvolve

from demine.analysis.records.search import _Correlation


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), kh=st.integers(1, 40), kw=st.integers(1, 40), steps=st.integers(1, 70),
       per_cell=st.sampled_from([0.7, 30.0]))
def test_the_counts_at_every_placement_are_the_correlation(seed: int, kh: int, kw: int, steps: int,
                                                           per_cell: float) -> None:
    # per_cell 30: up to 48,000 mines in the histogram, near the single-precision limit, whose counts must still be
    # exact whole numbers.
    rng = np.random.default_rng(seed)
    kernel = rng.poisson(per_cell, (kh, kw)).astype(np.float64)
    shape = (kh + 2 * steps, kw + 2 * steps)
    correlate = _Correlation(kernel, shape)
    for _ in range(3):
        raster = rng.random(shape) < rng.uniform(0, 1)
        want = np.rint(fftconvolve(raster.astype(np.float64), kernel[::-1, ::-1], mode="valid"))
        got = correlate(raster)
        assert got.shape == (2 * steps + 1, 2 * steps + 1)
        assert np.array_equal(got, want)
