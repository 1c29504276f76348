"""The theatre: real district polygons, the former line of contact, and the metric projection the work is done in.

Geometry is built in UTM zone 38N (EPSG:32638, metres: the 13 districts lie between 45.9 and 47.4 E) and converted to
WGS84 only when files are written, as the import formats require.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from demine.domain.geodesy import transform_xy
from demine.simulate.config import DISTRICT_IDS

METRIC_CRS = "EPSG:32638"
WGS84 = "EPSG:4326"
SHARED_DISTRICTS = Path("/work/shared/data/azerbaijan/districts.geojson")

_TO_WGS84 = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)
_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def districts_path() -> Path:
    """The boundaries the register ships, or the shared data folder of a development checkout."""
    try:
        shipped = importlib.resources.files("demine.data").joinpath("azerbaijan/districts.geojson")
        if shipped.is_file():
            return Path(str(shipped))
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    return SHARED_DISTRICTS


def line_of_contact_path() -> Path:
    return Path(str(importlib.resources.files("demine.simulate").joinpath("data/line_of_contact_approx.geojson")))


def to_wgs84_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return transform_xy(_TO_WGS84, x, y)


def to_metric_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return transform_xy(_TO_METRIC, lon, lat)


def to_wgs84(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geometry, lambda xy: np.column_stack(to_wgs84_xy(xy[:, 0], xy[:, 1])))


def wkt_wgs84(geometry: BaseGeometry) -> str:
    # 7 decimals of a degree is about 1 cm: enough, and fixed so that files are byte-identical for a seed.
    return shapely.to_wkt(to_wgs84(geometry), rounding_precision=7, trim=True)


def valid_wkt_wgs84(geometry: BaseGeometry) -> str:
    """As wkt_wgs84, for polygons the importer must accept (see repair_wkt)."""
    return repair_wkt(wkt_wgs84(geometry))


def repair_wkt(text: str) -> str:
    """Rounding to 7 decimals can fold a ring valid in metres onto itself (11 of 321,126 outputs at bench scale):
    a text that reads back invalid is repaired in degrees (GEOS make_valid, its polygonal part, snapped to the
    7-decimal grid). A valid text is returned unchanged, so a seed's files stay what they were."""
    parsed = shapely.from_wkt(text)
    if shapely.is_valid(parsed):
        return text
    repaired = shapely.make_valid(parsed)
    if repaired.geom_type == "GeometryCollection":  # slivers folded to lines or points are dropped
        repaired = shapely.union_all([g for g in repaired.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    return shapely.to_wkt(shapely.set_precision(repaired, 1e-7), rounding_precision=7, trim=True)


@dataclass(frozen=True)
class Theatre:
    """The districts worked (metric), their union, and the part of the line of contact that crosses them."""

    districts: gpd.GeoDataFrame  # columns: name, shape_id, geometry (metric)
    land: BaseGeometry
    line: BaseGeometry  # line of contact clipped to a 15 km band around the districts worked (may be empty)

    def district_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index into `districts` of the district containing each point (-1 outside)."""
        out = np.full(len(x), -1, dtype=np.int32)
        points, candidates = shapely.points(x, y), self._tree.query(shapely.points(x, y))
        # A point on a shared border counts for the first district in order, as a plain loop over them would.
        for p, d in sorted(zip(*candidates), key=lambda pd: (pd[0], pd[1])):
            if out[p] < 0 and shapely.contains(self.districts.geometry.iat[d], points[p]):
                out[p] = d
        return out

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.districts.geometry.to_numpy())


def load_theatre(district_names: tuple[str, ...]) -> Theatre:
    """The named districts (statement spelling), matched on the geoBoundaries shapeID both boundary files carry."""
    frame = gpd.read_file(districts_path())
    id_column = "code" if "code" in frame.columns else "shapeID"  # shipped gazetteer, or the raw geoBoundaries file
    wanted = [DISTRICT_IDS[name] for name in district_names]
    chosen = frame[frame[id_column].isin(wanted)].drop_duplicates(id_column)
    missing = set(wanted) - set(chosen[id_column])
    if missing:
        raise ValueError(f"districts not in the boundary file: {sorted(missing)}")
    # Keep the configured order so that site numbering does not depend on the file's feature order.
    chosen = chosen.set_index(id_column).loc[wanted]
    metric = chosen.to_crs(METRIC_CRS)
    districts = gpd.GeoDataFrame(
        {"name": list(district_names), "shape_id": wanted},
        geometry=shapely.make_valid(metric.geometry.to_numpy()),
        crs=METRIC_CRS,
    )
    land = shapely.union_all(districts.geometry.to_numpy())
    # Prepared once: site planning asks "is this point on land, in which district" for every candidate site.
    shapely.prepare(land)
    shapely.prepare(districts.geometry.to_numpy())
    line_frame = gpd.read_file(line_of_contact_path()).to_crs(METRIC_CRS)
    line = shapely.intersection(shapely.union_all(line_frame.geometry.to_numpy()), land.buffer(15_000))
    return Theatre(districts=districts, land=land, line=line)
