"""`demine risk ...`: the contamination risk model (evaluate, train, predict) on a table of cells."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click

from demine.cli import cli
from demine.errors import DemineError

CELL_FILE = click.Path(dir_okay=False, path_type=Path)


def _table_options(command):  # type: ignore[no-untyped-def]
    """Options shared by evaluate and train: what the table's columns mean."""
    options = [
        click.option("--cells", type=CELL_FILE, default=None,
                     help="Table of cells: .csv (a WKT 'geometry' column is kept) or .gpkg. Without it, a grid is "
                     "built from the register."),
        click.option("--label", default=None, help="With --cells: column with 1 (explosive ordnance) / 0 (none "
                     "found); any other value means unlabelled."),
        click.option("--group", default=None, help="With --cells: column of spatial groups (municipality, district, "
                     "block) left out whole in cross-validation."),
        click.option("--exclude", multiple=True, help="A column not to use as a feature (repeatable)."),
        click.option("--decreasing", multiple=True, help="A feature along which risk never rises, e.g. a distance "
                     "to past finds (repeatable)."),
        click.option("--increasing", multiple=True, help="A feature along which risk never falls (repeatable)."),
        click.option("--keep-coordinates", is_flag=True, help="Use coordinate columns as features (they are "
                     "ignored by default: they do not carry over to another region)."),
        click.option("--area", default=None, help="Column of cell areas: capture is then a share of land, not of "
                     "cells."),
    ]
    for option in reversed(options + GRID_OPTIONS):
        command = option(command)
    return command


GRID_OPTIONS = [
    click.option("--grid", "grid_kind", type=click.Choice(["square", "h3"]), default="square", show_default=True,
                 help="Register path: a metric square grid (--cell-size) or H3 hexagons (--resolution)."),
    click.option("--resolution", type=click.IntRange(6, 11), default=None, help="Register path, --grid h3: the H3 "
                 "resolution (8: cells of 0.74 km², 9: 0.11 km², 10: 0.015 km²)."),
    click.option("--cell-size", type=click.FloatRange(50, 5000), default=250.0, show_default=True,
                 help="Register path, --grid square: side of a grid cell in metres."),
    click.option("--aoi", type=CELL_FILE, default=None, help="Register path: polygons of the area of interest "
                 "(default: the districts holding the register's evidence)."),
    click.option("--line", type=CELL_FILE, default=None, help="Register path: line layer of the former line of "
                 "contact (distance to it becomes a feature and a baseline)."),
    click.option("--layer", "vector_layers", type=CELL_FILE, multiple=True, help="Register path: a vector layer "
                 "(roads, settlements, rivers); distance to it becomes a feature (repeatable)."),
    click.option("--raster", "raster_layers", type=CELL_FILE, multiple=True, help="Register path: a raster "
                 "(elevation, slope, land cover) sampled at cell centres (repeatable)."),
]


def _grid_options(grid_kind, resolution, cell_size, aoi, line, vector_layers, raster_layers):  # type: ignore[no-untyped-def]
    from demine.risk.register_cells import UserLayers
    from demine.risk.register_path import GridOptions

    if grid_kind == "h3" and resolution is None:
        raise click.UsageError("--grid h3 needs --resolution N (6-11)")
    if grid_kind == "square" and resolution is not None:
        raise click.UsageError("--resolution is for --grid h3; the square grid takes --cell-size")
    return GridOptions(cell_size, aoi, UserLayers(line, tuple(vector_layers), tuple(raster_layers)), grid_kind,
                       resolution)


def _require_columns(cells, label, group) -> None:  # type: ignore[no-untyped-def]
    if cells is not None and (not label or not group):
        raise click.UsageError("--cells needs --label COLUMN and --group COLUMN")
    if cells is None and (label or group):
        raise click.UsageError("--label and --group name columns of --cells; the register path sets its own")


def _options(cells, label, group, exclude, decreasing, increasing, keep_coordinates, area):  # type: ignore[no-untyped-def]
    from demine.risk.generic import Options

    return Options(label=label, group=group, exclude=tuple(exclude), increasing=tuple(increasing),
                   decreasing=tuple(decreasing), keep_coordinates=keep_coordinates, area=area)


@click.group()
def risk() -> None:
    """Contamination risk: where explosive ordnance is likely, validated by leaving whole regions out."""


@risk.command("evaluate")
@_table_options
@click.option("--baseline", multiple=True, help="Also rank cells by this one column, on the same folds "
              "(repeatable), e.g. a distance to past events.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the figures to this JSON file too.")
@click.pass_obj
def evaluate_command(obj, cells: Path | None, label: str | None, group: str | None, exclude, decreasing,  # type: ignore[no-untyped-def]
                     increasing, keep_coordinates: bool, area: str | None, grid_kind: str, resolution: int | None,
                     cell_size: float, aoi, line, vector_layers, raster_layers, baseline,
                     json_out: Path | None) -> None:
    """Spatial cross-validation of the model beside its baselines, on the same folds.

    With --cells, on that table; without, on a grid built from the register (leave-one-district-out), with the
    baselines distance to past finds, distance to the line (with --line) and records only."""
    from demine.cli import console
    from demine.risk.generic import evaluate_cells
    from demine.risk.register_path import evaluate_register

    _require_columns(cells, label, group)
    if cells is None:
        report, built = evaluate_register(obj.register, _grid_options(grid_kind, resolution, cell_size, aoi, line,
                                                                      vector_layers, raster_layers),
                                          exclude=tuple(exclude))
        cells, group = built.table.path, "district"
    else:
        options = _options(cells, label, group, exclude, decreasing, increasing, keep_coordinates, area)
        report = evaluate_cells(cells, options, baselines=tuple(baseline))
    ev = report.evaluation
    how = ("leave-one-group-out" if len(ev.fold_names) == report.groups else f"{len(ev.fold_names)} grouped blocks")
    console.print(f"{cells}: {report.n_cells} cells, {report.n_labelled} labelled ({report.n_positive} positive), "
                  f"{report.groups} groups by '{group}'; spatial cross-validation: {how}.")
    console.print(f"Features: {len(report.spec.names)}"
                  + (f"; ignored: {', '.join(f'{k} ({v})' for k, v in report.spec.ignored.items())}"
                     if report.spec.ignored else ""), highlight=False)
    if ev.skipped_folds:
        console.print(f"Not scored (training side had one class): {', '.join(ev.skipped_folds)}")
    _print_figures(ev.figures)
    if json_out:
        document = {"cells": str(cells), "label": label, "group": group, "validation": how,
                    "n_cells": report.n_cells, "n_labelled": report.n_labelled, "n_positive": report.n_positive,
                    "groups": report.groups, "features": report.spec.names, "ignored": report.spec.ignored,
                    "monotone": report.directions, "figures": _finite(ev.figures)}
        json_out.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
        console.print(f"Figures written to {json_out}.")


def _finite(figures: dict[str, dict[str, float]]) -> dict[str, dict[str, float | None]]:
    return {r: {k: (None if math.isnan(v) else round(v, 4)) for k, v in f.items()} for r, f in figures.items()}


def _print_figures(figures: dict[str, dict[str, float]]) -> None:
    from rich.table import Table

    from demine.cli import console
    from demine.risk.metrics import CAPTURE_PERCENTS

    table = Table(title="Out-of-fold figures (capture: share of positives in the top k% of each left-out region)")
    columns = [("ROC-AUC", "roc_auc"), ("AUC by fold", "roc_auc_mean_by_fold"), ("PR-AUC", "pr_auc")]
    columns += [(f"top {k}%", f"capture_{k}") for k in CAPTURE_PERCENTS]
    columns += [("false alarms/find", "false_alarms_per_positive"), ("Brier", "brier")]
    table.add_column("ranking")
    for title, _ in columns:
        table.add_column(title, justify="right")
    for name, values in figures.items():
        table.add_row(name, *("–" if math.isnan(values[key]) else
                              (f"{values[key]:.1f}" if key == "false_alarms_per_positive" else f"{values[key]:.3f}")
                              for _, key in columns))
    console.print(table)


@risk.command("train")
@_table_options
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Model file to write (JSON: LightGBM text model, features, calibration).")
@click.pass_obj
def train_command(obj, cells: Path | None, label: str | None, group: str | None, exclude, decreasing,  # type: ignore[no-untyped-def]
                  increasing, keep_coordinates: bool, area: str | None, grid_kind: str, resolution: int | None,
                  cell_size: float, aoi, line, vector_layers, raster_layers, model_path: Path) -> None:
    """Fit the model on every labelled cell, calibrated on grouped out-of-fold scores, and save it.

    Without --cells the cells are a grid built from the register; the grid options are saved with the model."""
    from demine.cli import console
    from demine.risk.generic import train_cells
    from demine.risk.register_path import train_register

    _require_columns(cells, label, group)
    if cells is None:
        model = train_register(obj.register, _grid_options(grid_kind, resolution, cell_size, aoi, line,
                                                          vector_layers, raster_layers), exclude=tuple(exclude))
    else:
        options = _options(cells, label, group, exclude, decreasing, increasing, keep_coordinates, area)
        model = train_cells(cells, options)
    model.save(model_path)
    meta = model.metadata
    oof = meta["out_of_fold"]
    console.print(f"Trained on {meta['labelled']} labelled cells ({meta['positive']} positive) of {meta['cells']}, "
                  f"{len(model.features)} features; calibration on {meta['calibration_folds']} grouped folds "
                  f"(out-of-fold ROC-AUC {oof['roc_auc']:.3f}, Brier {oof['brier']:.3f}).")
    console.print(f"Model written to {model_path}.")


@risk.command("predict")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Model file written by `demine risk train`.")
@click.option("--cells", type=CELL_FILE, default=None, help="Cells to score (.csv or .gpkg); without it, the "
              "grid the model was trained on, rebuilt from the register as it is now.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output: the same cells plus a 'risk' probability (.csv or .gpkg; register path also .tif).")
@click.option("--explain", type=click.IntRange(0, 20), default=0, show_default=True,
              help="Add 'risk_explained': the N features that moved each cell's risk most.")
@click.option("--candidates", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Register path: write the top-ranked cells outside every hazard area and record (.csv or "
              ".gpkg): candidate areas for non-technical survey.")
@click.option("--candidate-share", type=click.FloatRange(0.0001, 0.5), default=0.01, show_default=True,
              help="Share of the grid's cells to list as candidates.")
@click.option("--publish", is_flag=True, help="Register path: also make this the risk map the web map shows "
              "(written to the DEMINE_RISK_LAYER GeoPackage).")
@click.pass_obj
def predict_command(obj, model_path: Path, cells: Path | None, out: Path, explain: int,  # type: ignore[no-untyped-def]
                    candidates: Path | None, candidate_share: float, publish: bool) -> None:
    """Score cells with a saved model: the input cells with a 'risk' column (probability 0 to 1)."""
    from demine.cli import console
    from demine.risk.generic import predict_cells
    from demine.risk.model import RiskModel

    model = RiskModel.load(model_path)
    if cells is None:
        prediction = _predict_register(obj, model, out, explain, candidates, candidate_share, publish)
    else:
        if publish or candidates:
            raise click.UsageError("--publish and --candidates work on the register's grid: drop --cells")
        if out.resolve() == cells.resolve():
            raise DemineError(f"{out}: the output would overwrite the input cells; choose another file")
        prediction = predict_cells(model, cells, out, explain=explain)
    if prediction.missing:
        console.print(f"[yellow]warning[/]: {len(prediction.missing)} of the model's features are not in {cells} "
                      f"and are treated as unknown: {', '.join(prediction.missing)}", highlight=False)
    if prediction.extra:
        console.print(f"Ignored {len(prediction.extra)} column(s) the model does not use: "
                      f"{', '.join(prediction.extra[:20])}{' ...' if len(prediction.extra) > 20 else ''}",
                      highlight=False)
    console.print(f"{prediction.cells} cells scored; risk from {prediction.risk.min():.3f} to "
                  f"{prediction.risk.max():.3f}; written to {prediction.out}.")


def _predict_register(obj, model, out: Path, explain: int, candidates: Path | None, share: float,  # type: ignore[no-untyped-def]
                      publish: bool):
    from demine.cli import console
    from demine.risk.outputs import write_risk
    from demine.risk.register_path import grid_options_of, predict_register, top_unregistered

    options = grid_options_of(model)
    if options is None:
        raise DemineError("this model was trained on a table of cells, not on the register: give --cells")
    prediction, built = predict_register(obj.register, model, options, out, explain=explain)
    if candidates is not None:
        chosen = top_unregistered(built, prediction.risk, share=share)
        from demine.risk.register_cells import RegisterCells

        subset = RegisterCells(built.grid, type(built.table)(built.table.path, built.table.frame.iloc[chosen]),
                               built.rows[chosen], built.cols[chosen], built.features)
        write_risk(subset, prediction.columns.iloc[chosen], candidates)
        console.print(f"{len(chosen)} candidate cells for non-technical survey (outside every hazard area and "
                      f"record) written to {candidates}.")
    if publish:
        from demine.risk.published import publish as publish_layer, register_identity

        with obj.register.reading() as connection:
            register_id = register_identity(connection)
        layer = publish_layer(built, prediction.columns, obj.settings.risk_layer, register_id)
        console.print(f"Published as the map's risk layer: {layer} (and the `risk_cells` layer of `demine export "
                      "gpkg`).")
    return prediction


cli.add_command(risk)
