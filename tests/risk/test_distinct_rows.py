"""Scoring one row per combination of the model's split intervals gives exactly the row-by-row scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from demine.risk.distinct_rows import distinct_rows, predict_distinct, split_thresholds
from demine.risk.model import fit_booster


@pytest.fixture(scope="module")
def booster():
    rng = np.random.default_rng(3)
    n = 3000
    matrix = np.column_stack([rng.exponential(2000, n), rng.poisson(1.0, n), rng.random(n) < 0.2,
                              rng.normal(0, 1, n)]).astype(np.float32)
    matrix[rng.random(n) < 0.1, 0] = np.nan  # missing values in training: NaN gets its own learnt direction
    logit = -matrix[:, 1] * 0.5 + np.nan_to_num(-matrix[:, 0] / 1500, nan=-2) + matrix[:, 2] + rng.normal(0, 1, n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    fitted = fit_booster(matrix, labels, [-1, 1, 1, 0], ["a", "b", "c", "d"])
    fitted.thresholds = split_thresholds(fitted)  # read once: dumping 300 trees takes a moment
    return fitted


def _matrices(booster):  # type: ignore[no-untyped-def]
    thresholds = booster.thresholds
    # Values right on, just below and just above the model's own thresholds, NaN, and anything else.
    edges = sorted({float(t) for ts in thresholds for t in ts})
    near = [float(np.nextafter(np.float32(t), np.float32(s))) for t in edges for s in (-np.inf, np.inf)]
    element = st.one_of(st.sampled_from(edges + near + [np.nan, 0.0]),
                        st.floats(-1e4, 1e5, allow_nan=False, width=32))
    return arrays(np.float32, st.tuples(st.integers(1, 400), st.just(4)), elements=element)


def test_the_thresholds_are_read_from_every_tree(booster):
    thresholds = split_thresholds(booster)
    assert len(thresholds) == 4 and sum(len(t) for t in thresholds) > 10
    assert all(np.all(np.diff(t) > 0) for t in thresholds)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_grouped_scores_equal_row_by_row_scores(booster, data):
    matrix = data.draw(_matrices(booster))
    first, combination = distinct_rows(matrix, booster.thresholds)
    for options in ({"raw_score": True}, {"pred_contrib": True}):
        expected = booster.predict(matrix, num_threads=1, **options)
        grouped = booster.predict(matrix[first], num_threads=1, **options)[combination]
        np.testing.assert_array_equal(grouped, expected)


def test_a_large_grid_is_scored_once_per_combination(booster):
    rng = np.random.default_rng(5)
    n = 250_000
    # Smooth fields, as on a grid: many neighbouring rows fall in the same intervals.
    matrix = np.column_stack([np.repeat(rng.exponential(2000, n // 50), 50), rng.poisson(1.0, n),
                              rng.random(n) < 0.2, np.round(rng.normal(0, 1, n), 1)]).astype(np.float32)
    matrix[rng.random(n) < 0.05, 0] = np.nan
    thresholds = booster.thresholds
    first, _ = distinct_rows(matrix, thresholds)
    assert len(first) < n / 10
    np.testing.assert_array_equal(predict_distinct(booster, matrix, thresholds, raw_score=True, num_threads=1),
                                  booster.predict(matrix, raw_score=True, num_threads=1))
