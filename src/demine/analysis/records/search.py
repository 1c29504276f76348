"""Before a record is called inaccurate: could a correctable (shifted) copy of it lie unseen within the search radius?

The fit looks for the record's mines up to `max_shift_m` from where it puts them, but it can only find them where
the land has been worked. A record whose written position was worked and found empty is wrong *as written*; it is
*inaccurate* (not a correctable shift) only if the land around it rules a shifted copy out. So every translation of
the record within the search radius (a `SEARCH_CELL_M` grid, the record's own orientation: a compass error of a few
degrees barely moves a footprint) is a placement, and a placement is a *hiding place* when

- at that placement the record would have too little evidence to be judged (fewer recorded mines on released land
  than the evidence rule of `classify.Thresholds` asks), so the fit could not have seen it there; and
- at least `Thresholds.hiding_hazard_share` of its mines would lie on hazard land not yet released (a suspected or
  confirmed hazard area of the register): land where mines are believed to be.

Land outside every hazard and never worked is not counted as a hiding place: the register holds no suspicion of it,
and counting it would leave almost every record unverifiable (docs/records-verification.md gives the figures).

Counts at every placement come from one cross-correlation of the record's mine histogram with a raster of the land
(released; hazard not released), by FFT: a few milliseconds per record, asked only of records about to be called
inaccurate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import shapely
from rasterio.transform import Affine
from scipy import fft as sfft

from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.metrics import Land

# Placement step and raster cell: a fifth of the smallest shift worth correcting (10 m before the fifteenth sitting,
# which took 20 m for speed: vote.py; the placements are a quarter as many, for 7 classes changed in 2,000).
SEARCH_CELL_M = 20.0


@dataclass(frozen=True, slots=True)
class SearchEvidence:
    placements: int  # translations tried within the search radius
    hiding: int  # of those, placements where a shifted copy could lie unseen on suspected land


def hiding_places(x: np.ndarray, y: np.ndarray, land: Land, *, radius_m: float, min_worked: float,
                  min_on_hazard: float, found: FoundMines | None = None,
                  max_contradicted: float = float("inf")) -> SearchEvidence:
    """Placements of the recorded mines (metric x, y) within radius_m where a shifted copy could hide.

    `min_worked`: recorded mines on released land a placement needs to count as seen (the evidence rule);
    `min_on_hazard`: recorded mines on not-yet-released hazard land that make a placement a plausible hiding place.
    """
    if not len(x):
        return SearchEvidence(0, 0)
    cell = SEARCH_CELL_M
    steps = int(np.ceil(radius_m / cell))
    xmin, ymax = float(x.min()), float(y.max())
    # The record's mines binned on its own grid (row 0 at the top, as rasters run).
    kc = np.floor((x - xmin) / cell).astype(np.int64)
    kr = np.floor((ymax - y) / cell).astype(np.int64)
    kernel = np.zeros((int(kr.max()) + 1, int(kc.max()) + 1), dtype=np.float64)
    np.add.at(kernel, (kr, kc), 1.0)
    # The land window: the record's extent widened by the search radius on every side, so that the correlation's
    # 'valid' part is exactly the (2 steps + 1)² translations, (0, 0) at its centre.
    height, width = kernel.shape[0] + 2 * steps, kernel.shape[1] + 2 * steps
    x0, top = xmin - steps * cell, ymax + steps * cell
    window = shapely.box(x0, top - height * cell, x0 + width * cell, top)
    transform = Affine(cell, 0.0, x0, 0.0, -cell, top)  # north up, row 0 at the top
    worked = _raster(land, "released", window, transform, (height, width))
    suspected = _raster(land, "hazards", window, transform, (height, width)) & ~worked
    correlate = _Correlation(kernel, (height, width))
    on_worked = correlate(worked)
    on_suspected = correlate(suspected)
    in_disc = _disc(steps, cell, float(radius_m))
    hiding = in_disc & (on_worked < min_worked) & (on_suspected >= min_on_hazard)
    if found is not None and np.isfinite(max_contradicted) and hiding.any():
        # Worked land with no mine found within a cell around: a copy placed there with more than max_contradicted
        # of its mines on such land is contradicted by the clearance already done, even if too little of it is
        # worked for the record to be judged there.
        empty = worked & ~_found_near(found, window, transform, (height, width))
        on_empty = correlate(empty)
        hiding &= on_empty <= max_contradicted
    return SearchEvidence(int(in_disc.sum()), int(hiding.sum()))


@functools.lru_cache(maxsize=64)
def _disc(steps: int, cell: float, radius_m: float) -> np.ndarray:
    """The placements (a (2 steps + 1)² grid of `cell`, (0, 0) at its centre) within radius_m: the same for every
    record of a run, so taken once (read-only)."""
    offsets = (np.arange(2 * steps + 1) - steps) * cell
    disc = np.hypot(offsets[None, :], offsets[:, None]) <= radius_m
    disc.setflags(write=False)
    return disc


# Below this many mines in a record's histogram, single-precision transforms round every count exactly: the error of
# an FFT correlation grows like the sum of the kernel times 2^-24 times a few log2(size), here < 0.01 of a mine.
# They are about three times as fast as double precision at these sizes (docs/records-verification-speed.md).
SINGLE_PRECISION_MAX_MINES = 50_000


class _Correlation:
    """The record's mines counted at every placement over a land raster: the 'valid' cross-correlation of the raster
    with the record's histogram (scipy.signal.fftconvolve with the flipped kernel), rounded to whole mines. The
    kernel is transformed once for the two or three rasters of a search."""

    def __init__(self, kernel: np.ndarray, shape: tuple[int, int]) -> None:
        # A circular correlation as long as the raster is enough: a valid placement reads only raster cells, so none
        # of its sums wraps around (the full linear length, raster + kernel - 1, transformed 1.8 times the cells).
        self.fast = tuple(sfft.next_fast_len(n, real=True) for n in shape)
        self.valid = (slice(kernel.shape[0] - 1, shape[0]), slice(kernel.shape[1] - 1, shape[1]))
        self.dtype = np.float32 if kernel.sum() <= SINGLE_PRECISION_MAX_MINES else np.float64
        self.spectrum = sfft.rfft2(kernel[::-1, ::-1].astype(self.dtype), self.fast)

    def __call__(self, raster: np.ndarray) -> np.ndarray:
        product = sfft.rfft2(raster.astype(self.dtype), self.fast) * self.spectrum
        return np.rint(sfft.irfft2(product, self.fast)[self.valid]).astype(np.float64)


def _found_near(found: FoundMines, window: shapely.Geometry, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
    """Cells holding a mine found, or next to one (3 × 3): where a recorded mine could have been paired (tolerance
    10 m, cells of SEARCH_CELL_M: the 3 × 3 cells hold every point within the tolerance of the mine, and at 20 m
    points up to 40 m from it, which errs the safe way: fewer recorded mines of a copy count as contradicted, so not
    verifiable rather than inaccurate)."""
    inside = found.within(window)
    cells = np.zeros((shape[0] + 2, shape[1] + 2), dtype=bool)
    if len(inside):
        col = np.floor((found.x[inside] - transform.c) / transform.a).astype(np.int64)
        row = np.floor((found.y[inside] - transform.f) / transform.e).astype(np.int64)
        ok = (row >= 0) & (row < shape[0]) & (col >= 0) & (col < shape[1])
        cells[row[ok] + 1, col[ok] + 1] = True
    near = np.zeros(shape, dtype=bool)
    for i in (0, 1, 2):
        for j in (0, 1, 2):
            near |= cells[i:i + shape[0], j:j + shape[1]]
    return near


def _raster(land: Land, layer: str, window: shapely.Geometry, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
    """Cells (centre rule) covered by any polygon of the layer ("released" or "hazards") that reaches the window."""
    tree, rings = (land.released_tree, land.released_rings) if layer == "released" else \
        (land.hazards_tree, land.hazard_rings)
    return rings.raster(tree.query(window), transform.c, transform.f, transform.a, *shape)
