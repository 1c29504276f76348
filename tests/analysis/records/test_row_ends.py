"""Row ends: a shifted record worked only in part is fitted to its true offset, not to a slide along its rows."""

from __future__ import annotations

import numpy as np
import pytest

from demine.analysis.records.classify import RecordClass
from demine.analysis.records.geometry import LocalFrame, RigidFit, row_mine_positions
from demine.analysis.records.row_ends import ROW_END_MINES, RowEnds
from test_classify import LAT, LON, M_LON, _area, _belt, _ground, _verify


def _metric(rows):  # noqa: ANN001, ANN202
    _, lon, lat = row_mine_positions(rows["start_longitude"], rows["start_latitude"], rows["bearing_deg"],
                                     rows["mine_spacing_m"], rows["mine_count"])
    frame = LocalFrame.around(np.array([LON - 0.01, LON + 0.01]), np.array([LAT - 0.01, LAT + 0.01]))
    x, y = frame.to_metric(lon, lat)
    is_at = np.repeat(rows["mine_model"].str.startswith("TM").to_numpy(), rows["mine_count"].to_numpy())
    return x, y, is_at


def test_rows_are_read_back_from_the_walked_positions() -> None:
    x, y, is_at = _metric(_belt())  # three AP rows of 50 mines every 6 m, one AT row of 25 every 12 m, due east
    ends = RowEnds.of(x, y, is_at, within_m=4.0)
    # The AP step first (150 mines), then the AT step; due east in the local frame (a metre in 10^4 or better).
    assert ends.steps.shape == (2, 2)
    assert ends.steps[0] == pytest.approx([6.0, 0.0], abs=0.01)
    assert ends.steps[1] == pytest.approx([12.0, 0.0], abs=0.01)
    # Two mines at each end of each of the four rows, and two continuations beyond each end.
    assert len(ends.last) == 4 * 2 * ROW_END_MINES
    assert len(ends.x) == 4 * 2 * ROW_END_MINES
    assert set(ends.last.tolist()) >= {0, 1, 48, 49, 50, 51, 98, 99, 174}
    continued = np.hypot(ends.x[:, None] - x[None, :], ends.y[:, None] - y[None, :]).min(axis=1)
    assert continued.min() >= 6.0 - 0.01  # beyond the rows, never on one of the record's own mines


def test_single_positions_and_two_mine_rows_give_no_row() -> None:
    ends = RowEnds.of(np.array([0.0, 10.0, 3.0]), np.array([0.0, 5.0, -7.0]), np.zeros(3, bool), within_m=4.0)
    assert len(ends.steps) == 0 and len(ends.x) == 0 and len(ends.last) == 0
    for n in (0, 1, 2):  # too few mines for a row of three
        ends = RowEnds.of(np.arange(n) * 5.0, np.zeros(n), np.zeros(n, bool), within_m=4.0)
        assert len(ends.steps) == 0 and len(ends.x) == 0 and len(ends.last) == 0
    # Three mines in a row are a row: its three mines are its ends, and it continues twice beyond each end.
    ends = RowEnds.of(np.arange(3) * 5.0, np.zeros(3), np.zeros(3, bool), within_m=4.0)
    assert ends.steps.tolist() == [[5.0, 0.0]] and ends.last.tolist() == [0, 1, 2]
    assert sorted(ends.x.tolist()) == [-10.0, -5.0, 15.0, 20.0]


def test_a_slide_along_the_rows_misfits_the_worked_row_ends() -> None:
    from demine.analysis.records.found_mines import FoundMines
    x, y, is_at = _metric(_belt())
    ends = RowEnds.of(x, y, is_at, within_m=4.0)
    found = FoundMines(x.copy(), y.copy(), is_at.copy())  # every mine found where the record says
    everywhere = lambda px, py: np.ones(len(px), bool)  # noqa: E731  # all the land worked
    cx, cy = float(x.mean()), float(y.mean())
    as_written = RigidFit(0.0, 0.0, 0.0, cx, cy, 0, 0.0)
    offsets = np.array([[0.0, 0.0], [6.0, 0.0], [-6.0, 0.0], [18.0, 0.0]])  # 0, 1, -1 and 3 AP spacings east
    misfits = ends.misfits(as_written, offsets, x, y, is_at, found, everywhere, 4.0)
    assert misfits[0] == 0  # as written: every row ends where the found row ends
    # Slid k AP spacings, each AP row runs past one end onto worked, empty land and leaves a found mine beyond the
    # other (at least one misfit at each end of the three rows); the AT row, slid by half its spacing, pairs nothing
    # at its ends (its two end mines at each end are on worked land with nothing found).
    assert misfits[1:].tolist() == [3 * 2 + 4, 3 * 2 + 4, 3 * 2 * 2 + 4]


@pytest.mark.parametrize("worked_end", ["west", "east"])
def test_a_partly_worked_shifted_field_is_fitted_to_its_true_offset_not_a_slide(worked_end: str) -> None:
    truth = _belt()  # the rows run east for 294 m (AP) and 288 m (AT)
    east, north = 180.0, -95.0
    recorded = _belt(east, north)  # the form's reference point was wrong by (east, north)
    ground = _ground(truth)
    along = (ground["longitude"] - LON) / M_LON
    # Half the field cleared, from one end of its rows; the rest not worked yet. Every slide of whole spacings towards
    # the unworked half keeps the cleared mines paired (the AT spacing is twice the AP one); only the row ends tell
    # the true offset. Before the row ends were compared, both fits were a spacing off (5.9 m west, 6.4 m east).
    if worked_end == "west":
        ground, released = ground[along < 150], [_area(-30, -60, 150, 60)]
    else:
        ground, released = ground[along > 150], [_area(150, -60, 330, 60)]
    result = _verify(recorded, ground, released)
    assert result.verification_class is RecordClass.SHIFTED
    assert result.fit.dx == pytest.approx(-east, abs=2.0) and result.fit.dy == pytest.approx(-north, abs=2.0)


def test_the_compiled_misfits_answer_as_the_indexes() -> None:
    import shapely

    from demine.analysis.records.found_mines import FoundMines
    from demine.analysis.records.metrics import Land
    x, y, is_at = _metric(_belt())
    ends = RowEnds.of(x, y, is_at, within_m=4.0)
    rng = np.random.default_rng(3)
    keep = rng.random(len(x)) > 0.3  # some mines found, a metre or so from where they were laid
    national = FoundMines(x[keep] + rng.normal(0, 1, keep.sum()), y[keep] + rng.normal(0, 1, keep.sum()), is_at[keep])
    x0, y0 = float(x.min()), float(y.min())
    land = Land(np.array([shapely.box(x0 - 20, y0 - 20, x0 + 120, y0 + 60), shapely.box(x0 + 200, y0 - 20, x0 + 320,
                                                                                           y0 + 60)]),
                np.array([True, True]), np.array([], dtype=object))
    box = (x0 - 200, y0 - 200, x0 + 500, y0 + 250)
    view, worked = national.near(*box), land.worked_near(*box)
    assert view._grid is not None  # the view answers in one compiled call
    cx, cy = float(x.mean()), float(y.mean())
    offsets = np.column_stack([np.arange(-8, 9) * 6.0, np.zeros(17)])
    for fit in (RigidFit(0.0, 0.0, 0.0, cx, cy, 0, 0.0), RigidFit(2.5, -1.0, 1.5, cx, cy, 0, 0.0)):
        compiled = ends.misfits(fit, offsets, x, y, is_at, view, worked, 4.0)
        indexes = ends.misfits(fit, offsets, x, y, is_at, national, land.worked_mask, 4.0)
        assert compiled.tolist() == indexes.tolist()
        assert compiled.max() > 0  # something to compare: slides misfit the two worked stretches
