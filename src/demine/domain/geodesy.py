"""Areas and distances on the ellipsoid's surface, computed in a local equal-area or equidistant projection.

Areas are stored in m² and shown in hectares (DOMAIN.md). A Lambert azimuthal equal-area projection centred on the
data keeps the area error far below survey accuracy for a country-sized extent, and unlike a per-polygon geodesic
loop it runs vectorised over hundreds of thousands of polygons.
"""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer

M2_PER_HECTARE = 10_000.0


def local_equal_area_crs(longitude: float, latitude: float) -> CRS:
    return CRS.from_proj4(f"+proj=laea +lat_0={latitude:.6f} +lon_0={longitude:.6f} +datum=WGS84 +units=m")


def local_equidistant_crs(longitude: float, latitude: float) -> CRS:
    return CRS.from_proj4(f"+proj=aeqd +lat_0={latitude:.6f} +lon_0={longitude:.6f} +datum=WGS84 +units=m")


def transform_xy(transformer: Transformer, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised transform that also works for one coordinate (pyproj treats a length-1 array as a scalar)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size == 1:
        tx, ty = transformer.transform(np.repeat(x, 2), np.repeat(y, 2))
        return np.asarray(tx)[:1], np.asarray(ty)[:1]
    tx, ty = transformer.transform(x, y)
    return np.asarray(tx), np.asarray(ty)


def transform_geometries(geometries: np.ndarray, transformer: Transformer) -> np.ndarray:
    return shapely.transform(geometries, lambda xy: np.column_stack(transform_xy(transformer, xy[:, 0], xy[:, 1])))


def to_projected(geometries: np.ndarray, crs: CRS) -> np.ndarray:
    return transform_geometries(geometries, Transformer.from_crs("EPSG:4326", crs, always_xy=True))


def areas_m2(geometries: np.ndarray) -> np.ndarray:
    """Area of each WGS84 geometry in m² (0 for points and lines, NaN for missing)."""
    geometries = np.asarray(geometries, dtype=object)
    present = ~shapely.is_missing(geometries)
    result = np.full(len(geometries), np.nan)
    if not present.any():
        return result
    minx, miny, maxx, maxy = shapely.total_bounds(geometries[present])
    crs = local_equal_area_crs((minx + maxx) / 2, (miny + maxy) / 2)
    result[present] = shapely.area(to_projected(geometries[present], crs))
    return result


def hectares(area_m2: float) -> float:
    return area_m2 / M2_PER_HECTARE
