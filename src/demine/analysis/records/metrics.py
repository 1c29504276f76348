"""What the clearance results say about one minefield record, measured before and after the best rigid fit.

Every share is taken over the evidence that exists: a recorded mine counts for or against the record only where the
land has been released (cleared, reduced or cancelled), because a mine not found on land nobody has worked says
nothing. The raw counts travel with the shares so that the classifier can refuse to judge on too little.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numba
import numpy as np
import pandas as pd
import shapely

from demine.analysis.records import kernels
from demine.analysis.records.crossing import across_rows
from demine.analysis.records.fit import best_fit
from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import RigidFit
from demine.analysis.records.rings import Rings, near_area

NEAR_FOOTPRINT_M = 30.0  # found mines this close to a record's perimeter belong to its field, recorded or not
POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)  # perimeters tested by exact distance
# Beyond the search radius, the surroundings of a record indexed for its queries: a fit turns the record by up to 8°
# about its centre (70 m at 500 m) besides shifting it. Queries reaching farther are still answered, nationally.
LOCAL_MARGIN_M = 150.0
ACROSS_ASKED_MATCH = 0.5  # RecordMetrics.found_across_after is asked of records pairing this share of worked mines


class Land:
    """Polygons (metric) of released land and of confirmed hazards, indexed for overlap queries."""

    def __init__(self, released: np.ndarray, cleared_or_reduced: np.ndarray, confirmed: np.ndarray,
                 hazards: np.ndarray | None = None) -> None:
        self.released = np.asarray(released, dtype=object)  # outputs of any outcome: the land has been worked
        self.cleared_or_reduced = np.asarray(cleared_or_reduced, dtype=bool)
        self.confirmed = np.asarray(confirmed, dtype=object)  # CHA polygons
        # Every live hazard area (SHA and CHA): where the register believes mines may be (search.py).
        self.hazards = np.asarray(confirmed if hazards is None else hazards, dtype=object)
        self.released_tree = shapely.STRtree(self.released)
        self._confirmed_tree = shapely.STRtree(self.confirmed)
        self.hazards_tree = shapely.STRtree(self.hazards)
        # Flattened once for the compiled point-in-polygon tests and rasters of every record (rings.py).
        self.released_rings = Rings.of(self.released)
        self.hazard_rings = Rings.of(self.hazards)

    def worked_mask(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points lie on released land."""
        mask = np.zeros(len(x), dtype=bool)
        if len(x) and len(self.released):
            hits, _ = self.released_tree.query(shapely.points(x, y), predicate="within")
            mask[hits] = True
        return mask

    def worked_near(self, minx: float, miny: float, maxx: float, maxy: float) -> WorkedNear:
        """worked_mask for the points of one record's surroundings: the released polygons reaching the box are taken
        once and tested in one compiled loop (rings.py) instead of a tree query per call; points outside the box go
        to the tree as before. The same answer: a point is within a polygon exactly when it lies in its interior."""
        return WorkedNear(self, self.released_tree.query(shapely.box(minx, miny, maxx, maxy)).astype(np.int64),
                          np.array([minx, miny, maxx, maxy], float))

    def released_reaching(self, area: shapely.Geometry) -> np.ndarray:
        """Indices of the released polygons reaching the area: what released_near and all_cleared_or_reduced ask,
        taken once when both are asked of one area."""
        return self.released_tree.query(area, predicate="intersects")

    def released_near(self, area: shapely.Geometry, *, cleared_or_reduced_only: bool = False,
                      hits: np.ndarray | None = None) -> shapely.Geometry:
        """The released land reaching the area (`hits`: released_reaching(area), if the caller holds it), within the
        area's bounding box (all that an overlay with the area can use: the union of the clipped polygons is the
        cheaper one)."""
        hits = self.released_reaching(area) if hits is None else hits
        if cleared_or_reduced_only:
            hits = hits[self.cleared_or_reduced[hits]]
        return _clipped_union(self.released[hits], area)

    def all_cleared_or_reduced(self, area: shapely.Geometry, *, hits: np.ndarray | None = None) -> bool:
        """Whether every release reaching the area was cleared or reduced (none cancelled): the cleared land there is
        then the released land, and its share need not be computed twice."""
        hits = self.released_reaching(area) if hits is None else hits
        return bool(self.cleared_or_reduced[hits].all())

    def confirmed_near(self, area: shapely.Geometry) -> shapely.Geometry:
        """The CHAs reaching the area, within its bounding box (as released_near)."""
        hits = self._confirmed_tree.query(area, predicate="intersects")
        return _clipped_union(self.confirmed[hits], area)


def _clipped_union(polygons: np.ndarray, area: shapely.Geometry) -> shapely.Geometry:
    # Clipping by a rectangle is a cheap pass over the vertices; the union and the overlay after it then work on the
    # part that matters (0.55 instead of 0.68 ms a record for the three area shares at 10,000 records, equal to 1e-13).
    if not len(polygons):
        return shapely.Polygon()
    return shapely.union_all(shapely.clip_by_rect(polygons, *shapely.bounds(area).tolist()))


@dataclass(frozen=True, slots=True)
class WorkedNear:
    """Land.worked_mask for one record's surroundings (a fit.WorkedMask): the released polygons reaching `box` (minx,
    miny, maxx, maxy), which fit._refine also hands to its compiled scoring (kernels.score_peak)."""

    land: Land
    hits: np.ndarray
    box: np.ndarray

    @property
    def rings(self) -> Rings:
        return self.land.released_rings

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        minx, miny, maxx, maxy = self.box
        if not len(x):
            return self.land.worked_mask(x, y)
        x0, y0, x1, y1 = kernels.extent(x, y)
        if not (x0 >= minx and x1 <= maxx and y0 >= miny and y1 <= maxy):
            return self.land.worked_mask(x, y)
        return self.land.released_rings.covered(self.hits, x, y)


@dataclass(frozen=True, slots=True)
class RecordMetrics:
    recorded_mines: int
    worked_before: int  # recorded mines on released land, as recorded
    matched_before: int  # of those, with a found mine of the same category within the tolerance
    worked_after: int  # the same after the best fit
    matched_after: int
    found_near: int  # mines found within the buffer of the perimeter
    found_inside: int  # of those, inside the perimeter
    found_at_field_after: int  # mines found within NEAR_FOOTPRINT_M of the fitted perimeter
    explained_after: int  # of those, within the tolerance of a fitted recorded mine
    # Of the others, those lying in rows that cross the record's (crossing.py): another field laid over it, not a
    # row the record left out. They do not count against its explained share. Asked only when the fitted record pairs
    # at least ACROSS_ASKED_MATCH of its worked mines (None: not asked; below that it explains too little of its
    # field for the share to make it accurate or shifted, and a field it misses holds hundreds of unexplained mines).
    found_across_after: int | None
    models_agree: int  # matched pairs (after the fit) whose models agree
    found_ap_in_field: int  # found in the fitted perimeter, by category: compared with ap_count/at_count
    found_at_in_field: int
    worked_area_share: float  # of the perimeter's area, released (any outcome)
    cleared_area_share: float  # of the perimeter's area, cleared or reduced
    confirmed_area_share: float  # of the perimeter's area, inside a CHA
    dx_m: float
    dy_m: float
    rotation_deg: float
    residual_m: float
    # Asked only of a record about to be called inaccurate (search.py): translations tried within the search radius,
    # and how many of them could hide a shifted copy on suspected land not yet worked. None: not asked.
    search_placements: int | None = None
    hiding_placements: int | None = None

    @property
    def match_before(self) -> float:
        return self.matched_before / self.worked_before if self.worked_before else float("nan")

    @property
    def match_after(self) -> float:
        return self.matched_after / self.worked_after if self.worked_after else float("nan")

    @property
    def inside_share(self) -> float:
        return self.found_inside / self.found_near if self.found_near else float("nan")

    @property
    def explained_share(self) -> float:
        """Of the mines found at the fitted field, less those of another field crossing it, the share the record
        explains."""
        own = self.found_at_field_after - (self.found_across_after or 0)
        return self.explained_after / own if own else float("nan")

    @property
    def shift_m(self) -> float:
        return float(np.hypot(self.dx_m, self.dy_m))

    def as_dict(self) -> dict[str, float | int]:
        shares = {"match_before": self.match_before, "match_after": self.match_after,
                  "inside_share": self.inside_share, "explained_share": self.explained_share,
                  "shift_m": self.shift_m}
        return asdict(self) | {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in shares.items()}


def measure_record(x: np.ndarray, y: np.ndarray, is_at: np.ndarray, models: np.ndarray, perimeter: shapely.Geometry,
                   found: FoundMines, found_models: np.ndarray, land: Land, *, tolerance_m: float, buffer_m: float,
                   max_shift_m: float,
                   perimeter_rings: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                   ) -> tuple[RecordMetrics, RigidFit]:
    """Metrics of one record (metric coordinates of its recorded mines and perimeter).

    `perimeter_rings`: the perimeter flattened (Rings.of_one), if the caller holds it; else it is flattened here."""
    # Every query of this record stays near it: the mines found and the released land of its surroundings are
    # taken once (queries beyond them still go to the national indexes, so the answers are the same).
    minx, miny, maxx, maxy = shapely.bounds(perimeter).tolist()
    if len(x):  # the box of the perimeter and the recorded mines together (an empty perimeter has NaN bounds)
        lo_x, lo_y, hi_x, hi_y = kernels.extent(x, y)
        minx, miny = (lo_x, lo_y) if np.isnan(minx) else (min(minx, lo_x), min(miny, lo_y))
        maxx, maxy = (hi_x, hi_y) if np.isnan(maxx) else (max(maxx, hi_x), max(maxy, hi_y))
    margin = max_shift_m + tolerance_m + LOCAL_MARGIN_M
    found = found.near(minx - margin, miny - margin, maxx + margin, maxy + margin)
    worked_mask = land.worked_near(minx - margin, miny - margin, maxx + margin, maxy + margin)
    worked = worked_mask(x, y)
    index, _ = found.nearest(x, y, is_at, tolerance_m)
    # The found mines the fit may pair: within the largest shift (and the tolerance) of the perimeter's box.
    box = shapely.bounds(perimeter)
    reach = found.near_box(*box.tolist(), max_shift_m + tolerance_m) if np.isfinite(box).all() else \
        np.zeros(0, np.int64)
    fit = best_fit(x, y, is_at, found, reach, worked_mask, max_shift_m=max_shift_m)
    fx, fy = fit.apply(x, y)
    worked_after = worked_mask(fx, fy)
    index_after, _ = found.nearest(fx, fy, is_at, tolerance_m)
    if perimeter_rings is None and shapely.get_type_id(perimeter) in POLYGONAL:
        perimeter_rings = Rings.of(np.array([perimeter], dtype=object)).of_one(0)
    near, inside = _near_and_inside(found, perimeter, perimeter_rings, None, buffer_m)
    at_field, in_field = _near_and_inside(found, perimeter, perimeter_rings, fit, NEAR_FOOTPRINT_M)
    # Both sides hold each mine once (at_field is a set of indices; the pairing is one-to-one).
    explained, unexplained = _explained(at_field, index_after)
    pairs = index_after >= 0
    area = shapely.area(perimeter) or np.nan
    released = land.released_reaching(perimeter)  # one tree query for the two shares and the test between them
    worked_share = _share(perimeter, land.released_near(perimeter, hits=released), area)
    n_worked_after, n_matched_after = int(worked_after.sum()), int((worked_after & pairs).sum())
    metrics = RecordMetrics(
        recorded_mines=len(x),
        worked_before=int(worked.sum()), matched_before=int((worked & (index >= 0)).sum()),
        worked_after=n_worked_after, matched_after=n_matched_after,
        found_near=len(near), found_inside=len(inside),
        found_at_field_after=len(at_field), explained_after=len(explained),
        found_across_after=_across(found, unexplained, fx, fy)
        if n_matched_after >= ACROSS_ASKED_MATCH * n_worked_after > 0 else None,
        models_agree=int((models[pairs] == filled(found_models[index_after[pairs]])).sum()),
        found_ap_in_field=int((~found.is_at[in_field]).sum()), found_at_in_field=int(found.is_at[in_field].sum()),
        worked_area_share=worked_share,
        cleared_area_share=worked_share if land.all_cleared_or_reduced(perimeter, hits=released) else
        _share(perimeter, land.released_near(perimeter, cleared_or_reduced_only=True, hits=released), area),
        confirmed_area_share=_share(perimeter, land.confirmed_near(perimeter), area),
        dx_m=fit.dx, dy_m=fit.dy, rotation_deg=fit.rotation_deg, residual_m=fit.residual_m,
    )
    return metrics, fit


def _across(found: FoundMines, unexplained: np.ndarray, fx: np.ndarray, fy: np.ndarray) -> int:
    """Of the mines found at the fitted field that the record does not explain, how many lie in another field's rows
    crossing it (crossing.across_rows; fx, fy: the recorded mines as fitted, in walking order)."""
    return int(across_rows(found.x[unexplained], found.y[unexplained], fx, fy).sum())


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _explained(at_field: np.ndarray, index_after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mines found at the field (`at_field`, each once) that a fitted recorded mine is paired with (`index_after`,
    -1: none; one to one), ascending, and the others in at_field's order: np.intersect1d and np.setdiff1d as the
    metrics took them, in one compiled call (two set operations of numpy cost 0.03 ms a record)."""
    paired = np.sort(index_after[index_after >= 0])
    taken = np.zeros(len(at_field), np.bool_)
    for t in range(len(at_field)):
        k = np.searchsorted(paired, at_field[t])
        taken[t] = k < len(paired) and paired[k] == at_field[t]
    return np.sort(at_field[taken]), at_field[~taken]


def _near_and_inside(found: FoundMines, perimeter: shapely.Geometry,
                     rings: tuple[np.ndarray, np.ndarray, np.ndarray] | None, fit: RigidFit | None,
                     distance: float) -> tuple[np.ndarray, np.ndarray]:
    """Indices (ascending) of the found mines within `distance` of the perimeter (moved by `fit`, if given) and of
    those inside it: by the exact distance to its edges (rings.near_area) for a polygon, given flattened (`rings`:
    xs, ys, ring_starts); any other geometry (a perimeter drawn as a line or a point) by its buffer."""
    if shapely.get_type_id(perimeter) in POLYGONAL and rings is not None:
        xs, ys, starts = rings
        if fit is not None:
            xs, ys = fit.apply(xs, ys)
        if not len(xs):  # an empty polygon
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        x0, y0, x1, y1 = kernels.extent(xs, ys)
        candidates = found.in_box(x0 - distance, y0 - distance, x1 + distance, y1 + distance)
        near, inside = near_area(xs, ys, starts, found.x[candidates], found.y[candidates], distance)
        return candidates[near], candidates[inside]
    if fit is not None:
        perimeter = shapely.transform(perimeter, lambda xy: np.column_stack(fit.apply(xy[:, 0], xy[:, 1])))
    near = found.within(shapely.buffer(perimeter, distance))
    # A perimeter lies inside its own buffer, so the mines inside it are among those near it: tested there only.
    return near, _inside(found, perimeter, near) if distance > 0 else found.within(perimeter)


def _inside(found: FoundMines, area: shapely.Geometry, among: np.ndarray) -> np.ndarray:
    """found.within(area) for an area inside the area `among` was taken from (ascending indices, as within)."""
    return among[shapely.contains_xy(area, found.x[among], found.y[among])] if len(among) else among


def filled(models: np.ndarray) -> np.ndarray:
    """Model codes with "" where none is known (None or NaN), so that two unknown models agree as before."""
    return np.where(pd.isna(models), "", models).astype(object) if len(models) else models


def _share(perimeter: shapely.Geometry, cover: shapely.Geometry, area: float) -> float:
    if cover.is_empty or not np.isfinite(area):
        return 0.0
    return float(min(1.0, shapely.area(shapely.intersection(perimeter, cover)) / area))
