"""The generic path: any table of cells with features (CSV or GeoPackage), no register needed.

evaluate -> spatial cross-validation of the model beside its baselines; train -> a model file; predict -> the same
cells with a `risk` probability (and, on request, the features that pushed each cell's risk up or down).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from demine.errors import Issue, ValidationFailed
from demine.risk import metrics
from demine.risk.baselines import ColumnRanking, LogisticBaseline, Ranker
from demine.risk.cells import CellTable, check_trainable, groups_of, labels_of, read_cells, write_cells
from demine.risk.encoding import Encoded, FeatureSpec, choose_features, encode
from demine.risk.explain import top_contributions
from demine.risk.model import LARGE_TABLE, Platt, RiskModel, fit_booster, monotone_vector
from demine.risk.validation import BoosterRanker, Evaluation, calibrate_by_fold, evaluate, out_of_fold, \
    spatial_folds

# Calibration needs honest out-of-fold scores, not many of them: five grouped folds keep training affordable.
CALIBRATION_FOLDS = 5
# Above LARGE_TABLE labelled cells three folds already give a Platt map its two parameters many times over, and each
# calibration model is fitted on at most CALIBRATION_ROWS of its folds' labelled cells.
CALIBRATION_ROWS = 250_000


@dataclass
class Options:
    """What the user told us about the table."""

    label: str
    group: str
    exclude: tuple[str, ...] = ()
    increasing: tuple[str, ...] = ()  # risk never falls as these grow
    decreasing: tuple[str, ...] = ()  # risk never rises as these grow (distances to past finds, to the line)
    keep_coordinates: bool = False
    area: str | None = None  # a column of cell areas, to rank by share of land rather than share of cells


@dataclass
class Prepared:
    table: CellTable
    labels: np.ndarray
    groups: np.ndarray
    spec: FeatureSpec
    encoded: Encoded
    directions: dict[str, int]
    weights: np.ndarray | None


def prepare(source: Path | str | CellTable, options: Options) -> Prepared:
    table = source if isinstance(source, CellTable) else read_cells(source)
    labels = labels_of(table, options.label)
    groups = groups_of(table, options.group)
    check_trainable(table, labels, options.label)
    exclude = {options.label, options.group, *options.exclude} | ({options.area} if options.area else set())
    for name in options.exclude:
        table.require_column(name, "excluded")
    spec = choose_features(table.frame, exclude=exclude, keep_coordinates=options.keep_coordinates)
    if not spec.names:
        raise ValidationFailed([Issue(str(table.path), None, None,
                                      "no feature column left: every column is the label, the group, excluded, "
                                      "coordinates or unusable text")])
    directions = _directions(table, spec, options)
    weights = None
    if options.area:
        weights = pd.to_numeric(table.require_column(options.area, "area"), errors="coerce").fillna(0).to_numpy()
    return Prepared(table, labels, groups, spec, encode(table.frame, spec, exclude=exclude), directions, weights)


def _directions(table: CellTable, spec: FeatureSpec, options: Options) -> dict[str, int]:
    directions: dict[str, int] = {}
    for sign, names in ((1, options.increasing), (-1, options.decreasing)):
        for name in names:
            if name not in spec.numeric:
                raise ValidationFailed([Issue(str(table.path), None, name,
                                              "a monotone constraint needs a numeric feature column of that name")])
            directions[name] = sign
    return directions


@dataclass
class EvaluationReport:
    evaluation: Evaluation
    spec: FeatureSpec
    n_cells: int
    n_labelled: int
    n_positive: int
    groups: int
    directions: dict[str, int] = field(default_factory=dict)


def evaluate_cells(source: Path | str | CellTable, options: Options, *, baselines: tuple[str, ...] = (),
                   baseline_names: dict[str, str] | None = None,
                   baseline_directions: dict[str, int] | None = None) -> EvaluationReport:
    """The model and its baselines on the same spatial folds. A baseline column ranks by the direction its monotone
    constraint gives when it has one, else by the direction the training folds show."""
    prepared = prepare(source, options)
    names = prepared.spec.names
    matrix = prepared.encoded.matrix
    rankers: list[tuple[Ranker, np.ndarray]] = [
        (BoosterRanker(monotone_vector(names, prepared.directions), names), matrix),
        (LogisticBaseline(), matrix),
    ]
    for column in baselines:
        values = pd.to_numeric(prepared.table.require_column(column, "baseline"), errors="coerce")
        if values.notna().sum() == 0:
            raise ValidationFailed([Issue(str(prepared.table.path), None, column,
                                          "a baseline ranking needs a numeric column")])
        name = (baseline_names or {}).get(column, f"rank by {column}")
        rankers.append((ColumnRanking(0, name, prepared.directions.get(column, (baseline_directions or {}).get(column))),
                        values.to_numpy(dtype=float).reshape(-1, 1)))
    evaluation = evaluate(prepared.labels, prepared.groups, rankers, weights=prepared.weights)
    labelled = ~np.isnan(prepared.labels)
    return EvaluationReport(evaluation, prepared.spec, len(prepared.labels), int(labelled.sum()),
                            int(np.nansum(prepared.labels)), len(np.unique(prepared.groups)), prepared.directions)


def train_cells(source: Path | str | CellTable, options: Options) -> RiskModel:
    prepared = prepare(source, options)
    names = prepared.spec.names
    monotone = monotone_vector(names, prepared.directions)
    labels, matrix = prepared.labels, prepared.encoded.matrix
    n_folds = CALIBRATION_FOLDS if np.sum(~np.isnan(labels)) <= LARGE_TABLE else 3
    folds = spatial_folds(prepared.groups, labels, max_groups_left_out_alone=n_folds, n_folds=n_folds)
    skipped: list[int] = []
    # On a national table the calibration models see a sample of their folds' rows: they only have to score the
    # left-out fold for the Platt map (measured: a fit on 250,000 rows costs a quarter of one on a million, even
    # bagged to the same rows per tree, since every round still passes over every row).
    large = bool(np.sum(~np.isnan(labels)) > LARGE_TABLE)
    raw = out_of_fold(BoosterRanker(monotone, names, large=large), matrix, labels, folds, skipped,
                      max_train_rows=CALIBRATION_ROWS if large else None)
    calibration = Platt.fit(raw, labels)
    oof = calibrate_by_fold(raw, labels, folds)
    labelled = ~np.isnan(labels)
    booster = fit_booster(matrix[labelled], labels[labelled], monotone, names)
    metadata = {
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "source": str(prepared.table.path),
        "label": options.label, "group": options.group, "excluded": list(options.exclude), "cells": int(len(labels)), "labelled": int(labelled.sum()),
        "positive": int(np.nansum(labels)), "groups": int(len(np.unique(prepared.groups))),
        "calibration_folds": int(folds.max()) + 1,
        "calibration_rows_per_fold_at_most": CALIBRATION_ROWS if labelled.sum() > LARGE_TABLE else None,
        "out_of_fold": {k: v for k, v in metrics.ranking_scores(oof, labels).items()}
        | {"brier": metrics.brier(oof, labels)},
    }
    return RiskModel(booster, prepared.spec, prepared.directions, calibration, metadata)


@dataclass
class Prediction:
    out: Path | None
    cells: int
    missing: list[str]
    extra: list[str]
    risk: np.ndarray
    columns: pd.DataFrame


def predict_cells(model: RiskModel, source: Path | str | CellTable, out: Path | str | None, *,
                  explain: int = 0) -> Prediction:
    """Score the cells; write them with `risk` (and `risk_explained`) to `out` unless it is None."""
    table = source if isinstance(source, CellTable) else read_cells(source)
    label = str(model.metadata.get("label", ""))
    group = str(model.metadata.get("group", ""))
    excluded = {str(c) for c in model.metadata.get("excluded", [])}  # type: ignore[union-attr]
    encoded = encode(table.frame, model.spec, exclude={label, group, *excluded})
    if len(encoded.missing) == len(model.spec.numeric) + len(model.spec.categories):
        raise ValidationFailed([Issue(str(table.path), None, None,
                                      "none of the model's features is in the cells: "
                                      + ", ".join(model.spec.numeric[:10]))])
    risk = model.probability(encoded.matrix)
    extra_columns = pd.DataFrame({"risk": risk})
    if explain:
        extra_columns["risk_explained"] = top_contributions(model, encoded.matrix, top=explain)
    written = write_cells(table, extra_columns, out) if out is not None else None
    return Prediction(written, len(risk), encoded.missing, encoded.extra, risk, extra_columns)
