"""The compiled kernels of the record fit give the answers of the numpy and k-d tree code they replace: the vote
against vote.translation_peaks_numpy, the refinement and the whole fit on a record's view (grid) against the national index
(k-d trees, the numpy iterations)."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from demine.analysis.records.fit import _refine, best_fit
from demine.analysis.records.geometry import RigidFit
from demine.analysis.records.metrics import _explained
from demine.analysis.records.row_ends import _moved
from demine.analysis.records.kernels import distinct_peaks, finite_extent
from demine.analysis.records.peaks import _descending
from demine.analysis.records.vote import (PEAK_SEPARATION_M, PEAKS_REFINED, PLATEAU_ENDS, PLATEAU_SHARE,
                                         distinct_peaks_of_list, translation_peaks, translation_peaks_numpy)
from demine.analysis.records.found_mines import FoundMines

seeds = st.integers(0, 2**32 - 1)


def _field(rng: np.random.Generator, n_rows: int, spacing: float, origin: tuple[float, float],
           bearing_deg: float) -> tuple[np.ndarray, np.ndarray]:
    along = np.arange(40) * spacing
    t = np.radians(bearing_deg)
    xs, ys = [], []
    for r in range(n_rows):
        xs.append(origin[0] + along * np.sin(t) + r * 8 * np.cos(t))
        ys.append(origin[1] + along * np.cos(t) - r * 8 * np.sin(t))
    return np.concatenate(xs), np.concatenate(ys)


def _scene(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, FoundMines, FoundMines]:
    """A record of rows, its field found shifted and partly cleared, other fields and stray mines around."""
    rng = np.random.default_rng(seed)
    bearing = rng.uniform(0, 180)
    rec_x, rec_y = _field(rng, int(rng.integers(2, 6)), float(rng.choice([3.0, 5.0, 6.0])), (1000.0, 1000.0),
                          bearing)
    rec_at = rng.random(len(rec_x)) < 0.2
    shift = rng.uniform(-300, 300, 2)
    keep = rng.random(len(rec_x)) < rng.uniform(0.1, 1.0)
    fx = [rec_x[keep] + shift[0] + rng.normal(0, 1, keep.sum())]
    fy = [rec_y[keep] + shift[1] + rng.normal(0, 1, keep.sum())]
    f_at = [rec_at[keep]]
    for _ in range(int(rng.integers(0, 6))):  # other fields nearby
        ox, oy = _field(rng, int(rng.integers(2, 5)), 5.0, tuple(rng.uniform(200, 1800, 2)), rng.uniform(0, 180))
        fx.append(ox)
        fy.append(oy)
        f_at.append(rng.random(len(ox)) < 0.2)
    n = int(rng.integers(0, 500))
    fx.append(rng.uniform(0, 2000, n))
    fy.append(rng.uniform(0, 2000, n))
    f_at.append(rng.random(n) < 0.3)
    national = FoundMines(np.concatenate(fx), np.concatenate(fy), np.concatenate(f_at))
    # A view as measure_record takes it; some windows are too small, so that queries fall back to the national index.
    margin = float(rng.choice([50.0, 760.0]))
    view = national.near(rec_x.min() - margin, rec_y.min() - margin, rec_x.max() + margin, rec_y.max() + margin)
    return rec_x, rec_y, rec_at, national, view


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_the_compiled_vote_gives_the_peaks_of_the_numpy_vote(seed: int) -> None:
    rec_x, rec_y, rec_at, national, _ = _scene(seed)
    candidates = np.arange(len(national.x))
    cx, cy = float(rec_x.mean()), float(rec_y.mean())
    got = translation_peaks(rec_x, rec_y, rec_at, national, candidates, cx, cy, 600.0)
    want = translation_peaks_numpy(rec_x, rec_y, rec_at, national, candidates, cx, cy, 600.0)
    assert got == want and len(got) > 0


@settings(max_examples=60, deadline=None)
@given(seed=seeds, n=st.integers(1, 320), levels=st.integers(1, 6))
def test_the_peaks_chosen_in_arrays_are_those_of_the_sequential_scan(seed: int, n: int, levels: int) -> None:
    """Candidate bins with many equal votes (a run of tied peaks) and bins a few metres apart."""
    rng = np.random.default_rng(seed)
    votes = 100 - rng.integers(0, levels, n) * 4
    rotation = rng.choice([-6.0, -3.0, 0.0, 3.0, 6.0], n)
    dx = (rng.integers(-30, 30, n) - 0.5) * 4.0
    dy = (rng.integers(-30, 30, n) - 0.5) * 4.0
    scored = sorted(zip(votes.tolist(), rotation.tolist(), dx.tolist(), dy.tolist()), reverse=True)
    # Sorted and chosen as peaks.vote_peaks sorts and chooses them.
    order = _descending(votes, rotation, dx, dy)
    votes, rotation, dx, dy = votes[order], rotation[order], dx[order], dy[order]
    chosen = distinct_peaks(votes.astype(np.float64), dx, dy, PLATEAU_SHARE, PLATEAU_ENDS, PEAKS_REFINED,
                            PEAK_SEPARATION_M + 1e-6).tolist()
    assert [(float(rotation[p]), float(dx[p]), float(dy[p])) for p in chosen] == distinct_peaks_of_list(scored)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, start=st.tuples(st.floats(-6, 6), st.floats(-300, 300), st.floats(-300, 300)))
def test_the_compiled_refinement_on_a_view_fits_as_the_national_index(seed: int,
                                                                      start: tuple[float, float, float]) -> None:
    rec_x, rec_y, rec_at, national, view = _scene(seed)
    worked = lambda x, y: np.hypot(x - 1000, y - 1000) < 400  # noqa: E731
    cx, cy = float(rec_x.mean()), float(rec_y.mean())
    got = _refine(rec_x, rec_y, rec_at, view, cx, cy, start, worked)
    want = _refine(rec_x, rec_y, rec_at, national, cx, cy, start, worked)
    assert (got is None) == (want is None)
    if got is not None:
        assert got[0] == want[0] and got[1].matched == want[1].matched
        assert np.allclose([got[1].dx, got[1].dy, got[1].rotation_deg], [want[1].dx, want[1].dy,
                                                                         want[1].rotation_deg], atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(seed=seeds)
@example(seed=110)  # the along-row profile once read a view's mines only, beyond its window too (found.in_box)
def test_the_fit_on_a_view_is_the_fit_on_the_national_index(seed: int) -> None:
    rec_x, rec_y, rec_at, national, view = _scene(seed)
    worked = lambda x, y: np.hypot(x - 1000, y - 1000) < 400  # noqa: E731
    got = best_fit(rec_x, rec_y, rec_at, view, np.arange(len(national.x)), worked, max_shift_m=600.0)
    want = best_fit(rec_x, rec_y, rec_at, national, np.arange(len(national.x)), worked, max_shift_m=600.0)
    assert got.matched == want.matched
    assert np.allclose([got.dx, got.dy, got.rotation_deg], [want.dx, want.dy, want.rotation_deg], atol=1e-6)


@settings(max_examples=100, deadline=None)
@given(seed=seeds, n_field=st.integers(0, 60), n_paired=st.integers(0, 60))
def test_the_explained_split_is_numpys_set_operations(seed: int, n_field: int, n_paired: int) -> None:
    """metrics._explained: the mines found at the field paired with a fitted recorded mine (np.intersect1d, sorted)
    and the others in the field's order (np.setdiff1d), as the metrics took them with numpy."""
    rng = np.random.default_rng(seed)
    at_field = np.sort(rng.choice(200, n_field, replace=False)).astype(np.int64)
    index_after = np.full(80, -1, np.int64)
    index_after[rng.choice(80, n_paired, replace=False)] = rng.choice(200, n_paired, replace=False)
    explained, unexplained = _explained(at_field, index_after)
    want = np.intersect1d(at_field, index_after[index_after >= 0], assume_unique=True)
    assert np.array_equal(explained, want)
    assert np.array_equal(unexplained, np.setdiff1d(at_field, want, assume_unique=True))


@settings(max_examples=100, deadline=None)
@given(seed=seeds, rotation=st.floats(-8.0, 8.0), dx=st.floats(-600.0, 600.0), dy=st.floats(-600.0, 600.0))
def test_the_row_ends_moved_in_one_call_are_moved_as_rotate_moves_them(seed: int, rotation: float, dx: float,
                                                                       dy: float) -> None:
    """row_ends._moved: the recorded end mines then the continuations, moved by a fit to the bit as RigidFit.apply
    (geometry.rotate) moves them, with their categories."""
    rng = np.random.default_rng(seed)
    rec_x, rec_y = rng.uniform(-2000, 2000, 50), rng.uniform(-2000, 2000, 50)
    rec_at = rng.random(50) < 0.3
    last = np.sort(rng.choice(50, 12, replace=False)).astype(np.int64)
    ex, ey, e_at = rng.uniform(-2000, 2000, 7), rng.uniform(-2000, 2000, 7), rng.random(7) < 0.5
    fit = RigidFit(dx, dy, rotation, float(rec_x.mean()), float(rec_y.mean()), 0, float("nan"))
    t = np.radians(-rotation)
    bx, by, b_at = _moved(rec_x, rec_y, rec_at, last, ex, ey, e_at, float(np.cos(t)), float(np.sin(t)),
                          fit.centre_x, fit.centre_y, fit.dx, fit.dy)
    want_x, want_y = fit.apply(np.concatenate([rec_x[last], ex]), np.concatenate([rec_y[last], ey]))
    assert np.array_equal(bx, want_x) and np.array_equal(by, want_y)
    assert np.array_equal(b_at, np.concatenate([rec_at[last], e_at]))


@settings(max_examples=100, deadline=None)
@given(seed=seeds, n=st.integers(1, 200), gaps=st.floats(0.0, 1.0))
def test_the_finite_extent_is_numpys_over_the_finite_points(seed: int, n: int, gaps: float) -> None:
    # Mines without coordinates (NaN) or with broken ones (inf) lie among the others: the national index's bounds
    # are those of the points with both coordinates finite, as the masked numpy reductions took them.
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-5e5, 5e5, n), rng.uniform(-5e5, 5e5, n)
    for coordinate in (x, y):
        broken = rng.random(n) < gaps / 2
        coordinate[broken] = rng.choice([np.nan, np.inf, -np.inf], int(broken.sum()))
    finite = np.isfinite(x) & np.isfinite(y)
    count, x0, y0, x1, y1 = finite_extent(x, y)
    assert count == int(finite.sum())
    if count:
        assert (x0, y0, x1, y1) == (x[finite].min(), y[finite].min(), x[finite].max(), y[finite].max())
    else:
        assert (x0, y0, x1, y1) == (np.inf, np.inf, -np.inf, -np.inf)
