"""The along-row profile (row_ends.slide_peaks) and the fit step built on it (fit._along_profile): a fit that lies
along its field but slid far along the rows is moved to where every row lines up at once."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from demine.analysis.records.fit import _along_profile, _fitting_sample, _refine
from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import RigidFit
from demine.analysis.records.row_ends import (SLIDE_ACROSS_M, SLIDE_BIN_M, SLIDE_WINDOW_BINS, RowEnds,
                                              _strongest, slide_peaks)

SPACINGS = (3.2, 3.9, 4.6, 5.3)  # each row its own spacing, as rows are written on the forms


def _rows(bearing_deg: float, origin: tuple[float, float], count: int = 120,
          spacings: tuple[float, ...] = SPACINGS) -> tuple[np.ndarray, np.ndarray]:
    """Parallel AP rows 15 m apart, walked row by row from their starts (as geometry.recorded_mines gives them)."""
    t = np.radians(bearing_deg)
    along, across = np.array([np.sin(t), np.cos(t)]), np.array([np.cos(t), -np.sin(t)])
    xs, ys = [], []
    for r, spacing in enumerate(spacings):
        start = np.array(origin) + r * 15.0 * across
        xs.append(start[0] + np.arange(count) * spacing * along[0])
        ys.append(start[1] + np.arange(count) * spacing * along[1])
    return np.concatenate(xs), np.concatenate(ys)


def _ground(bearing_deg: float, worked_share: float, rng: np.random.Generator) -> FoundMines:
    """The true field found over the first part of its rows (a metre of noise at most), a field crossing it at
    another bearing and stray mines around."""
    x, y = _rows(bearing_deg, (0.0, 0.0))
    t = np.radians(bearing_deg)
    along = x * np.sin(t) + y * np.cos(t)
    keep = along <= worked_share * along.max()
    ox, oy = _rows(bearing_deg + 90.0, (150.0, -200.0), count=80, spacings=(4.0, 4.0))
    sx, sy = rng.uniform(-300, 800, 300), rng.uniform(-300, 800, 300)
    fx = np.concatenate([x[keep] + rng.uniform(-0.5, 0.5, keep.sum()), ox, sx])
    fy = np.concatenate([y[keep] + rng.uniform(-0.5, 0.5, keep.sum()), oy, sy])
    return FoundMines(fx, fy, np.zeros(len(fx), bool))


def test_the_profile_peaks_where_rows_of_different_spacings_line_up() -> None:
    rng = np.random.default_rng(11)
    bearing = 60.0
    found = _ground(bearing, 0.45, rng)
    x, y = _rows(bearing, (0.0, 0.0))
    t = np.radians(bearing)
    unit = np.array([np.sin(t), np.cos(t)])
    slid = 57.3  # the fit lies this far back along its rows: the true offset is +57.3 m along them
    px, py = x - slid * unit[0], y - slid * unit[1]
    sample = np.unique(np.linspace(0, len(x) - 1, 120).astype(np.int64))
    peaks = slide_peaks(px[sample], py[sample], np.zeros(len(sample), bool), found, 3.2 * unit, 600.0, 3, 2.0)
    assert len(peaks) == 3
    assert peaks[0] == pytest.approx(slid, abs=1.0)
    assert all(abs(p - slid) > 2.0 for p in peaks[1:])  # the others are apart from it


def _profile_by_pairs(x: np.ndarray, y: np.ndarray, is_at: np.ndarray, found: FoundMines, unit: np.ndarray,
                      reach: float) -> np.ndarray:
    """The profile from every pair in the box, in numpy: no filter across the rows first."""
    near = found.in_box(float(x.min()) - reach, float(y.min()) - reach, float(x.max()) + reach, float(y.max()) + reach)
    dx = found.x[near][None, :] - x[:, None]
    dy = found.y[near][None, :] - y[:, None]
    same = found.is_at[near][None, :] == is_at[:, None]
    ok = same & (np.abs(dy * unit[0] - dx * unit[1]) <= SLIDE_ACROSS_M)
    bins = np.floor((dx * unit[0] + dy * unit[1] + reach) / SLIDE_BIN_M).astype(np.int64)[ok]
    n_bins = int(np.ceil(2 * reach / SLIDE_BIN_M))
    return np.bincount(bins[(bins >= 0) & (bins < n_bins)], minlength=n_bins)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), bearing=st.floats(0.0, 180.0), reach=st.floats(50.0, 700.0),
       at_share=st.floats(0.0, 0.5))
def test_the_filter_across_the_rows_keeps_every_pair_that_counts(seed: int, bearing: float, reach: float,
                                                                 at_share: float) -> None:
    """The compiled profile of the found mines left by the filter across the rows equals the profile of every pair,
    and the peaks read from it are the same."""
    rng = np.random.default_rng(seed)
    found = _ground(bearing, float(rng.uniform(0.1, 1.0)), rng)
    found = FoundMines(found.x, found.y, rng.random(len(found.x)) < at_share)
    t = np.radians(bearing)
    unit, across = np.array([np.sin(t), np.cos(t)]), np.array([np.cos(t), -np.sin(t)])
    # The record on its field's lines (a metre or two across), slid along them by up to half the reach.
    origin = rng.uniform(-reach / 2, reach / 2) * unit + rng.uniform(-1.0, 1.0) * across
    x, y = _rows(bearing, (float(origin[0]), float(origin[1])))
    sample = np.unique(np.linspace(0, len(x) - 1, 120).astype(np.int64))
    x, y = x[sample] + rng.normal(0, 2, len(sample)), y[sample] + rng.normal(0, 2, len(sample))
    is_at = rng.random(len(x)) < at_share
    want = _profile_by_pairs(x, y, is_at, found, unit, reach)
    window = np.convolve(want, np.ones(SLIDE_WINDOW_BINS, np.int64), mode="same")
    offsets = (np.arange(len(window)) + 0.5) * SLIDE_BIN_M - reach
    peaks = slide_peaks(x, y, is_at, found, 4.0 * unit, reach, 5, 2.0)
    assert want.sum() > 0 and len(peaks) > 0  # pairs to count, peaks read
    for peak in peaks:  # each peak read is a bin of the full profile, as strong as any bin not taken
        k = int(np.argmin(np.abs(offsets - peak)))
        assert offsets[k] == pytest.approx(peak)
        free = np.ones(len(window), bool)
        for p in peaks[:list(peaks).index(peak)]:
            free &= np.abs(offsets - p) > 2.0
        free &= np.abs(offsets) > 2.0
        assert window[k] == window[free].max()


def test_a_fit_slid_far_along_its_rows_is_moved_to_the_true_offset() -> None:
    """The record's reference point is 200 m east and 80 m south of the truth and the field is found over its first
    45%; the fit handed over lies 150 m back along the rows (where the vote's run of equal peaks may put it)."""
    rng = np.random.default_rng(4)
    bearing = 75.0
    found = _ground(bearing, 0.45, rng)
    tx, ty = _rows(bearing, (0.0, 0.0))
    rec_x, rec_y = tx + 200.0, ty - 80.0
    is_at = np.zeros(len(rec_x), bool)
    worked_along = 0.45 * 119 * max(SPACINGS) + 10.0
    t = np.radians(bearing)
    unit = np.array([np.sin(t), np.cos(t)])

    def worked(x: np.ndarray, y: np.ndarray) -> np.ndarray:  # the cleared strip: the rows' first 45% and 10 m around
        along, across = x * unit[0] + y * unit[1], x * np.cos(t) - y * np.sin(t)
        return (along >= -10.0) & (along <= worked_along) & (across >= -10.0) & (across <= 3 * 15.0 + 10.0)

    cx, cy = float(rec_x.mean()), float(rec_y.mean())
    pick = _fitting_sample(len(rec_x))
    start = (0.0, -200.0 - 150.0 * unit[0], 80.0 - 150.0 * unit[1])
    scored = _refine(rec_x, rec_y, is_at, found, cx, cy, start, worked, pick=pick)
    assert scored is not None
    share, slid = scored
    assert share >= 0.9 and np.hypot(slid.dx + 200.0, slid.dy - 80.0) > 100.0  # a good share, far off: the case
    ends = RowEnds.of(rec_x, rec_y, is_at, within_m=4.0)
    moved, moved_share = _along_profile(rec_x, rec_y, is_at, found, worked, slid, share, pick, ends, 600.0)
    assert moved_share > share
    assert moved.dx == pytest.approx(-200.0, abs=1.5) and moved.dy == pytest.approx(80.0, abs=1.5)
    # A fit already at the true offset stays where it is.
    kept, kept_share = _along_profile(rec_x, rec_y, is_at, found, worked, moved, moved_share, pick, ends, 600.0)
    assert kept == moved and kept_share == moved_share
    # Below the share that shows a fit lies along its own field, the profile is not asked.
    low = _along_profile(rec_x, rec_y, is_at, found, worked, slid, 0.5, pick, ends, 600.0)
    assert low == (slid, 0.5)


def test_no_rows_no_profile() -> None:
    found = FoundMines(np.array([0.0, 5.0]), np.array([0.0, 0.0]), np.zeros(2, bool))
    assert len(slide_peaks(np.zeros(0), np.zeros(0), np.zeros(0, bool), found, np.array([1.0, 0.0]), 100.0, 3,
                           2.0)) == 0
    assert len(slide_peaks(np.zeros(3), np.zeros(3), np.zeros(3, bool), found, np.zeros(2), 100.0, 3, 2.0)) == 0
    fit = RigidFit(1.0, 2.0, 0.0, 0.0, 0.0, 0, 0.0)
    ends = RowEnds.of(np.array([0.0, 10.0, 3.0]), np.array([0.0, 5.0, -7.0]), np.zeros(3, bool), within_m=4.0)
    assert _along_profile(np.zeros(3), np.zeros(3), np.zeros(3, bool), found, lambda x, y: np.ones(len(x), bool),
                          fit, 0.95, np.arange(3), ends, 600.0) == (fit, 0.95)


def _strongest_by_sorted_walk(window: np.ndarray, offsets: np.ndarray, peaks: int, apart_m: float) -> list[float]:
    """The choice as first written: bins walked by a stable sort of −window, each kept if apart from those kept."""
    chosen: list[float] = []
    for k in np.argsort(-window, kind="stable").tolist():
        if window[k] == 0 or len(chosen) == peaks:
            break
        if abs(offsets[k]) > apart_m and all(abs(offsets[k] - c) > apart_m for c in chosen):
            chosen.append(float(offsets[k]))
    return chosen


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), bins=st.integers(1, 400), peaks=st.integers(1, 4),
       apart_m=st.sampled_from([0.0, 0.5, 2.0, 7.3]), top=st.integers(0, 6))
def test_the_strongest_offsets_are_those_of_the_sorted_walk(seed: int, bins: int, peaks: int, apart_m: float,
                                                            top: int) -> None:
    """row_ends._strongest picks, pass by pass, what the walk down the sorted profile picked: the same offsets in the
    same order, ties (small counts make many) to the smaller offset."""
    rng = np.random.default_rng(seed)
    window = rng.integers(0, top + 1, bins).astype(np.int64)
    reach = bins * SLIDE_BIN_M / 2
    offsets = (np.arange(bins) + 0.5) * SLIDE_BIN_M - reach
    got = _strongest(window, offsets, peaks, apart_m)
    assert got.tolist() == _strongest_by_sorted_walk(window, offsets, peaks, apart_m)
