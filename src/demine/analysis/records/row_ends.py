"""Where a record's rows end, read back from its recorded mine positions: what tells a true offset from a slide.

Rows repeat every spacing, so a fit slid by whole spacings along the rows pairs almost as many recorded mines as the
true one. Only the ends of the rows differ: slid one way, the recorded rows run past the found rows' ends onto worked
land where nothing was found (the share of fit.py already counts that); slid the other way, the found rows run past
the recorded ends and their last mines are left unexplained, which a share over the recorded mines cannot see. So the
found mines lying where a fitted row would continue, one or two spacings beyond either end, count against the fit.

The rows are recovered from the positions alone (fit.best_fit receives no row table): recorded mines come row by row
(geometry.recorded_mines walks each row from its start), so a row is a run of consecutive mines of one category whose
steps are all the same vector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import RigidFit

# Steps of one row differ by millimetres (a geodesic in a conformal frame); steps across a row change are metres off.
SAME_STEP_M = 0.05
MIN_SPACING_M = 0.5  # steps shorter than this are not a row's spacing (duplicated positions)
ROW_END_MINES = 2  # positions sought beyond each end: one mine missing there (never laid, not found) is forgiven


@dataclass(frozen=True, slots=True)
class RowEnds:
    """The positions where a record's rows would continue beyond their ends (recorded frame), and the rows' steps."""

    x: np.ndarray
    y: np.ndarray
    is_at: np.ndarray
    steps: np.ndarray  # (k, 2): the distinct step vectors of the rows, the one carrying the most mines first
    last: np.ndarray  # indices of the recorded mines at the rows' ends (ROW_END_MINES at each end)

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray, is_at: np.ndarray, *, within_m: float) -> RowEnds:
        """From recorded mines in walking order; continuations within `within_m` of a recorded mine are dropped
        (a found mine there is the record's own, e.g. at the corner where a protective ring turns)."""
        empty = cls(np.zeros(0), np.zeros(0), np.zeros(0, bool), np.zeros((0, 2)), np.zeros(0, np.int64))
        if len(x) < 3:
            return empty
        sx, sy = np.diff(x), np.diff(y)
        step_ok = (np.hypot(sx, sy) >= MIN_SPACING_M) & (is_at[1:] == is_at[:-1])
        same = (np.hypot(np.diff(sx), np.diff(sy)) < SAME_STEP_M) & step_ok[1:] & step_ok[:-1]
        # A step belongs to a row when it equals the step before or after it (a row has at least three mines).
        in_row = np.zeros(len(sx), bool)
        in_row[1:] |= same
        in_row[:-1] |= same
        edges = np.diff(np.concatenate(([0], in_row.astype(np.int8), [0])))
        first, stop = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # rows: mines first..stop (steps)
        if not len(first):
            return empty
        vx, vy = (x[stop] - x[first]) / (stop - first), (y[stop] - y[first]) / (stop - first)
        j = np.arange(1, ROW_END_MINES + 1, dtype=float)[None, :]
        ex = np.concatenate([(x[first][:, None] - j * vx[:, None]).ravel(), (x[stop][:, None] + j * vx[:, None]).ravel()])
        ey = np.concatenate([(y[first][:, None] - j * vy[:, None]).ravel(), (y[stop][:, None] + j * vy[:, None]).ravel()])
        e_at = np.tile(np.repeat(is_at[first], ROW_END_MINES), 2)
        k = np.arange(ROW_END_MINES)[None, :]
        last = np.unique(np.concatenate([np.minimum(first[:, None] + k, stop[:, None]).ravel(),
                                         np.maximum(stop[:, None] - k, first[:, None]).ravel()]))
        # A continuation on one of the record's own mines is dropped (a found mine there is the record's): rows are
        # parallel lines metres apart, so only another row's end (a row continued under another label, the corner
        # where a protective ring turns) or a mine outside every row can be there.
        row_mine = np.zeros(len(x), bool)
        row_mine[:-1] |= in_row
        row_mine[1:] |= in_row
        own = np.concatenate([last, np.flatnonzero(~row_mine)])
        near = (np.hypot(ex[:, None] - x[own][None, :], ey[:, None] - y[own][None, :]) <= within_m).any(axis=1)
        keep = ~near
        return cls(ex[keep], ey[keep], e_at[keep], _distinct_steps(vx, vy, stop - first), last)

    def misfits(self, fit: RigidFit, offsets: np.ndarray, rec_x: np.ndarray, rec_y: np.ndarray,
                rec_is_at: np.ndarray, found: FoundMines, worked: Callable[[np.ndarray, np.ndarray], np.ndarray],
                within_m: float) -> np.ndarray:
        """For the fit moved by each of `offsets` (k, 2), how badly its rows' ends sit on the found rows' ends:
        recorded end mines on worked land with no found mine within `within_m` (the record runs past the found row),
        plus found mines where the fitted rows would continue (the found row runs past the record). Every offset is
        asked in one query of each index."""
        n_end = len(self.last)
        x, y = fit.apply(np.concatenate([rec_x[self.last], self.x]), np.concatenate([rec_y[self.last], self.y]))
        x = (x[None, :] + offsets[:, :1]).ravel()
        y = (y[None, :] + offsets[:, 1:]).ravel()
        p_at = np.concatenate([rec_is_at[self.last], self.is_at])
        index, _ = found.closest(x, y, np.tile(p_at, len(offsets)), within_m)
        hit = (index >= 0).reshape(len(offsets), len(p_at))
        end = np.zeros((len(offsets), len(p_at)), bool)
        end[:, :n_end] = True
        on_worked = np.zeros_like(hit)
        on_worked[end] = worked(x[end.ravel()], y[end.ravel()])
        overrun = (on_worked[:, :n_end] & ~hit[:, :n_end]).sum(axis=1)
        underrun = hit[:, n_end:].sum(axis=1)
        return (overrun + underrun).astype(np.int64)


def _distinct_steps(vx: np.ndarray, vy: np.ndarray, mines: np.ndarray) -> np.ndarray:
    """The rows' steps, each counted once (a step and its reverse are one direction of slide, tried both ways), the
    step carrying the most mines first."""
    sign = np.where((vx < 0) | ((vx == 0) & (vy < 0)), -1.0, 1.0)
    ux, uy = vx * sign, vy * sign
    # One integer key per step on a grid of 2 × SAME_STEP_M (steps are at most some tens of metres).
    key = np.round(ux / (2 * SAME_STEP_M)).astype(np.int64) * 1_000_003 + np.round(uy / (2 * SAME_STEP_M)).astype(
        np.int64)
    keys, group = np.unique(key, return_inverse=True)
    weight = np.bincount(group, weights=mines, minlength=len(keys))
    steps = np.column_stack([np.bincount(group, weights=ux * mines, minlength=len(keys)),
                             np.bincount(group, weights=uy * mines, minlength=len(keys))]) / weight[:, None]
    return steps[np.argsort(-weight, kind="stable")]
