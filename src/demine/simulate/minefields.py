"""Minefields as armies lay them: rows of AP and AT mines, protective rings around positions, hasty withdrawal fields.

Row minefields follow the Soviet-school drill both sides inherited: AP rows 10-25 m apart with 3-10 m between mines,
AT rows on the enemy side at 5-12 m (an AT row is laid densely: it must stop vehicles on a whole front), each row one
model; some belts mix AP and AT in the same row. Belts along the line of contact run for hundreds of metres to
kilometres: they are the huge, slow part of the task, which the programme works a section at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demine.simulate.emplaced import ItemBatch, model_indices

AP_ROW_MODELS = ["PMN-2", "PMN", "PMN-4", "PMD-6", "POMZ-2M", "OZM-72"]
AP_ROW_WEIGHTS = [0.45, 0.2, 0.08, 0.05, 0.12, 0.10]
AT_ROW_MODELS = ["TM-62M", "TM-57", "TM-62P", "TMN-46", "TM-72"]
AT_ROW_WEIGHTS = [0.5, 0.2, 0.15, 0.1, 0.05]


@dataclass(frozen=True, slots=True)
class LaidRow:
    """One row as laid: what a faithful record would give (start, bearing, length, spacing, count, model)."""

    label: str
    start_x: float
    start_y: float
    bearing_deg: float  # from grid north, clockwise
    length_m: float
    spacing_m: float
    count: int
    model: str


def _unit(bearing_deg: float) -> tuple[float, float]:
    b = np.radians(bearing_deg)
    return float(np.sin(b)), float(np.cos(b))


def _row_items(rng: np.random.Generator, row: LaidRow, depth: tuple[float, float]) -> ItemBatch:
    ux, uy = _unit(row.bearing_deg)
    t = np.arange(row.count) * row.spacing_m + rng.normal(0, 0.3, row.count)
    # Hand-laid mines sit within a metre of the drill position; a few were never laid or have since gone off.
    keep = rng.random(row.count) > 0.02
    x = row.start_x + t * ux + rng.normal(0, 0.5, row.count)
    y = row.start_y + t * uy + rng.normal(0, 0.5, row.count)
    d = rng.uniform(*depth, row.count) + rng.exponential(3, row.count)  # soil moved over 30 years
    models = model_indices([row.model]).repeat(row.count)
    return ItemBatch(x[keep], y[keep], models[keep], d[keep].astype(np.float32))


def lay_row_belt(rng: np.random.Generator, x: float, y: float, bearing: float,
                 length_m: tuple[float, float] = (300.0, 1800.0)) -> tuple[ItemBatch, list[LaidRow]]:
    """A belt along the front: 2-3 AP rows behind 1-3 AT rows, sometimes a mixed row."""
    length = float(rng.uniform(*length_m))
    ap_spacing = float(rng.uniform(3, 10))
    row_gap = float(rng.uniform(10, 25))
    # FACTS.md finds 0.59 AT mine per AP mine: belts on the vehicle approaches carry as many AT rows as AP rows.
    n_ap, n_at = int(rng.integers(2, 4)), int(rng.integers(1, 4))
    nx, ny = _unit(bearing + 90)  # towards the former enemy
    sx, sy = x - 0.5 * length * _unit(bearing)[0], y - 0.5 * length * _unit(bearing)[1]
    rows: list[LaidRow] = []
    for i in range(n_ap + n_at):
        offset = (i - (n_ap + n_at - 1) / 2) * row_gap
        stagger = float(rng.uniform(0, ap_spacing))
        is_at = i >= n_ap
        spacing = float(rng.uniform(5, 12)) if is_at else ap_spacing
        model = str(rng.choice(AT_ROW_MODELS, p=AT_ROW_WEIGHTS) if is_at else rng.choice(AP_ROW_MODELS, p=AP_ROW_WEIGHTS))
        row_len = length * float(rng.uniform(0.85, 1.0))
        rows.append(
            LaidRow(chr(ord("A") + i), sx + offset * nx + stagger * _unit(bearing)[0],
                    sy + offset * ny + stagger * _unit(bearing)[1], bearing % 360, row_len, spacing,
                    int(row_len // spacing) + 1, model)
        )
    batches = [_row_items(rng, r, (5, 15) if r.model.startswith("TM") else (0, 5)) for r in rows]
    if rng.random() < 0.25:  # mixed belt: AT mines set between the AP mines of the first row
        first = rows[0]
        mixed = LaidRow(first.label + "'", first.start_x + 1.5 * nx, first.start_y + 1.5 * ny, bearing % 360,
                        first.length_m, first.spacing_m * 4, int(first.length_m // (first.spacing_m * 4)) + 1,
                        str(rng.choice(AT_ROW_MODELS, p=AT_ROW_WEIGHTS)))
        rows.append(mixed)
        batches.append(_row_items(rng, mixed, (5, 15)))
    return ItemBatch.concat(batches), rows


def lay_protective(rng: np.random.Generator, x: float, y: float, bearing: float) -> tuple[ItemBatch, list[LaidRow]]:
    """A ring of AP (and a few tripwire and directional mines) around a position, with a gap for the way in."""
    side = float(rng.uniform(80, 250))
    spacing = float(rng.uniform(4, 8))
    ux, uy = _unit(bearing)
    vx, vy = _unit(bearing + 90)
    corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
    rows: list[LaidRow] = []
    gap_side = int(rng.integers(0, 4))
    for k in range(4):
        if k == gap_side:
            continue
        (a1, b1) = corners[k]
        sx = x + 0.5 * side * (a1 * ux + b1 * vx)
        sy = y + 0.5 * side * (a1 * uy + b1 * vy)
        row_bearing = (bearing + 90 * k + 90) % 360
        model = str(rng.choice(["PMN-2", "PMN", "POMZ-2M", "OZM-72", "MON-50"], p=[0.4, 0.2, 0.2, 0.1, 0.1]))
        rows.append(LaidRow(chr(ord("A") + len(rows)), sx, sy, row_bearing, side, spacing, int(side // spacing) + 1,
                            model))
    batches = [_row_items(rng, r, (0, 5)) for r in rows]
    return ItemBatch.concat(batches), rows


def lay_withdrawal(rng: np.random.Generator, x: float, y: float, bearing: float) -> ItemBatch:
    """Hasty mining of a road and its verges during the November 2020 withdrawal: short, irregular, unrecorded."""
    batches = []
    for _ in range(int(rng.integers(1, 4))):
        n = int(rng.integers(8, 60))
        t = np.cumsum(rng.uniform(3, 15, n))
        ux, uy = _unit(bearing + float(rng.normal(0, 15)))
        ox, oy = rng.normal(0, 40, 2)
        at = rng.random(n) < 0.35
        models = np.where(at, model_indices(["TM-62M"])[0],
                          model_indices(["PMN-2"])[0]).astype(np.int16)
        models[rng.random(n) < 0.1] = model_indices(["PFM-1"])[0]
        batches.append(
            ItemBatch(x + ox + t * ux + rng.normal(0, 2, n), y + oy + t * uy + rng.normal(0, 2, n), models,
                      rng.uniform(0, 6, n).astype(np.float32))
        )
    return ItemBatch.concat(batches)
