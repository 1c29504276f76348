"""Capture curve and false alarms: what they must be for rankings whose answer is known."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from demine.risk.metrics import CAPTURE_PERCENTS, capture_curve, false_alarms_per_positive, ranking_scores

labels_st = st.lists(st.sampled_from([0.0, 1.0]), min_size=2, max_size=300).filter(lambda y: 0 < sum(y) < len(y))


@given(labels_st)
def test_a_perfect_ranking_captures_as_fast_as_the_land_allows(labels):
    y = np.array(labels)
    curve = capture_curve(y.copy(), y)
    n, pos = len(y), y.sum()
    for k, share in curve.items():
        assert math.isclose(share, min(1.0, n * k / 100 / pos), rel_tol=1e-9)
    assert false_alarms_per_positive(y.copy(), y) == (0.0, int(pos))
    assert ranking_scores(y.copy(), y)["roc_auc"] == 1.0


@given(labels_st)
def test_a_constant_ranking_captures_in_proportion_to_land(labels):
    y = np.array(labels)
    curve = capture_curve(np.zeros(len(y)), y)
    for k, share in curve.items():
        assert math.isclose(share, k / 100, rel_tol=1e-9)
    alarms, n = false_alarms_per_positive(np.zeros(len(y)), y)
    assert math.isclose(alarms / n, 0.5 * (len(y) - y.sum()))  # every negative tied with every positive


@settings(max_examples=50)
@given(labels_st, st.integers(0, 2**31))
def test_capture_grows_with_the_land_and_reversal_counts_every_negative(labels, seed):
    y = np.array(labels)
    scores = np.random.default_rng(seed).random(len(y))
    curve = capture_curve(scores, y)
    shares = [curve[k] for k in CAPTURE_PERCENTS]
    assert all(a <= b + 1e-12 for a, b in zip(shares, shares[1:]))
    alarms, n = false_alarms_per_positive(-y, y)  # every positive ranked below every negative
    assert alarms == n * (len(y) - n)


def test_area_weights_count_land_not_cells():
    # One big cell (90% of the land) holds no positive; two small ones hold both.
    scores = np.array([3.0, 2.0, 1.0])
    positives = np.array([0.0, 1.0, 1.0])
    by_area = capture_curve(scores, positives, weights=np.array([90.0, 5.0, 5.0]), percents=(50, 95))
    assert by_area[50] == 0.0 and math.isclose(by_area[95], 0.5)
    by_cells = capture_curve(scores, positives, percents=(50,))
    assert math.isclose(by_cells[50], 0.25)  # 1.5 cells of 3: the first (no find) and half the second


def test_unknown_scores_rank_last():
    scores = np.array([np.nan, 0.1, 0.2])
    y = np.array([1.0, 0.0, 0.0])
    assert capture_curve(scores, y, percents=(50,))[50] == 0.0
    assert false_alarms_per_positive(scores, y) == (2.0, 1)


def test_calibration_folds_fit_on_a_seeded_sample_of_their_rows():
    from demine.risk.baselines import ColumnRanking
    from demine.risk.validation import out_of_fold

    class CountingRanking(ColumnRanking):
        """The real one-column ranking, remembering how many rows each fit saw."""

        seen: list[int] = []

        def fit(self, matrix, labels):  # type: ignore[no-untyped-def]
            self.seen.append(len(labels))
            return super().fit(matrix, labels)

    rng = np.random.default_rng(4)
    n = 900
    values = rng.normal(0, 1, n)
    labels = (values + rng.normal(0, 1, n) > 0).astype(float)
    labels[rng.random(n) < 0.2] = np.nan
    folds = np.arange(n) % 3
    sampled = out_of_fold(CountingRanking(0, "x", None), values.reshape(-1, 1), labels, folds, [], max_train_rows=100)
    assert CountingRanking.seen == [100, 100, 100] and not np.isnan(sampled).any()  # every cell still scored
    again = out_of_fold(CountingRanking(0, "x", None), values.reshape(-1, 1), labels, folds, [], max_train_rows=100)
    np.testing.assert_array_equal(sampled, again)  # seeded
    full = out_of_fold(CountingRanking(0, "x", None), values.reshape(-1, 1), labels, folds, [])
    assert CountingRanking.seen[-3:] == [int((~np.isnan(labels) & (folds != f)).sum()) for f in range(3)]
    assert not np.isnan(full).any()


def test_a_sample_of_a_national_table_is_fitted_with_the_national_settings():
    from demine.risk.model import ROUNDS, fit_booster

    rng = np.random.default_rng(8)
    matrix = rng.normal(0, 1, (2000, 3)).astype(np.float32)
    labels = (matrix[:, 0] + rng.normal(0, 1, 2000) > 0).astype(float)
    national = fit_booster(matrix, labels, [1, 0, 0], ["a", "b", "c"], large=True)
    small = fit_booster(matrix, labels, [1, 0, 0], ["a", "b", "c"])
    assert national.num_trees() == ROUNDS // 2 and small.num_trees() == ROUNDS
    assert "monotone_constraints_method: basic" in national.model_to_string()
    assert "monotone_constraints_method: advanced" in small.model_to_string()
