"""Points of the map (items found, incidents) counted on a fixed lattice of cells, fast at every zoom.

The lattice is the web map's own: at zoom z a cell is 1/8 of a 256-pixel tile (32 pixels), i.e. 360 / 2^(z+3)
degrees in longitude and latitude from (-180, -90); level z+3. Cells do not move when the viewport pans, so the map's
circles stay put, and a coarse cell is exactly four cells of the next level.

National views must not read ten million rows per request. So each layer's official points are counted on the
finest level served this way (FINE_LEVEL, cells of about 600 m) by triggers as rows are written (table
map_point_cells, migration 0008), and a server holds them in memory, bringing them up to date from the rows changed
since (FineCellCache): a request rolls the fine cells up to its zoom in numpy and keeps the cells meeting its
viewport. Zooms finer than the lattice's, and periods (from/to), are counted by SQL on the rows of the viewport's
cells directly. Both paths give the same cells and the same counts (tests/web/test_point_grid.py checks them against
a count in Python, tests/web/test_kept_counts.py the kept cells after every kind of write).
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
    """Each layer's official points on the fine lattice, for one register, held in memory between requests.

    The counts themselves are kept in the register by triggers as rows are written (table map_point_cells, migration
    0008): what counts officially (live points; items of an approved report or of none), per fine cell and category.
    A server process reads them once, then, when the write count `map_point_cells` has moved, only the rows whose
    `seq` is above the count it last saw: the work after a write is the cells the write touched, not the register.
    The rows carry their whole counts (not differences), so reading one twice changes nothing.
    """

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], HeldCells] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def cells(self, register: Register, name: str, layer: PointLayer, level: int = FINE_LEVEL) -> Cells:
        """The layer's cells at `level` (the fine level or a coarser one: summed once per level and kept until the
        cells change, so that a national view does not add up every fine cell at each request)."""
        key = (register.location, name)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one reader at a time per layer: concurrent first requests wait for it instead of repeating it
            with register.reading() as connection:
                stamp = change_stamp(connection, (SEQ_COUNT,))
                held = self._held.get(key)
                if held is None or held.stamp[0] != stamp[0] or stamp[1] < held.stamp[1]:
                    held = HeldCells(name, layer, stamp)  # another database, or one put back: read it all
                    held.read(connection, since=None)
                    self._held[key] = held
                elif held.stamp != stamp:
                    held.read(connection, since=held.stamp[1])
                    held.stamp = stamp
            return held.at_level(level)

    def rows_read(self, location: str, name: str) -> int:
        """How many kept rows this process has read for the layer (what a request after a write costs)."""
        held = self._held.get((location, name))
        return 0 if held is None else held.rows_read

    def clear(self) -> None:
        with self._guard:
            self._held.clear()


SEQ_COUNT = "map_point_cells"  # the write count the kept cells' seq is taken from (migration 0008)
_KEPT_SUMS = ("sum_a", "sum_b")  # a layer's summed columns, in order, as the kept table names them


class HeldCells:
    """One layer's kept cells in memory: keys (gx, gy, group) in a sorted int64 array, counts in parallel arrays."""

    def __init__(self, name: str, layer: PointLayer, stamp: tuple[int, ...]) -> None:
        self.name, self.layer, self.stamp = name, layer, stamp
        self.keys = np.zeros(0, dtype=np.int64)
        self.values = np.zeros((0, 3 + len(layer.sums)), dtype=np.float64)  # records, sums..., sum_lon, sum_lat
        self.groups: list[str] = []  # in order of first sight: a key's group number never changes
        self.rows_read = 0
        self._cells: Cells | None = None
        self._levels: dict[int, Cells] = {}

    def read(self, connection: Connection, *, since: int | None) -> None:
        from demine.store.tables.kept_counts import map_point_cells as kept

        sums = [kept.c[s] for s in _KEPT_SUMS[:len(self.layer.sums)]]
        query = select(kept.c.gx, kept.c.gy, kept.c.grp, kept.c.records, *sums, kept.c.sum_lon, kept.c.sum_lat
                       ).where(kept.c.layer == self.name)
        if since is not None:
            query = query.where(kept.c.seq > since)
        rows = connection.execute(query).all()
        self.rows_read += len(rows)
        if rows:
            self._merge(rows)

    def _merge(self, rows: list) -> None:
        columns = list(zip(*rows))
        known = {g: k for k, g in enumerate(self.groups)}
        for g in columns[2]:
            if g not in known:
                known[g] = len(self.groups)
                self.groups.append(g)
        if len(self.groups) > 255:
            raise ValueError("more than 255 values to split the cells by")
        group = np.fromiter((known[g] for g in columns[2]), dtype=np.int64, count=len(rows))
        keys = (np.array(columns[0], dtype=np.int64) << 24) | (np.array(columns[1], dtype=np.int64) << 8) | group
        values = np.array(columns[3:], dtype=np.float64).T
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        at = np.searchsorted(self.keys, keys)
        known_key = at < len(self.keys)
        known_key[known_key] = self.keys[at[known_key]] == keys[known_key]
        self.values[at[known_key]] = values[known_key]  # whole counts: a row read again changes nothing
        new = ~known_key
        self.keys = np.insert(self.keys, at[new], keys[new])
        self.values = np.insert(self.values, at[new], values[new], axis=0)
        self._cells = None
        self._levels.clear()

    def at_level(self, level: int) -> Cells:
        if level >= FINE_LEVEL:
            return self.cells()
        if level not in self._levels:
            self._levels[level] = coarsened(self.cells(), level)
        return self._levels[level]

    def cells(self) -> Cells:
        if self._cells is None:
            counted = self.values[:, 0] > 0  # a cell emptied by retirements or a review stays as a row of zeros
            keys, values = self.keys[counted], self.values[counted]
            names = sorted(self.groups) if self.layer.by else [""]
            position = {g: k for k, g in enumerate(names)}
            remap = np.array([position.get(g, 0) for g in self.groups] or [0], dtype=np.int64)
            sums = {s: np.rint(values[:, 1 + k]).astype(np.int64) for k, s in enumerate(self.layer.sums)}
            self._cells = Cells(FINE_LEVEL, keys >> 24, (keys >> 8) & 0xFFFF, remap[keys & 0xFF], tuple(names),
                                np.rint(values[:, 0]).astype(np.int64), sums, values[:, -2].copy(),
                                values[:, -1].copy())
        return self._cells


def coarsened(cells: Cells, level: int) -> Cells:
    """The cells summed into those of a coarser level (each group apart)."""
    shift = cells.level - level
    if shift < 0:
        raise ValueError(f"cells of level {cells.level} do not sum into the finer level {level}")
    key = ((cells.gx >> shift) << 40) | ((cells.gy >> shift) << 8) | cells.group  # level <= 32, groups < 256
    unique, inverse = np.unique(key, return_inverse=True)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(inverse, weights=values, minlength=len(unique))

    return Cells(level, unique >> 40, (unique >> 8) & 0xFFFFFFFF, unique & 0xFF, cells.groups,
                 np.rint(total(cells.records)).astype(np.int64),
                 {n: np.rint(total(v)).astype(np.int64) for n, v in cells.sums.items()}, total(cells.sum_lon),
                 total(cells.sum_lat))


FINE_CELLS = FineCellCache()
