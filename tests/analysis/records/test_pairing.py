"""The compiled rounds of mutual best choices (pairing.mutual_best) pair as the numpy reference
(found_mines._one_to_one) does, ties included: the kernels' one-to-one pairing no longer sorts its edges."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from demine.analysis.records.found_mines import _one_to_one
from demine.analysis.records.pairing import mutual_best


def _edges(seed: int, points: int, mines: int, k: int, levels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate edges as the kernels lay them down: the points in some order, each point's up to k distinct mines
    together and closest first (equal distances in the order found), distances on a few levels so that many tie."""
    rng = np.random.default_rng(seed)
    src, dst, dist = [], [], []
    for p in rng.permutation(points):
        got = int(rng.integers(0, k + 1))
        mine = rng.choice(mines, size=min(got, mines), replace=False)
        d = rng.integers(1, levels + 1, len(mine)) * 0.5
        keep = np.argsort(d, kind="stable")
        src += [p] * len(mine)
        dst += mine[keep].tolist()
        dist += d[keep].tolist()
    return np.array(src, np.int64), np.array(dst, np.int64), np.array(dist, float)


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), points=st.integers(1, 60), mines=st.integers(1, 60), k=st.integers(1, 4),
       levels=st.integers(1, 4))
def test_the_rounds_without_a_sort_pair_as_the_sorted_reference(seed: int, points: int, mines: int, k: int,
                                                                 levels: int) -> None:
    src, dst, dist = _edges(seed, points, mines, k, levels)
    want_index, want_distance = np.full(points, -1, np.int64), np.full(points, np.inf)
    s, t, d = _one_to_one(src, dst, dist)
    want_index[s], want_distance[s] = t, d
    order = np.arange(mines, dtype=np.int64) * 7 + 3  # local mine -> national index, as a view's grid holds them
    index, distance = mutual_best(src, dst, dist, points, order)
    assert np.array_equal(index, np.where(want_index >= 0, want_index * 7 + 3, -1))
    assert np.array_equal(distance, want_distance)


def test_a_mine_goes_to_its_closest_proposer_and_the_other_point_to_its_next_mine() -> None:
    # points 0 and 1 both want mine 5 first; 1 is closer, so 0 takes its second choice, mine 6
    src = np.array([0, 0, 1], np.int64)
    dst = np.array([5, 6, 5], np.int64)
    dist = np.array([1.0, 2.0, 0.5])
    index, distance = mutual_best(src, dst, dist, 2, np.arange(10, dtype=np.int64))
    assert index.tolist() == [6, 5] and distance.tolist() == [2.0, 0.5]
