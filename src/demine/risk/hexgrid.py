"""H3 hexagons over an area of interest: the same cells any H3 user, tool or later run shares, at a chosen resolution.

A cell belongs to the area when its centre lies in it (H3's own polygon fill), the rule the square grid follows too.
Distances are measured between cell centres in a Lambert azimuthal equal-area projection centred on the area, as on
the square grid, so features mean the same on both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer

from demine.domain.geodesy import local_equal_area_crs, transform_xy
from demine.errors import DemineError

# Resolution 6 (edge 3.7 km) to 11 (edge 28 m): the field's useful range of 100-500 m cells is 8 to 10.
MIN_RESOLUTION, MAX_RESOLUTION = 6, 11


@dataclass
class HexGrid:
    crs: CRS
    resolution: int
    cells: np.ndarray  # H3 indexes (uint64), sorted, one per cell in the area
    x: np.ndarray  # projected centres (metres)
    y: np.ndarray

    kind = "h3"
    _outlines: np.ndarray | None = None

    @property
    def count(self) -> int:
        return len(self.cells)

    @property
    def spacing_m(self) -> float:
        """Centre-to-centre distance of neighbouring hexagons (sqrt(3) times the edge)."""
        import h3

        return float(np.sqrt(3.0) * h3.average_hexagon_edge_length(self.resolution, "m"))

    def index(self) -> tuple[np.ndarray, np.ndarray]:
        """Position of every cell and a column of zeros: H3 cells are one list, not rows and columns."""
        positions = np.arange(self.count)
        return positions, np.zeros(self.count, dtype=np.int64)

    def keys(self) -> np.ndarray:
        return self.cells

    def ids(self) -> np.ndarray:
        """The H3 indexes as the text everyone uses (e.g. 881e0b0d2dfffff)."""
        return np.array([format(int(c), "x") for c in self.cells], dtype=object)

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The H3 index of the cell holding each point, whether or not that cell lies in the area."""
        from h3.api import numpy_int as h3

        lon, lat = np.asarray(lon, dtype=float).tolist(), np.asarray(lat, dtype=float).tolist()
        return np.fromiter((h3.latlng_to_cell(b, a, self.resolution) for a, b in zip(lon, lat)), dtype=np.uint64,
                           count=len(lon))

    def centre_of(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Projected centres of any H3 cells of this resolution (in the area or not)."""
        from h3.api import numpy_int as h3

        if not len(keys):
            return np.empty(0), np.empty(0)
        latlng = np.array([h3.cell_to_latlng(k) for k in np.asarray(keys).tolist()], dtype=float)
        return transform_xy(Transformer.from_crs("EPSG:4326", self.crs, always_xy=True), latlng[:, 1], latlng[:, 0])

    def position_of(self, keys: np.ndarray) -> np.ndarray:
        """Position of each key in the area's cells, -1 for a cell outside the area."""
        where = np.searchsorted(self.cells, keys)
        found = (where < self.count) & (self.cells[np.minimum(where, self.count - 1)] == keys)
        return np.where(found, where, -1)

    def centres_wgs84(self) -> tuple[np.ndarray, np.ndarray]:
        return transform_xy(Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True), self.x, self.y)

    def polygons_wgs84(self, rows: np.ndarray | None = None, cols: np.ndarray | None = None) -> np.ndarray:
        """Hexagons (pentagons where H3 has them) of the cells at these positions; `cols` is ignored."""
        if self._outlines is None:  # built once: features and outputs both need them
            self._outlines = _hexagons(self.cells)
        return self._outlines if rows is None else self._outlines[np.asarray(rows, dtype=np.int64)]

    def polygons_projected(self) -> np.ndarray:
        from demine.domain.geodesy import to_projected

        return to_projected(self.polygons_wgs84(), self.crs)

    def project(self, geometries_wgs84: np.ndarray) -> np.ndarray:
        from demine.domain.geodesy import to_projected

        return to_projected(np.asarray(geometries_wgs84, dtype=object), self.crs)


def _hexagons(cells: np.ndarray) -> np.ndarray:
    from h3.api import numpy_int as h3

    if not len(cells):
        return np.empty(0, dtype=object)
    boundaries = [h3.cell_to_boundary(k) for k in cells.tolist()]  # (lat, lng) pairs, 6 a hexagon, 5 a pentagon
    if any(len(b) != 6 for b in boundaries):  # a pentagon repeats its last vertex: still the same valid ring
        boundaries = [tuple(b) + (b[-1],) * (6 - len(b)) for b in boundaries]
    return shapely.polygons(np.asarray(boundaries, dtype=float)[:, :, ::-1])


def build_hex_grid(area_wgs84: shapely.Geometry, resolution: int) -> HexGrid:
    """The H3 cells of `resolution` whose centre lies in the area."""
    if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise DemineError(f"H3 resolution {resolution} is outside {MIN_RESOLUTION}-{MAX_RESOLUTION} "
                          f"(8: cells of 0.74 km², 9: 0.11 km², 10: 0.015 km²)")
    area = shapely.make_valid(area_wgs84)
    polygons = [g for g in shapely.get_parts(area) if g.geom_type == "Polygon" and not g.is_empty]
    if not polygons:
        raise DemineError("the area of interest holds no polygon to fill with H3 cells")
    from h3.api import numpy_int as h3int

    # H3's integer API hands back a uint64 array: no string per cell (a third of the time at national scale).
    cells = np.unique(np.concatenate([np.asarray(h3int.h3shape_to_cells(h3int.geo_to_h3shape(polygon), resolution),
                                                 dtype=np.uint64) for polygon in polygons]))
    if not len(cells):
        raise DemineError(f"the area of interest is smaller than one H3 cell at resolution {resolution}: "
                          "choose a finer resolution")
    centre = area.centroid
    grid = HexGrid(local_equal_area_crs(centre.x, centre.y), int(resolution), cells, np.empty(0), np.empty(0))
    grid.x, grid.y = grid.centre_of(cells)
    return grid
