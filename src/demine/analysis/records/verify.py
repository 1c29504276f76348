"""Verify every minefield record against the clearance results: metrics, class, fit, proposed corrected polygon."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from demine.analysis.records.classify import DEFAULT_THRESHOLDS, RecordClass, Thresholds, classify, evidence_needed
from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import LocalFrame, RigidFit, per_source, recorded_mine_layout
from demine.analysis.records.inputs import VerificationInputs
from demine.analysis.records.metrics import Land, RecordMetrics, filled, measure_record
from demine.analysis.records.rings import Rings
from demine.analysis.records.search import hiding_places
from demine.domain.geodesy import to_projected, transform_geometries

DEFAULT_TOLERANCE_M = 10.0
DEFAULT_BUFFER_M = 100.0
# Farthest reference-point error sought: beyond it a record is not "shifted" but describes some other ground.
DEFAULT_MAX_SHIFT_M = 600.0


@dataclass(frozen=True, slots=True)
class RecordVerification:
    record_id: int
    code: str
    admin_area_id: int | None
    verification_class: RecordClass
    metrics: RecordMetrics
    fit: RigidFit
    corrected_perimeter: shapely.Geometry | None  # WGS84; shifted records only: the fitted perimeter not yet released
    ap_count: int | None
    at_count: int | None


def verify_records(inputs: VerificationInputs, *, tolerance_m: float = DEFAULT_TOLERANCE_M,
                   buffer_m: float = DEFAULT_BUFFER_M, max_shift_m: float = DEFAULT_MAX_SHIFT_M,
                   thresholds: Thresholds = DEFAULT_THRESHOLDS,
                   progress: Callable[[int, int], None] | None = None, workers: int = 1) -> list[RecordVerification]:
    """Every record judged (in the order of inputs.records).

    `workers` > 1 judges the records in that many forked processes, which share the indexes built here (copy on
    write) and return the same results in the same order: wall time, not CPU time, for machines with cores to spare.
    The indexes themselves are then built in as many threads (up to three: recorded mines, mines found, land).
    """
    records = inputs.records
    if records.empty:
        return []
    judge = _Judge(inputs, tolerance_m=tolerance_m, buffer_m=buffer_m, max_shift_m=max_shift_m,
                   thresholds=thresholds, threads=min(workers, 3))
    if workers <= 1 or len(records) <= CHUNK_RECORDS:
        results = []
        for k in range(len(records)):
            results.append(judge(k))
            if progress:
                progress(k + 1, len(records))
        return results
    global _JUDGE
    _JUDGE = judge  # inherited by the forked workers: nothing of the indexes is pickled
    chunks = [range(lo, min(lo + CHUNK_RECORDS, len(records))) for lo in range(0, len(records), CHUNK_RECORDS)]
    results = []
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        for chunk in pool.imap(_judge_chunk, chunks):
            results.extend(chunk)
            if progress:
                progress(len(results), len(records))
        pool.close()
    finally:
        pool.terminate()
        pool.join()  # reaped, so that their CPU time shows in the parent's getrusage(RUSAGE_CHILDREN)
        _JUDGE = None
    return results


CHUNK_RECORDS = 25  # records a worker judges per task: few enough to balance, many enough that passing them is cheap
_JUDGE: _Judge | None = None


def _judge_chunk(chunk: range) -> list[RecordVerification]:
    assert _JUDGE is not None
    return [_JUDGE(k) for k in chunk]


class _Judge:
    """The indexes of one run (recorded and found mines, land, perimeters in the local frame) and the judging of one
    record against them."""

    def __init__(self, inputs: VerificationInputs, *, tolerance_m: float, buffer_m: float, max_shift_m: float,
                 thresholds: Thresholds, threads: int = 1) -> None:
        self.tolerance_m, self.buffer_m, self.max_shift_m, self.thresholds = tolerance_m, buffer_m, max_shift_m, \
            thresholds
        self.records = list(inputs.records[["id", "code", "admin_area_id", "ap_count", "at_count"]]
                            .itertuples(index=False))
        bounds = inputs.records.total_bounds
        self.frame = LocalFrame.around(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))
        # Three independent indexes; with cores to spare they are built side by side in threads (proj, numba and
        # shapely release the interpreter for the long calls), each with its own transformers. The projection of
        # the mines found, the longest step (2 s at 10 million), is itself split between the threads, so that no
        # thread is left with it alone.
        found = inputs.mines_found
        lon, lat = found["longitude"].to_numpy(), found["latitude"].to_numpy()
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                land = pool.submit(self._index_land, inputs)  # the longest of the rest: first
                # Copies projected in place, a part per thread (parts of two mines at least: proj takes a one-element
                # array for a scalar), so that no part is held twice (160 MB at 10 million mines).
                fx, fy = np.array(lon, dtype=float), np.array(lat, dtype=float)
                cuts = np.linspace(0, len(fx), min(threads, len(fx) // 2) + 1).astype(int)
                parts = [pool.submit(LocalFrame.of(self.frame.crs).to_metric_in_place, fx[lo:hi], fy[lo:hi])
                         for lo, hi in zip(cuts[:-1], cuts[1:])]
                if len(fx) < 2:
                    fx, fy = LocalFrame.of(self.frame.crs).to_metric(lon, lat)
                recorded = pool.submit(self._index_recorded, inputs)
                for part in parts:
                    part.result()
                self._index_found(inputs, fx, fy)
                land.result()
                recorded.result()
        else:
            self._index_recorded(inputs)
            self._index_found(inputs, *LocalFrame.of(self.frame.crs).to_metric(lon, lat))
            self._index_land(inputs)

    def _index_recorded(self, inputs: VerificationInputs) -> None:
        ids, self.mx, self.my, source = recorded_mine_layout(LocalFrame.of(self.frame.crs), inputs.rows,
                                                             inputs.single_mines)
        # A mine's model and category are its row's: looked up once a row (or single mine) and repeated.
        models = pd.Series(per_source(inputs.rows["mine_model"], inputs.single_mines["mine_model"]), dtype=object)
        self.rec_at = _is_at(models, inputs.model_category)[source]
        self.models = filled(models.to_numpy())[source]  # once a run, not 0.1 ms a record
        # Recorded mines grouped by record once (sorted), not filtered per record: O(n) instead of O(n × records).
        # Rows come ordered by record, so the order is mostly already there (the stable sort would be the identity).
        self.order = np.arange(len(ids)) if np.all(ids[1:] >= ids[:-1]) else np.argsort(ids, kind="stable")
        self.ids = ids[self.order]

    def _index_found(self, inputs: VerificationInputs, fx: np.ndarray, fy: np.ndarray) -> None:
        """The mines found, projected into the frame (fx, fy), indexed."""
        # isin, not ==: a hashed lookup, four times as fast as comparing 10 million strings one by one
        self.found = FoundMines(fx, fy, inputs.mines_found["category"].isin(["at_mine"]).to_numpy())
        # Models as read (None where unknown): filled with "" for the few pairs a record compares, not for every
        # mine found (2 s at 10 million).
        self.found_models = inputs.mines_found["model"].to_numpy(dtype=object)

    def _index_land(self, inputs: VerificationInputs) -> None:
        crs = self.frame.crs
        hazards = inputs.hazards.geometry.to_numpy()
        projected_hazards = to_projected(hazards, crs)
        self.land = Land(to_projected(inputs.outputs.geometry.to_numpy(), crs),
                         inputs.outputs["outcome"].isin(["cleared", "reduced"]).to_numpy(),
                         _projected_subset(inputs.confirmed.geometry.to_numpy(), hazards, projected_hazards, crs),
                         projected_hazards)
        self.perimeters = to_projected(inputs.records.geometry.to_numpy(), crs)
        # Flattened once for the compiled distance tests of every record (a per-record flattening costs 0.4 ms).
        self.perimeter_rings = Rings.of(self.perimeters)

    def __call__(self, k: int) -> RecordVerification:
        record, t = self.records[k], self.thresholds
        lo, hi = np.searchsorted(self.ids, record.id, "left"), np.searchsorted(self.ids, record.id, "right")
        sel = self.order[lo:hi]
        x, y = self.mx[sel], self.my[sel]
        metrics, fit = measure_record(x, y, self.rec_at[sel], self.models[sel], self.perimeters[k],
                                      self.found, self.found_models, self.land, tolerance_m=self.tolerance_m,
                                      buffer_m=self.buffer_m, max_shift_m=self.max_shift_m,
                                      perimeter_rings=self.perimeter_rings.of_one(k))
        klass = classify(metrics, t)
        if klass is RecordClass.INACCURATE:  # before calling it wrong: could a shifted copy hide nearby?
            n = metrics.recorded_mines
            search = hiding_places(x, y, self.land, radius_m=self.max_shift_m, min_worked=evidence_needed(n, t),
                                   min_on_hazard=t.hiding_hazard_share * n, found=self.found,
                                   max_contradicted=t.max_contradicted_mines)
            metrics = replace(metrics, search_placements=search.placements, hiding_placements=search.hiding)
            klass = classify(metrics, t)
        corrected = _corrected(self.perimeters[k], fit, self.land, self.frame) if klass is RecordClass.SHIFTED \
            else None
        return RecordVerification(int(record.id), record.code, _int(record.admin_area_id), klass, metrics, fit,
                                  corrected, _int(record.ap_count), _int(record.at_count))


def _corrected(perimeter: shapely.Geometry, fit: RigidFit, land: Land, frame: LocalFrame) -> shapely.Geometry | None:
    """The record's perimeter moved by the fit, less the land already released: where its mines should still be."""
    moved = shapely.transform(perimeter, lambda xy: np.column_stack(fit.apply(xy[:, 0], xy[:, 1])))
    remaining = shapely.difference(moved, land.released_near(moved))
    if remaining.is_empty or shapely.area(remaining) < 1.0:
        return None
    return transform_geometries(np.array([remaining]), frame.inverse)[0]


def _projected_subset(geometries: np.ndarray, of: np.ndarray, projected: np.ndarray, crs: CRS) -> np.ndarray:
    """Geometries (the CHAs) projected into the frame, reusing the projection of the set they were taken from (every
    hazard) when they are the same objects, as load_inputs gives them: half a million vertices are not projected
    twice."""
    same = {id(g): p for g, p in zip(of, projected)}
    if all(id(g) in same for g in geometries):
        return np.array([same[id(g)] for g in geometries], dtype=object)
    return to_projected(geometries, crs)


def _is_at(models: pd.Series, catalogue: dict[str, str]) -> np.ndarray:
    # The catalogue decides; an unknown model is taken as AP, the category most rows hold. A hashed lookup of the AT
    # models (isin), not a map of every mine's model to its category: 0.2 s instead of 1.1 s at 6 million mines.
    return models.isin([model for model, category in catalogue.items() if category == "at_mine"]).to_numpy()


def _int(value: object) -> int | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value) else int(value)
