"""A record for the fit's property tests: mines along a bearing, on four rows 6 m apart, a share of them AT."""

from __future__ import annotations

import numpy as np


def scattered_record(rng: np.random.Generator, x0: float, y0: float, length: float, bearing_deg: float,
                     n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n recorded mines (x, y, is AT) placed at random along `length` metres from (x0, y0) at the bearing."""
    t = np.radians(bearing_deg)
    along = rng.uniform(0, length, n)
    rec_x = x0 + along * np.sin(t) + rng.integers(0, 4, n) * 6 * np.cos(t)
    rec_y = y0 + along * np.cos(t) - rng.integers(0, 4, n) * 6 * np.sin(t)
    return rec_x, rec_y, rng.random(n) < 0.3
