"""Verify every minefield record against the clearance results: metrics, class, fit, proposed corrected polygon."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import shapely

from demine.analysis.records.classify import DEFAULT_THRESHOLDS, RecordClass, Thresholds, classify, evidence_needed
from demine.analysis.records.fit import FoundMines
from demine.analysis.records.geometry import LocalFrame, RigidFit, recorded_mines
from demine.analysis.records.inputs import VerificationInputs
from demine.analysis.records.metrics import Land, RecordMetrics, measure_record
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
                   progress: Callable[[int, int], None] | None = None) -> list[RecordVerification]:
    records = inputs.records
    if records.empty:
        return []
    mines = recorded_mines(inputs.rows, inputs.single_mines)
    bounds = records.total_bounds
    frame = LocalFrame.around(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))
    mx, my = frame.to_metric(mines["longitude"].to_numpy(), mines["latitude"].to_numpy())
    rec_at = _is_at(mines["mine_model"], inputs.model_category)
    fx, fy = frame.to_metric(inputs.mines_found["longitude"].to_numpy(), inputs.mines_found["latitude"].to_numpy())
    found = FoundMines(fx, fy, (inputs.mines_found["category"] == "at_mine").to_numpy())
    found_models = inputs.mines_found["model"].fillna("").to_numpy(dtype=object)
    land = Land(to_projected(inputs.outputs.geometry.to_numpy(), frame.crs),
                inputs.outputs["outcome"].isin(["cleared", "reduced"]).to_numpy(),
                to_projected(inputs.confirmed.geometry.to_numpy(), frame.crs),
                to_projected(inputs.hazards.geometry.to_numpy(), frame.crs))
    perimeters = to_projected(records.geometry.to_numpy(), frame.crs)
    # Recorded mines grouped by record once (sorted), not filtered per record: O(n) instead of O(n × records).
    order = np.argsort(mines["record_id"].to_numpy(), kind="stable")
    ids = mines["record_id"].to_numpy()[order]
    models = mines["mine_model"].fillna("").to_numpy(dtype=object)
    results: list[RecordVerification] = []
    for k, record in enumerate(records.itertuples(index=False)):
        lo, hi = np.searchsorted(ids, record.id, "left"), np.searchsorted(ids, record.id, "right")
        sel = order[lo:hi]
        metrics, fit = measure_record(mx[sel], my[sel], rec_at[sel], models[sel], perimeters[k], found, found_models,
                                      land, tolerance_m=tolerance_m, buffer_m=buffer_m, max_shift_m=max_shift_m)
        klass = classify(metrics, thresholds)
        if klass is RecordClass.INACCURATE:  # before calling it wrong: could a shifted copy hide nearby?
            n = metrics.recorded_mines
            search = hiding_places(mx[sel], my[sel], land, radius_m=max_shift_m,
                                   min_worked=evidence_needed(n, thresholds),
                                   min_on_hazard=thresholds.hiding_hazard_share * n)
            metrics = replace(metrics, search_placements=search.placements, hiding_placements=search.hiding)
            klass = classify(metrics, thresholds)
        corrected = _corrected(perimeters[k], fit, land, frame) if klass is RecordClass.SHIFTED else None
        results.append(RecordVerification(int(record.id), record.code, _int(record.admin_area_id), klass, metrics,
                                          fit, corrected, _int(record.ap_count), _int(record.at_count)))
        if progress:
            progress(k + 1, len(records))
    return results


def _corrected(perimeter: shapely.Geometry, fit: RigidFit, land: Land, frame: LocalFrame) -> shapely.Geometry | None:
    """The record's perimeter moved by the fit, less the land already released: where its mines should still be."""
    moved = shapely.transform(perimeter, lambda xy: np.column_stack(fit.apply(xy[:, 0], xy[:, 1])))
    remaining = shapely.difference(moved, land.released_near(moved))
    if remaining.is_empty or shapely.area(remaining) < 1.0:
        return None
    return transform_geometries(np.array([remaining]), frame.inverse)[0]


def _is_at(models: pd.Series, catalogue: dict[str, str]) -> np.ndarray:
    # The catalogue decides; an unknown model is taken as AP, the category most rows hold.
    return models.map(catalogue).fillna("ap_mine").eq("at_mine").to_numpy()


def _int(value: object) -> int | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value) else int(value)
