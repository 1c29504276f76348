"""The register path: evaluate, train and predict on a grid built from the register, with the field's baselines."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from demine.risk.evidence import load_evidence
from demine.risk.generic import EvaluationReport, Options, Prediction, evaluate_cells, predict_cells, train_cells
from demine.risk.model import RiskModel
from demine.risk.register_cells import GROUP, LABEL, MONOTONE, RegisterCells, UserLayers, build_cells

# The yardsticks an analyst already has: where things were found, where the front was, what the records say.
# "records only" is what the records say (inside one or not: ties shared); "nearness to records" also ranks the land
# outside them by distance, a stronger yardstick because shifted records lie near their true minefield.
BASELINES = {"dist_find_m": "distance to past finds", "dist_line_m": "distance to the line",
             "record_inside": "records only", "dist_record_m": "nearness to records"}


GRID_KINDS = ("square", "h3")


@dataclass
class GridOptions:
    cell_size_m: float = 250.0
    aoi: Path | None = None
    layers: UserLayers = field(default_factory=UserLayers)
    kind: str = "square"  # or "h3": hexagons of `resolution` instead of squares of `cell_size_m`
    resolution: int | None = None

    def __post_init__(self) -> None:
        from demine.errors import DemineError

        if self.kind not in GRID_KINDS:
            raise DemineError(f"unknown grid '{self.kind}': use one of {', '.join(GRID_KINDS)}")
        if self.kind == "h3" and self.resolution is None:
            raise DemineError("an H3 grid needs a resolution (e.g. --resolution 9: cells of 0.1 km²)")

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["aoi"] = str(self.aoi) if self.aoi else None
        data["layers"] = {"line": str(self.layers.line) if self.layers.line else None,
                          "vectors": [str(p) for p in self.layers.vectors],
                          "rasters": [str(p) for p in self.layers.rasters]}
        return data


def register_cells(register, options: GridOptions) -> RegisterCells:  # type: ignore[no-untyped-def]
    with register.reading() as connection:
        evidence = load_evidence(connection)
    return build_cells(evidence, size_m=options.cell_size_m, aoi=options.aoi, layers=options.layers,
                       source=f"register {register.url}" if hasattr(register, "url") else "register",
                       h3_resolution=options.resolution if options.kind == "h3" else None)


def table_options(cells: RegisterCells, exclude: tuple[str, ...] = ()) -> Options:
    frame = cells.table.frame
    # A feature unknown everywhere (no such evidence in this register) is not a feature, so it takes no constraint.
    present = {f for f in cells.features if frame[f].notna().any()} - set(exclude)
    return Options(label=LABEL, group=GROUP, exclude=("cell", *exclude),
                   decreasing=tuple(k for k, v in MONOTONE.items() if v < 0 and k in present),
                   increasing=tuple(k for k, v in MONOTONE.items() if v > 0 and k in present))


def evaluate_register(register, options: GridOptions, *, exclude: tuple[str, ...] = ()  # type: ignore[no-untyped-def]
                      ) -> tuple[EvaluationReport, RegisterCells]:
    cells = register_cells(register, options)
    baselines = tuple(b for b in BASELINES if b in cells.features)
    report = evaluate_cells(cells.table, table_options(cells, exclude), baselines=baselines,
                            baseline_names=BASELINES, baseline_directions=MONOTONE)
    return report, cells


def train_register(register, options: GridOptions, *, exclude: tuple[str, ...] = ()) -> RiskModel:  # type: ignore[no-untyped-def]
    cells = register_cells(register, options)
    model = train_cells(cells.table, table_options(cells, exclude))
    model.metadata["grid"] = options.to_json()
    return model


def predict_register(register, model: RiskModel, options: GridOptions, out: Path | None, *,  # type: ignore[no-untyped-def]
                     explain: int = 0) -> tuple[Prediction, RegisterCells]:
    from demine.risk.outputs import write_risk

    cells = register_cells(register, options)
    prediction = predict_cells(model, cells.table, None, explain=explain)
    if out is not None:
        prediction.out = write_risk(cells, prediction.columns, out)
    return prediction, cells


def grid_options_of(model: RiskModel) -> GridOptions | None:
    """The grid a model was trained on, to predict on the same by default."""
    data = model.metadata.get("grid")
    if not isinstance(data, dict):
        return None
    layers = data.get("layers") or {}
    return GridOptions(float(data["cell_size_m"]), Path(data["aoi"]) if data.get("aoi") else None,
                       UserLayers(Path(layers["line"]) if layers.get("line") else None,
                                  tuple(Path(p) for p in layers.get("vectors", [])),
                                  tuple(Path(p) for p in layers.get("rasters", []))),
                       str(data.get("kind", "square")), data.get("resolution"))


def top_unregistered(cells: RegisterCells, risk: np.ndarray, *, share: float = 0.01) -> np.ndarray:
    """Indexes of the highest-risk cells outside every registered hazard area and record: candidates for survey."""
    frame = cells.table.frame
    outside = (frame["hazard_inside"].to_numpy() == 0) & (frame["record_inside"].to_numpy() == 0) & (
        frame[LABEL].to_numpy() != 0)
    candidates = np.flatnonzero(outside)
    n = max(1, int(round(share * len(frame))))
    return candidates[np.argsort(-risk[candidates], kind="stable")[:n]]
