"""The register path on H3 hexagons: the square grid's features and labels, measured on a set of cells.

The square grid computes them on a raster (register_cells.py); hexagons are no raster, so here every feature comes
from cell centres and outlines (cell_features.py), with the same meaning: distances from the cell's centre to the
centre of the nearest other cell holding the evidence, counts within 1 km outside the cell, the centre inside a record
or hazard area, labels from the cell's own finds and incidents and from land cleared or reduced over its centre.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from demine.risk import cell_features as cf
from demine.risk.cells import CellTable
from demine.risk.evidence import RegisterEvidence
from demine.risk.hexgrid import build_hex_grid
from demine.risk.register_cells import (DENSITY_RADIUS_M, EVIDENCE_KINDS, GROUP, LABEL, RELEASED_AS_EMPTY,
                                        RegisterCells, UserLayers, _name, _read_vector, _sample_raster)


def cell_set_features(cells: cf.CellSet, evidence: RegisterEvidence, layers: UserLayers
                      ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Features (float32, NaN for unknown), labels (1, 0, -1) and district names of the cells."""
    lon, lat = _centres_wgs84(cells)
    polygons = cells.polygons_projected()
    features: dict[str, np.ndarray] = {}
    if layers.line is not None:
        line = _read_vector(layers.line, "line of contact")
        features["dist_line_m"] = cf.distance_to_touched(cells, np.asarray(line.geometry.values), polygons)
    counts = _evidence(cells, evidence)
    any_find = cf.Evidence(*_sum_evidence([counts[k] for k in EVIDENCE_KINDS]))
    own: dict[str, np.ndarray] = {}
    for kind, found in {**counts, "find": any_find}.items():
        features[f"dist_{kind}_m"] = cf.distance_to_other(cells, found)
        own[kind] = cf.own_amount(cells, found)
        if kind != "find":
            features[f"n_{kind}_1km"] = cf.density(cells, found, DENSITY_RADIUS_M) - own[kind]
    for name, frame in (("record", evidence.records), ("hazard", evidence.hazards)):
        geometries = np.asarray(frame.geometry.values)
        features[f"{name}_inside"] = cf.inside(cells, geometries)
        features[f"dist_{name}_m"] = cf.distance_to_touched(cells, geometries, polygons)
    cha = evidence.hazards[evidence.hazards["hazard_class"] == "cha"]
    features["cha_inside"] = cf.inside(cells, np.asarray(cha.geometry.values))
    for path in layers.vectors:
        features[f"dist_{_name(path)}_m"] = cf.distance_to_touched(
            cells, np.asarray(_read_vector(path, "layer").geometry.values), polygons)
    for path in layers.rasters:
        features[_name(path)] = _sample_raster(path, lon, lat)
    positive = (own["incident"] + own["find"]) > 0
    released = evidence.outputs[evidence.outputs["outcome"].isin(RELEASED_AS_EMPTY)]
    empty = cf.inside(cells, np.asarray(released.geometry.values)) > 0
    label = np.where(positive, 1, np.where(empty, 0, -1)).astype(np.int8)
    features = {k: np.where(np.isinf(v), np.nan, v).astype(np.float32) for k, v in features.items()}
    names = np.asarray(["(outside the gazetteer)", *evidence.districts["name"].astype(str)], dtype=object)
    districts = names[cf.containing_index(cells, np.asarray(evidence.districts.geometry.values)) + 1]
    return features, label, districts


def build_hex_cells(evidence: RegisterEvidence, area: shapely.Geometry, resolution: int, layers: UserLayers,
                    source: str) -> RegisterCells:
    grid = build_hex_grid(area, resolution)
    features, label, districts = cell_set_features(grid, evidence, layers)
    lon, lat = grid.centres_wgs84()
    frame = pd.DataFrame({"cell": grid.ids(), "longitude": lon, "latitude": lat, GROUP: districts, LABEL: label,
                          **features})
    rows, cols = grid.index()
    return RegisterCells(grid, CellTable(_source(source), frame, None, "EPSG:4326"), rows, cols,  # type: ignore[arg-type]
                         list(features))


def _source(source: str):  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(source)


def _centres_wgs84(cells: cf.CellSet) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    from demine.domain.geodesy import transform_xy

    return transform_xy(Transformer.from_crs(cells.crs, "EPSG:4326", always_xy=True), cells.x, cells.y)


def _evidence(cells: cf.CellSet, evidence: RegisterEvidence) -> dict[str, cf.Evidence]:
    finds = evidence.finds
    named = {c for cats in EVIDENCE_KINDS.values() if cats for c in cats}
    counts: dict[str, cf.Evidence] = {}
    for kind, categories in EVIDENCE_KINDS.items():
        chosen = finds[finds["category"].isin(categories)] if categories else finds[~finds["category"].isin(named)]
        counts[kind] = cf.evidence_in_cells(cells, chosen["longitude"].to_numpy(), chosen["latitude"].to_numpy(),
                                            chosen["quantity"].to_numpy(dtype=float))
    people = evidence.incidents
    counts["incident"] = cf.evidence_in_cells(cells, people["longitude"].to_numpy(), people["latitude"].to_numpy(),
                                              np.ones(len(people)))
    return counts


def _sum_evidence(parts: list[cf.Evidence]) -> tuple[np.ndarray, np.ndarray]:
    keys = np.concatenate([p.keys for p in parts])
    amount = np.concatenate([p.amount for p in parts])
    unique, where = np.unique(keys, return_inverse=True)
    return unique, np.bincount(where, weights=amount, minlength=len(unique))
