"""The register path: a grid over the area of interest, its features and labels from what the register knows.

Features (all measured from the cell's centre, in metres, on the grid):
- `dist_line_m`: to the former line of contact (a line layer the user gives, e.g. the approximate line shipped with the
  scenario generator), where most belts were laid;
- `dist_<kind>_m` and `n_<kind>_1km` for AP mines, AT mines, other EO found, and incidents: to the nearest *other* cell
  holding such evidence, and how many within 1 km outside the cell itself. A cell's own finds are its label, never its
  feature, or the model would only learn to read the label back;
- `dist_find_m`: to the nearest other cell with any find (also a baseline);
- `record_inside`, `dist_record_m`: the cell's centre in a minefield record; distance to the nearest record (0 when a
  record touches the cell); the same for hazard areas (`hazard_inside`, `dist_hazard_m`, `cha_inside`);
- `dist_<layer>_m` for each vector layer the user gives, `<raster>` sampled at the centre for each raster.

Labels: a cell with a find or an incident is 1; a cell whose centre was cleared or reduced with nothing found is 0
(evidence of absence); everything else is unlabelled and predicted. Land release is used for labels only: as a feature
it would mark exactly the worked land, and the model would learn "never worked" = "incident" (incidents are the only
positives off worked land), which says nothing about where mines are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from demine.errors import DemineError
from demine.risk.cells import CellTable
from demine.risk.evidence import RegisterEvidence
from demine.risk.grid import Grid, build_grid

DENSITY_RADIUS_M = 1_000.0
EVIDENCE_KINDS = {"ap_mine": ("ap_mine",), "at_mine": ("at_mine",), "other_eo": None}  # None: every other category
RELEASED_AS_EMPTY = ("cleared", "reduced")
LABEL, GROUP = "label", "district"
# The direction the field knows: risk does not grow with distance from evidence, nor falls with its density.
MONOTONE = {"dist_line_m": -1, "dist_find_m": -1, "dist_record_m": -1, "dist_hazard_m": -1, "record_inside": 1,
            "hazard_inside": 1, "cha_inside": 1}
for _kind in (*EVIDENCE_KINDS, "incident"):
    MONOTONE[f"dist_{_kind}_m"] = -1
    MONOTONE[f"n_{_kind}_1km"] = 1


@dataclass
class UserLayers:
    line: Path | None = None
    vectors: tuple[Path, ...] = ()
    rasters: tuple[Path, ...] = ()


@dataclass
class RegisterCells:
    grid: Grid  # or a HexGrid (risk.hexgrid): then `rows` are positions in its list of cells and `cols` zeros
    table: CellTable
    rows: np.ndarray
    cols: np.ndarray
    features: list[str] = field(default_factory=list)


def area_of_interest(evidence: RegisterEvidence, aoi: Path | None) -> shapely.Geometry:
    """The user's polygons, or else the districts that hold any evidence in the register."""
    if aoi is not None:
        return _union_of_file(aoi, "area of interest")
    if evidence.is_empty():
        raise DemineError("the register holds no finds, incidents, records or hazard areas: nothing to learn from "
                          "(import some, or use --cells with a table of your own)")
    points = shapely.points(np.concatenate([evidence.finds["longitude"], evidence.incidents["longitude"]]),
                            np.concatenate([evidence.finds["latitude"], evidence.incidents["latitude"]]))
    anchors = np.concatenate([points, shapely.centroid(np.asarray(evidence.hazards.geometry.values)),
                              shapely.centroid(np.asarray(evidence.records.geometry.values))])
    districts = evidence.districts
    holding = districts[[bool(shapely.contains_xy(g, shapely.get_x(anchors), shapely.get_y(anchors)).any())
                         for g in districts.geometry]]
    if holding.empty:
        raise DemineError("no district of the gazetteer holds the register's evidence: give --aoi FILE")
    return shapely.union_all(np.asarray(holding.geometry.values))


def _read_vector(path: Path, what: str):  # type: ignore[no-untyped-def]
    import geopandas as gpd

    if not path.exists():
        from demine.errors import NotFound

        raise NotFound(f"{path}: no such file ({what})")
    try:
        layer = gpd.read_file(path)
    except Exception as error:  # pyogrio's own error types
        raise DemineError(f"{path}: not a readable vector layer ({what}): {error}") from error
    if layer.empty:
        raise DemineError(f"{path}: the {what} layer has no features")
    return layer.to_crs("EPSG:4326") if layer.crs is not None else layer.set_crs("EPSG:4326")


def _union_of_file(path: Path, what: str) -> shapely.Geometry:
    return shapely.union_all(np.asarray(_read_vector(path, what).geometry.values))


def build_cells(evidence: RegisterEvidence, *, size_m: float, aoi: Path | None = None,
                layers: UserLayers = UserLayers(), source: str = "register",
                h3_resolution: int | None = None) -> RegisterCells:
    """The square grid of `size_m` metres, or H3 hexagons of `h3_resolution` when it is given."""
    area = area_of_interest(evidence, aoi)
    if h3_resolution is not None:
        from demine.risk.register_hexes import build_hex_cells

        return build_hex_cells(evidence, area, h3_resolution, layers, source)
    return square_cells(build_grid(area, size_m), evidence, layers, source)


def square_cells(grid: Grid, evidence: RegisterEvidence, layers: UserLayers, source: str) -> RegisterCells:
    """Features and labels on the square grid's raster."""
    rows, cols = grid.index()
    columns: dict[str, np.ndarray] = {"cell": (rows.astype(np.int64) * grid.cols + cols)}
    lon, lat = grid.centres_wgs84()
    columns["longitude"], columns["latitude"] = lon, lat
    columns[GROUP] = _districts(grid, evidence, rows, cols)
    features: dict[str, np.ndarray] = {}
    if layers.line is not None:
        features["dist_line_m"] = _distance_to_shapes(grid, _read_vector(layers.line, "line of contact"))[rows, cols]
    counts = _evidence_counts(grid, evidence)
    any_find = sum(counts[k] for k in EVIDENCE_KINDS)
    for kind, count in counts.items():
        features[f"dist_{kind}_m"] = _distance_to_other(grid, count)[rows, cols]
        features[f"n_{kind}_1km"] = (_density(grid, count) - count)[rows, cols]
    features["dist_find_m"] = _distance_to_any_other(grid, any_find, [features[f"dist_{k}_m"] for k in EVIDENCE_KINDS],
                                                     rows, cols)
    for name, frame in (("record", evidence.records), ("hazard", evidence.hazards)):
        inside = grid.burn(np.asarray(frame.geometry.values), all_touched=False)
        touched = grid.burn(np.asarray(frame.geometry.values), all_touched=True)
        features[f"{name}_inside"] = inside[rows, cols].astype(np.float32)
        features[f"dist_{name}_m"] = _edt_m(grid, touched > 0)[rows, cols]
    cha = evidence.hazards[evidence.hazards["hazard_class"] == "cha"]
    features["cha_inside"] = grid.burn(np.asarray(cha.geometry.values), all_touched=False)[rows, cols].astype(
        np.float32)
    for path in layers.vectors:
        features[f"dist_{_name(path)}_m"] = _distance_to_shapes(grid, _read_vector(path, "layer"))[rows, cols]
    for path in layers.rasters:
        features[_name(path)] = _sample_raster(path, lon, lat)
    positive = (counts["incident"] + any_find)[rows, cols] > 0
    released = evidence.outputs[evidence.outputs["outcome"].isin(RELEASED_AS_EMPTY)]
    empty = grid.burn(np.asarray(released.geometry.values), all_touched=False)[rows, cols] > 0
    label = np.where(positive, 1, np.where(empty, 0, -1)).astype(np.int8)
    # No evidence of a kind anywhere gives an infinite distance: that is "unknown", not "far".
    features = {k: np.where(np.isinf(v), np.nan, v).astype(np.float32) for k, v in features.items()}
    frame = pd.DataFrame({**columns, LABEL: label, **features})
    table = CellTable(Path(source), frame, None, "EPSG:4326")
    return RegisterCells(grid, table, rows, cols, list(features))


def _name(path: Path) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in path.stem.lower())


def _districts(grid: Grid, evidence: RegisterEvidence, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    names = np.asarray(["(outside the gazetteer)", *evidence.districts["name"].astype(str)], dtype=object)
    burnt = grid.burn(np.asarray(evidence.districts.geometry.values), all_touched=False,
                      values=np.arange(1, len(names), dtype=np.int32), dtype="int32")
    return names[burnt[rows, cols]]


def _evidence_counts(grid: Grid, evidence: RegisterEvidence) -> dict[str, np.ndarray]:
    from pyproj import Transformer

    from demine.domain.geodesy import transform_xy

    to_grid = Transformer.from_crs("EPSG:4326", grid.crs, always_xy=True)
    counts: dict[str, np.ndarray] = {}
    finds = evidence.finds
    named = {c for cats in EVIDENCE_KINDS.values() if cats for c in cats}
    for kind, categories in EVIDENCE_KINDS.items():
        chosen = finds[finds["category"].isin(categories)] if categories else finds[~finds["category"].isin(named)]
        counts[kind] = _count(grid, *transform_xy(to_grid, chosen["longitude"], chosen["latitude"]),
                              chosen["quantity"].to_numpy(dtype=float))
    people = evidence.incidents
    counts["incident"] = _count(grid, *transform_xy(to_grid, people["longitude"], people["latitude"]),
                                np.ones(len(people)))
    return counts


def _count(grid: Grid, x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    raster = np.zeros((grid.rows, grid.cols), dtype=np.float32)
    if len(x):
        r, c, inside = grid.cell_of(np.asarray(x), np.asarray(y))
        np.add.at(raster, (r[inside], c[inside]), weight[inside])
    return raster


def _edt_m(grid: Grid, present: np.ndarray) -> np.ndarray:
    """Metres from each cell centre to the nearest cell where `present`; +inf when there is none."""
    from scipy.ndimage import distance_transform_edt

    if not present.any():
        return np.full(present.shape, np.inf, dtype=np.float32)
    return (distance_transform_edt(~present) * grid.size_m).astype(np.float32)


def _distance_to_other(grid: Grid, count: np.ndarray) -> np.ndarray:
    """Like _edt_m, but a cell holding evidence gets the distance to the nearest *other* such cell."""
    from scipy.spatial import cKDTree

    present = count > 0
    distance = _edt_m(grid, present)
    r, c = np.nonzero(present)
    if len(r) >= 2:
        nearest, _ = cKDTree(np.column_stack([r, c])).query(np.column_stack([r, c]), k=2)
        distance[r, c] = nearest[:, 1] * grid.size_m
    elif len(r) == 1:
        distance[r, c] = np.inf
    return distance


def _distance_to_any_other(grid: Grid, any_find: np.ndarray, by_kind: list[np.ndarray], rows: np.ndarray,
                           cols: np.ndarray) -> np.ndarray:
    """Distance to the nearest other cell with any find, without another distance transform: a cell holding no find
    is nearest to whichever kind is nearest; only the cells holding finds need their nearest *other* one."""
    from scipy.spatial import cKDTree

    distance = np.minimum.reduce(by_kind)
    holding = any_find[rows, cols] > 0
    r, c = np.nonzero(any_find > 0)
    if len(r) >= 2:
        nearest, _ = cKDTree(np.column_stack([r, c])).query(np.column_stack([rows[holding], cols[holding]]), k=2)
        distance[holding] = nearest[:, 1] * grid.size_m
    else:
        distance[holding] = np.inf
    return distance


def _density(grid: Grid, count: np.ndarray) -> np.ndarray:
    """Evidence within DENSITY_RADIUS_M of each cell centre (a disc, counted by cells), own cell included.

    Evidence is sparse (thousands of cells among millions), so each holding cell adds its count over the disc around
    it: the cost grows with the evidence, not the grid, and the sums are exact integers (no FFT rounding).
    """
    radius = max(1, int(round(DENSITY_RADIUS_M / grid.size_m)))
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    inside = xx**2 + yy**2 <= radius**2
    dy, dx = yy[inside], xx[inside]
    r, c = np.nonzero(count)
    total = np.zeros(grid.rows * grid.cols, dtype=np.float64)
    chunk = max(1, 4_000_000 // len(dy))  # bounded memory for the scattered indexes
    for start in range(0, len(r), chunk):
        tr = r[start:start + chunk, None] + dy
        tc = c[start:start + chunk, None] + dx
        weight = np.broadcast_to(count[r[start:start + chunk], c[start:start + chunk]][:, None], tr.shape)
        keep = (tr >= 0) & (tr < grid.rows) & (tc >= 0) & (tc < grid.cols)
        total += np.bincount((tr * grid.cols + tc)[keep], weights=weight[keep], minlength=total.size)
    return total.reshape(grid.rows, grid.cols).astype(np.float32)


def _distance_to_shapes(grid: Grid, layer) -> np.ndarray:  # type: ignore[no-untyped-def]
    touched = grid.burn(np.asarray(layer.geometry.values), all_touched=True)
    return _edt_m(grid, touched > 0)


def _sample_raster(path: Path, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    import rasterio
    from pyproj import Transformer

    from demine.domain.geodesy import transform_xy

    if not path.exists():
        from demine.errors import NotFound

        raise NotFound(f"{path}: no such raster")
    with rasterio.open(path) as source:
        x, y = (lon, lat) if source.crs is None or source.crs.to_epsg() == 4326 else transform_xy(
            Transformer.from_crs("EPSG:4326", source.crs, always_xy=True), lon, lat)
        values = np.array([v[0] for v in source.sample(zip(x, y), indexes=1, masked=True)], dtype=object)
    return np.array([np.nan if v is np.ma.masked else float(v) for v in values], dtype=np.float32)
