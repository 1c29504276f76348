"""The translation vote of a record (vote.translation_peaks) from its samples to its distinct peaks in one compiled
call.

The vote kernel itself (kernels.vote) was compiled before; around it, the turned samples, the outer trial rotation's
test, the bins' offsets, the ordering of the candidates and the choice of the peaks took some forty numpy calls a
record, a fifth of a millisecond (bench/records_time_split.py; docs/records-verification-speed.md, eleventh
sitting). Here they are the same arithmetic, term by term, so that the peaks are the same to the bit: the property
test against vote.translation_peaks_numpy (tests/analysis/records/test_kernels.py) holds them to it.
"""

from __future__ import annotations

import numba
import numpy as np

from demine.analysis.records.kernels import distinct_peaks, vote


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _turned(sx: np.ndarray, sy: np.ndarray, cx: float, cy: float, cos_rot: np.ndarray, sin_rot: np.ndarray,
            rotations: np.ndarray, bin_m: float, half: int) -> tuple[np.ndarray, np.ndarray]:
    """The sampled recorded mines turned by the trial rotations `rotations` (indices), in bins, offset by half + 1:
    vote.translation_peaks_numpy's (cx + c·px − s·py + 0) / bin − half − 1, term by term."""
    n = len(sx)
    rx = np.empty((len(rotations), n))
    ry = np.empty((len(rotations), n))
    for q in range(len(rotations)):
        c, s = cos_rot[rotations[q]], sin_rot[rotations[q]]
        for i in range(n):
            px, py = sx[i] - cx, sy[i] - cy
            rx[q, i] = (cx + c * px - s * py + 0.0) / bin_m - half - 1
            ry[q, i] = (cy + s * px + c * py + 0.0) / bin_m - half - 1
    return rx, ry


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _descending(votes: np.ndarray, rotation: np.ndarray, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """np.lexsort((dy, dx, rotation, votes))[::-1]: stable sorts from the last key to the first, reversed."""
    order = np.argsort(dy, kind="mergesort")
    for key in (dx, rotation):
        order = order[np.argsort(key[order], kind="mergesort")]
    order = order[np.argsort(votes[order], kind="mergesort")]
    return order[::-1]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def vote_peaks(sx: np.ndarray, sy: np.ndarray, s_at: np.ndarray, fx: np.ndarray, fy: np.ndarray, f_at: np.ndarray,
               cx: float, cy: float, trial_deg: np.ndarray, cos_rot: np.ndarray, sin_rot: np.ndarray, bin_m: float,
               half: int, keep: int, outer_margin: float, plateau_share: float, plateau_ends: int, peaks: int,
               separation: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """vote.translation_peaks after its sampling: the peaks chosen, as (rotation in degrees, dx, dy) arrays.

    sx, sy, s_at: the recorded mines sampled; fx, fy, f_at: the found mines sampled (metric); trial_deg, cos_rot,
    sin_rot: the trial rotations ascending symmetrically about 0, with the cosine and sine of each (taken in numpy,
    as geometry.rotate takes them). The inner trials (all but the outermost two) are voted first; the outer one on
    the side of the strongest bin only when that bin beats 0°'s best by outer_margin."""
    n_trials = len(trial_deg)
    inner = np.arange(1, n_trials - 1)
    side = 2 * half + 2
    gx, gy = fx / bin_m, fy / bin_m
    rx, ry = _turned(sx, sy, cx, cy, cos_rot, sin_rot, inner, bin_m, half)
    votes, rot_no, flat = vote(rx, ry, s_at, gx, gy, f_at, half, keep)
    rot_no = rot_no + 1  # inner[rot_no]
    if len(votes):
        strongest = rot_no[np.argmax(votes)]
        edge = 0 if strongest == inner[0] else (n_trials - 1 if strongest == inner[-1] else -1)
        zero_seen, zero_best = False, votes[0]  # 0°'s best bin, if it holds any
        for q in range(len(votes)):
            if rot_no[q] == inner[len(inner) // 2] and (not zero_seen or votes[q] > zero_best):
                zero_seen, zero_best = True, votes[q]
        if edge >= 0 and zero_seen and votes.max() < outer_margin * zero_best:
            edge = -1  # ±3° only edges out 0°: the noise of a field not found, not a compass error beyond 4.5°
        if edge >= 0:
            ex, ey = _turned(sx, sy, cx, cy, cos_rot, sin_rot, np.array([edge]), bin_m, half)
            v2, r2, f2 = vote(ex, ey, s_at, gx, gy, f_at, half, keep)
            votes = np.concatenate((votes, v2))
            rot_no = np.concatenate((rot_no, r2 + edge))
            flat = np.concatenate((flat, f2))
    if not len(votes):
        empty = np.empty(0)
        return empty, empty, empty
    rotation = trial_deg[rot_no]
    dx = (flat // side - half - 0.5) * bin_m
    dy = (flat % side - half - 0.5) * bin_m
    order = _descending(votes, rotation, dx, dy)
    votes, rotation, dx, dy = votes[order], rotation[order], dx[order], dy[order]
    chosen = distinct_peaks(votes.astype(np.float64), dx, dy, plateau_share, plateau_ends, peaks, separation)
    return rotation[chosen], dx[chosen], dy[chosen]
