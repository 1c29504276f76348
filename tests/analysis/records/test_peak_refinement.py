"""A peak refined and scored in one compiled call (peak_refinement.refine_and_score) gives, to the bit, what the
compiled iterations followed by the scoring in numpy gave: the residual's mean summed in numpy's own order, the
turn's cosine and sine as numpy takes them."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from demine.analysis.records.fit import _refine
from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.metrics import Land
from demine.analysis.records.peak_refinement import rms_of_pairs
from demine.analysis.records.summation import pairwise_sum
from scattered_record import scattered_record


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(0, 1e6, allow_nan=False), max_size=700))
def test_the_compiled_sum_is_numpys_sum_to_the_bit(values: list[float]) -> None:
    a = np.array(values, dtype=float)
    assert pairwise_sum(a, 0, len(a)) == np.sum(a)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(0, 600), seed=st.integers(0, 2**32 - 1), share=st.floats(0, 1))
def test_the_residual_of_the_pairs_is_numpys_to_the_bit(n: int, seed: int, share: float) -> None:
    rng = np.random.default_rng(seed)
    distance = np.full(n, np.inf)
    index = np.where(rng.random(n) < share, rng.integers(0, 1000, n), -1)
    distance[index >= 0] = rng.uniform(0, 4, int((index >= 0).sum()))
    pairs, residual = rms_of_pairs(index, distance)
    matched = index >= 0
    assert pairs == int(matched.sum())
    if pairs:
        assert residual == float(np.sqrt(np.mean(distance[matched] ** 2)))
    else:
        assert np.isnan(residual)


RNG = np.random.default_rng(5)
CENTRES = RNG.uniform(0, 3000, (40, 2))
OWNER = RNG.integers(0, 40, 12_000)
NATIONAL = FoundMines(CENTRES[OWNER, 0] + RNG.normal(0, 70, 12_000), CENTRES[OWNER, 1] + RNG.normal(0, 70, 12_000),
                      RNG.random(12_000) < 0.3)
LAND = Land(shapely.buffer(shapely.points(CENTRES[:30]), RNG.uniform(30, 250, 30)), np.ones(30, bool),
            np.array([], dtype=object))


@settings(max_examples=60, deadline=None)
@given(x0=st.floats(0, 3000), y0=st.floats(0, 3000), length=st.floats(20, 500), bearing=st.floats(0, 180),
       start=st.tuples(st.floats(-9, 9), st.floats(-200, 200), st.floats(-200, 200)),
       margin=st.sampled_from([20.0, 760.0]), seed=st.integers(0, 2**32 - 1))
def test_a_peak_refined_and_scored_in_one_call_is_the_same_fit(x0: float, y0: float, length: float, bearing: float,
                                                              start: tuple[float, float, float], margin: float,
                                                              seed: int) -> None:
    """The view's worked land (metrics.WorkedNear, which takes the one-call path) against the same land asked as a
    plain mask (the iterations compiled, the scoring in numpy). Turns up to 9° reach beyond the largest kept; the
    small margin sends queries beyond the view, where the wider indexes answer."""
    rec_x, rec_y, rec_at = scattered_record(np.random.default_rng(seed), x0, y0, length, bearing, 120)
    box = (rec_x.min() - margin, rec_y.min() - margin, rec_x.max() + margin, rec_y.max() + margin)
    view, worked = NATIONAL.near(*box), LAND.worked_near(*box)
    cx, cy = float(rec_x.mean()), float(rec_y.mean())
    got = _refine(rec_x, rec_y, rec_at, view, cx, cy, start, worked)
    want = _refine(rec_x, rec_y, rec_at, view, cx, cy, start, lambda x, y: worked(x, y))
    assert repr(got) == repr(want)
