"""Use case: verify every minefield record against the clearance results, store the run, give the figures.

The CLI (`demine records verify`) and the API (/api/records/verifications) both call this. Results are added as a new
run (older runs stay); the corrected perimeter of a shifted record is stored as a proposal and never applied.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import func, insert, select

from demine.analysis.records.figures import VerificationFigures, figures, figures_of_classes
from demine.analysis.records.inputs import load_inputs
from demine.analysis.records.verify import (DEFAULT_BUFFER_M, DEFAULT_TOLERANCE_M, RecordVerification,
                                            verify_records)
from demine.services.register import Register
from demine.store.audit import record_change
from demine.store.tables.records import minefield_records, record_verifications


@dataclass(frozen=True, slots=True)
class VerificationRun:
    run_at: dt.datetime
    results: list[RecordVerification]
    figures: VerificationFigures


def run_verification(register: Register, *, actor: str, tolerance_m: float = DEFAULT_TOLERANCE_M,
                     buffer_m: float = DEFAULT_BUFFER_M,
                     progress: Callable[[int, int], None] | None = None, workers: int = 1) -> VerificationRun:
    """`workers` > 1 judges the records in that many processes (verify_records): the same results, sooner."""
    with register.reading() as connection:
        inputs = load_inputs(connection)
    results = verify_records(inputs, tolerance_m=tolerance_m, buffer_m=buffer_m, progress=progress, workers=workers)
    run_at = dt.datetime.now(dt.UTC)
    rows = [_row(r, run_at, actor, tolerance_m, buffer_m) for r in results]
    with register.writing() as connection:
        if rows:
            connection.execute(insert(record_verifications), rows)
        counts: dict[str, int] = {}
        for r in results:
            counts[r.verification_class.value] = counts.get(r.verification_class.value, 0) + 1
        record_change(connection, actor=actor, action="verify", table_name="record_verifications", record_code=None,
                      after={"records": len(results), "tolerance_m": tolerance_m, "buffer_m": buffer_m} | counts,
                      at=run_at)
    return VerificationRun(run_at, results, figures(inputs, results))


def _row(r: RecordVerification, run_at: dt.datetime, actor: str, tolerance_m: float,
         buffer_m: float) -> dict[str, Any]:
    m = r.metrics
    geom = r.corrected_perimeter
    bounds = shapely.bounds(geom) if geom is not None else (None,) * 4
    return {
        "record_id": r.record_id, "run_at": run_at, "run_by": actor,
        "verification_class": r.verification_class.value, "tolerance_m": tolerance_m, "buffer_m": buffer_m,
        "recorded_mines": m.recorded_mines, "worked_before": m.worked_before, "match_before": _num(m.match_before),
        "worked_after": m.worked_after, "match_after": _num(m.match_after), "inside_share": _num(m.inside_share),
        "explained_share": _num(m.explained_share), "worked_area_share": m.worked_area_share,
        "cleared_area_share": m.cleared_area_share, "confirmed_area_share": m.confirmed_area_share,
        "shift_dx_m": _num(m.dx_m), "shift_dy_m": _num(m.dy_m), "rotation_deg": _num(m.rotation_deg),
        "residual_m": _num(m.residual_m),
        "metrics": json.dumps(m.as_dict() | {"ap_count": r.ap_count, "at_count": r.at_count}, sort_keys=True),
        "geom": geom, "min_x": _num(bounds[0]), "min_y": _num(bounds[1]), "max_x": _num(bounds[2]),
        "max_y": _num(bounds[3]),
    }


def latest_figures(register: Register) -> VerificationFigures | None:
    """National and district figures of the latest verification of each live record (None: never verified)."""
    from demine.analysis.records.layers import verification_layer

    with register.reading() as connection:
        layer = verification_layer(connection)
        if layer.empty:
            return None
        inputs = load_inputs(connection)
    district = dict(zip(inputs.records["code"], inputs.records["admin_area_id"]))
    return figures_of_classes(inputs, layer["verification_class"].tolist(),
                              [_district(district.get(code)) for code in layer["code"]])


def _district(value: object) -> int | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)  # type: ignore[arg-type]


def latest_verifications(register: Register) -> list[dict[str, Any]]:
    """The latest run's result for every record (code, class, metrics, proposed corrected perimeter as WKT)."""
    v = record_verifications.c
    with register.reading() as connection:
        last = connection.execute(select(func.max(v.run_at))).scalar_one_or_none()
        if last is None:
            return []
        rows = connection.execute(
            select(minefield_records.c.code, record_verifications)
            .join(minefield_records, minefield_records.c.id == v.record_id)
            .where(v.run_at == last).order_by(minefield_records.c.code)).mappings().all()
    out = []
    for row in rows:
        item = {k: row[k] for k in row.keys() if k not in ("id", "record_id", "geom", "min_x", "min_y", "max_x",
                                                             "max_y", "metrics")}
        item["metrics"] = json.loads(row["metrics"])
        item["corrected_wkt"] = shapely.to_wkt(row["geom"], rounding_precision=7) if row["geom"] is not None else None
        out.append(item)
    return out


def _num(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else float(value)
