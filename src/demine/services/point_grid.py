"""Points of the map (items found, incidents) counted on a fixed lattice of cells, fast at every zoom.

The lattice is the web map's own: at zoom z a cell is 1/8 of a 256-pixel tile (32 pixels), i.e. 360 / 2^(z+3)
degrees in longitude and latitude from (-180, -90); level z+3. Cells do not move when the viewport pans, so the map's
circles stay put, and a coarse cell is exactly four cells of the next level.

National views must not read ten million rows per request. So each layer's points are counted once on the finest
level served this way (FINE_LEVEL, cells of about 600 m), per progress report, and kept in memory, stamped with the
register's write counts (store.changes): a request rolls the approved fine cells up to its zoom in numpy and keeps the
cells meeting its viewport. A write to the layer's table counts again at the next request; a review (a write to
progress reports) only re-reads which reports are approved. Zooms finer
than the lattice's, and periods (from/to), are counted by SQL on the rows of the viewport's cells directly. Both paths
give the same cells and the same counts (tests/web/test_point_grid.py checks them against a count in Python).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, Connection, Integer, Table, cast, func, select

from demine.services.register import Register
from demine.store.changes import change_stamp
from demine.store.tables.base import BBox, bbox_filter

FINE_LEVEL = 16  # 360 / 2^16 degrees: ~0.0055 degrees, ~470 m east-west and ~610 m north-south at 40 N
ZOOM_TO_LEVEL = 3  # 32-pixel cells on 256-pixel tiles
LON_ORIGIN, LAT_ORIGIN = 180.0, 90.0


@dataclass(frozen=True, slots=True)
class PointLayer:
    """What is counted of a point layer: `sums` are summed columns; `by` splits each cell's first sum by a column."""
    table: Table
    sums: tuple[str, ...]
    by: str | None = None
    # Items count when their progress report is approved (or when they came without one): the fine cells are kept
    # per report, and a review only changes which reports count (see FineCellCache).
    reported: bool = False


@dataclass(frozen=True, slots=True)
class Cells:
    """Counts per lattice cell (and per `by` value when the layer splits): parallel arrays, one entry per group."""
    level: int
    gx: np.ndarray
    gy: np.ndarray
    group: np.ndarray  # index into `groups` (all 0 when the layer does not split)
    groups: tuple[str, ...]
    records: np.ndarray
    sums: dict[str, np.ndarray]
    sum_lon: np.ndarray
    sum_lat: np.ndarray


def level_for(zoom: int) -> int:
    return max(0, zoom) + ZOOM_TO_LEVEL


def cell_degrees(level: int) -> float:
    return 360.0 / (1 << level)  # exact in binary floating point: a power of two times 45


def cell_range(bbox: BBox, level: int) -> tuple[int, int, int, int]:
    """The cells (x from, y from, x to, y to; inclusive) that meet the viewport."""
    size = cell_degrees(level)
    min_x, min_y, max_x, max_y = bbox
    top = (1 << level) - 1
    clamp = lambda value, limit: min(max(value, 0), limit)  # noqa: E731
    return (clamp(math.floor((min_x + LON_ORIGIN) / size), top), clamp(math.floor((min_y + LAT_ORIGIN) / size), top),
            clamp(math.floor((max_x + LON_ORIGIN) / size), top), clamp(math.floor((max_y + LAT_ORIGIN) / size), top))


def _cell_index(connection: Connection, column: Any, origin: float, level: int) -> Any:
    """floor((value + origin) / size) in SQL. The operand is never negative for a valid coordinate, so SQLite's CAST
    (which truncates) is floor; PostgreSQL's CAST rounds, hence floor() there."""
    value = (column + origin) / cell_degrees(level)
    if connection.dialect.name == "postgresql":
        return cast(func.floor(value), BigInteger)
    return cast(value, Integer)


def count_cells(connection: Connection, layer: PointLayer, where: Sequence[Any], level: int,
                cells: tuple[int, int, int, int] | None = None, *, extra_key: Any = None) -> Any:
    """One GROUP BY over the rows meeting `where` (and lying in the inclusive range `cells`, when given).

    With `extra_key` (an integer SQL expression) the rows are also grouped by it, and its values come back beside the
    cells: (cells, values)."""
    table = layer.table
    gx = _cell_index(connection, table.c.longitude, LON_ORIGIN, level).label("gx")
    gy = _cell_index(connection, table.c.latitude, LAT_ORIGIN, level).label("gy")
    conditions = list(where)
    if cells is not None:
        x0, y0, x1, y1 = cells
        size = cell_degrees(level)
        # The spatial index narrows to the cells' extent (closed); the cell numbers then decide exactly.
        conditions += bbox_filter(table, (x0 * size - LON_ORIGIN, y0 * size - LAT_ORIGIN,
                                          (x1 + 1) * size - LON_ORIGIN, (y1 + 1) * size - LAT_ORIGIN))
        conditions += [gx.between(x0, x1), gy.between(y0, y1)]
    keys = [gx, gy] + ([table.c[layer.by]] if layer.by else [])
    measures = [func.count(), *(func.sum(table.c[s]) for s in layer.sums), func.sum(table.c.longitude),
                func.sum(table.c.latitude)]
    if extra_key is not None:
        label = extra_key.label("extra_key")
        rows = connection.execute(select(label, *keys, *measures).where(*conditions).group_by(label, *keys)).all()
        return _cells_of([r[1:] for r in rows], level, layer), np.array([r[0] for r in rows], dtype=np.int64)
    rows = connection.execute(select(*keys, *measures).where(*conditions).group_by(*keys)).all()
    return _cells_of(rows, level, layer)


def _cells_of(rows: list, level: int, layer: PointLayer) -> Cells:
    keyed = 3 if layer.by else 2
    columns = list(zip(*rows)) if rows else [()] * (keyed + 3 + len(layer.sums))
    groups: tuple[str, ...] = ("",)
    group = np.zeros(len(rows), dtype=np.int64)
    if layer.by:
        codes, distinct = np.unique(np.array(columns[2], dtype=object).astype(str), return_inverse=True)
        groups, group = tuple(codes.tolist()), distinct.astype(np.int64)
    values = columns[keyed:]
    return Cells(level, np.array(columns[0], dtype=np.int64), np.array(columns[1], dtype=np.int64), group, groups,
                 np.array(values[0], dtype=np.int64),
                 {s: np.array([v or 0 for v in values[1 + k]], dtype=np.int64) for k, s in enumerate(layer.sums)},
                 np.array(values[-2], dtype=np.float64), np.array(values[-1], dtype=np.float64))


def roll_up(cells: Cells, level: int, viewport: tuple[int, int, int, int]) -> list[dict[str, Any]]:
    """GeoJSON points, one per cell of `level` meeting the viewport's cell range, with the counts of what it holds."""
    shift = cells.level - level
    if shift < 0:
        raise ValueError(f"cells of level {cells.level} do not roll up to the finer level {level}")
    gx, gy = cells.gx >> shift, cells.gy >> shift
    x0, y0, x1, y1 = viewport
    keep = (gx >= x0) & (gx <= x1) & (gy >= y0) & (gy <= y1)
    if not keep.any():
        return []
    key = (gx[keep] << 32) | gy[keep]
    unique, inverse = np.unique(key, return_inverse=True)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=values[keep], minlength=len(unique))

    records = total(cells.records)
    sums = {name: total(values) for name, values in cells.sums.items()}
    lon, lat = total(cells.sum_lon) / records, total(cells.sum_lat) / records
    split = None
    if len(cells.groups) > 1 or cells.groups != ("",):
        first = next(iter(cells.sums.values()))[keep]
        split = np.zeros((len(unique), len(cells.groups)), dtype=np.int64)
        np.add.at(split, (inverse, cells.group[keep]), first)
    features = []
    for k in range(len(unique)):
        cell = int(unique[k] >> 32), int(unique[k] & 0xFFFFFFFF)
        properties: dict[str, Any] = {"cell": [level, *cell], "records": int(records[k]),
                                      **{n: int(v[k]) for n, v in sums.items()}}
        if split is not None:
            properties["categories"] = {g: int(n) for g, n in zip(cells.groups, split[k]) if n}
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                        "coordinates": [round(float(lon[k]), 6),
                                                                        round(float(lat[k]), 6)]},
                         "properties": properties})
    return features


class FineCellCache:
    """Each layer's approved points on the fine lattice, for one register, kept between requests.

    Two stages, so that a review does not recount ten million items: the live points are counted per fine cell and
    per progress report (recounted when the layer's own table is written), then the reports that are approved now
    pick which of those counts add up (redone, from the reports' ids alone, when progress reports are written).
    """

    def __init__(self) -> None:
        self._per_report: dict[tuple[str, str], tuple[tuple[int, ...], Cells, np.ndarray]] = {}
        self._approved: dict[tuple[str, str], tuple[tuple[int, ...], Cells]] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def cells(self, register: Register, name: str, layer: PointLayer) -> Cells:
        key = (register.location, name)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one count at a time per layer: concurrent first requests wait for it instead of repeating it
            with register.reading() as connection:
                stamp = change_stamp(connection, (layer.table.name, "progress_reports"))
                held = self._approved.get(key)
                if held is not None and held[0] == stamp:
                    return held[1]
                counted = self._per_report.get(key)
                if counted is None or counted[0][:2] != stamp[:2]:  # same database, same writes to the layer
                    counted = (stamp, *_count_per_report(connection, layer))
                    self._per_report[key] = counted
                approved = _approved_reports(connection) if layer.reported else None
            cells = _counting(counted[1], counted[2], approved)
            self._approved[key] = (stamp, cells)
            return cells

    def clear(self) -> None:
        with self._guard:
            self._per_report.clear()
            self._approved.clear()


def _count_per_report(connection: Connection, layer: PointLayer) -> tuple[Cells, np.ndarray]:
    """Live points per fine cell (and `by` value) and per progress report (-1: none); the reports, in step."""
    table = layer.table
    where = [table.c.retired_at.is_(None)]
    if not layer.reported:
        cells = count_cells(connection, layer, where, FINE_LEVEL)
        return cells, np.full(len(cells.gx), -1, dtype=np.int64)
    report = func.coalesce(table.c.progress_report_id, -1)
    split = PointLayer(table, layer.sums, by=layer.by)
    cells, reports = count_cells(connection, split, where, FINE_LEVEL, extra_key=report)
    return cells, reports


def _approved_reports(connection: Connection) -> np.ndarray:
    """Ids of the approved progress reports, sorted (the same rule as map_layers.approved_only)."""
    from demine.store.tables.operations import progress_reports

    ids = connection.execute(select(progress_reports.c.id).where(progress_reports.c.review_status == "approved"))
    return np.sort(np.fromiter(ids.scalars(), dtype=np.int64))


def _counting(cells: Cells, reports: np.ndarray, approved: np.ndarray | None) -> Cells:
    """The per-report counts of points that count (no report, or an approved one), added up per cell and group."""
    if approved is None:
        return cells
    if len(approved):
        position = np.minimum(np.searchsorted(approved, reports), len(approved) - 1)
        is_approved = approved[position] == reports
    else:
        is_approved = np.zeros(len(reports), dtype=bool)
    counts = (reports < 0) | is_approved
    if len(cells.groups) > 255:
        raise ValueError("more than 255 values to split the cells by")
    key = (cells.gx[counts] << 40) | (cells.gy[counts] << 8) | cells.group[counts]  # level <= 32, groups < 256
    unique, inverse = np.unique(key, return_inverse=True)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=values[counts], minlength=len(unique))

    return Cells(cells.level, unique >> 40, (unique >> 8) & 0xFFFFFFFF, unique & 0xFF, cells.groups,
                 total(cells.records).astype(np.int64),
                 {n: total(v).astype(np.int64) for n, v in cells.sums.items()}, total(cells.sum_lon),
                 total(cells.sum_lat))


FINE_CELLS = FineCellCache()
