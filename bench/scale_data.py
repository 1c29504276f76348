"""The data of bench/records_scale.py: 10,000 minefield records and 10,000,000 mines found, built seeded and in
memory in the shape `load_inputs` gives them (WGS84 frames), with the truth each record was spoiled from.

- Fields: 3-6 parallel AP rows (60-200 mines, 3-6 m spacing) and, one in two, an AT row (30-80 mines, 8-12 m), on
  a jittered 800 m grid; N of them, drawn at random, have a record.
- The ground: every record's field is laid from its true rows (walked with the verifier's own geodesic walk, plus a
  metre of GPS and laying noise); records are then spoiled as the scenario generator spoils them: accurate (a few
  metres), shifted (80-450 m, a compass error of ~1.5°), partially accurate (25-70 m, a row forgotten), inaccurate
  (250-1,500 m, up to 30°), fictitious (no field). A record's perimeter is its written rows' hull widened by 10 m
  with mitred corners: turning points, as on the forms and in the scenario generator (round corners before the
  seventh sitting: some 140 vertices a perimeter instead of a handful, every overlay the dearer for it).
- The work done: each true field released over a random part of its length (none for three in ten), every mine on
  released land found, whichever field laid it (before the eighth sitting only a field's own part found its mines);
  the written position of one spoiled record in two cancelled outside its own field's suspected area (all of it
  before the eighth sitting, so that land holding the record's mines counted as worked and empty); a suspected area
  around every true field.
- Unrecorded fields: enough more fields on the same grid, without records, laid and worked the same way, that the
  mines found reach --items; unrecorded fields are then left unworked, in random order, until exactly --items mines
  lie on released land (the last of them worked over a shorter part). Before the eighth sitting the unrecorded
  fields' finds were thinned at random instead, which left cleared land with mines not found.
  All items are AP/AT mines: the harshest reading of "10,000,000 items found", since verification reads mines only.

The built data are kept in a cache directory (cached_build), keyed by the arguments and a hash of this file's data
section.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import LocalFrame, row_mine_positions
from demine.analysis.records.inputs import VerificationInputs
from demine.domain.geodesy import local_equidistant_crs

CENTRE = (47.0, 39.9)  # between Aghdam and Fuzuli
GRID_M = 800.0
CLASSES = ["accurate", "shifted", "partially_accurate", "inaccurate", "fictitious"]
CLASS_P = [0.3, 0.25, 0.15, 0.2, 0.1]
AP_MODELS, AT_MODELS = ["PMN-2", "PMN", "POMZ-2M"], ["TM-62M", "TM-57"]
CATALOGUE = {m: "ap_mine" for m in AP_MODELS} | {m: "at_mine" for m in AT_MODELS}


# --- the data ----------------------------------------------------------------------------------------------------

def _rows_of(rng: np.random.Generator, record_ids: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> pd.DataFrame:
    """True rows (metric start, bearing, spacing, count, model) of one field per id, centred on (cx, cy)."""
    out = []
    n_ap = rng.integers(3, 7, len(record_ids))
    has_at = rng.random(len(record_ids)) < 0.5
    bearing = rng.uniform(0, 180, len(record_ids))
    for k, rid in enumerate(record_ids.tolist()):
        rows = [("ap", float(rng.uniform(3, 6)), int(rng.integers(60, 201))) for _ in range(n_ap[k])]
        if has_at[k]:
            rows.append(("at", float(rng.uniform(8, 12)), int(rng.integers(30, 81))))
        b = np.radians(bearing[k])
        along, across = np.array([np.sin(b), np.cos(b)]), np.array([np.cos(b), -np.sin(b)])
        length = max(s * (c - 1) for _, s, c in rows)
        for j, (kind, spacing, count) in enumerate(rows):
            offset = (j - (len(rows) - 1) / 2) * 20.0
            start = np.array([cx[k], cy[k]]) - along * length / 2 + across * offset
            model = AP_MODELS[j % len(AP_MODELS)] if kind == "ap" else AT_MODELS[k % len(AT_MODELS)]
            out.append((rid, f"{chr(65 + j)}", start[0], start[1], bearing[k], spacing, count, model))
    return pd.DataFrame(out, columns=["record_id", "row_label", "x", "y", "bearing_deg", "mine_spacing_m",
                                      "mine_count", "mine_model"])


def _to_wgs(frame: LocalFrame, rows: pd.DataFrame) -> pd.DataFrame:
    lon, lat = frame.to_wgs84(rows["x"].to_numpy(), rows["y"].to_numpy())
    out = rows.drop(columns=["x", "y"]).copy()
    out["start_longitude"], out["start_latitude"] = lon, lat
    return out


def _walk(rows: pd.DataFrame, rng: np.random.Generator, frame: LocalFrame) -> tuple[np.ndarray, ...]:
    """Metric positions of every mine of the rows (geodesic walk, as the verifier walks), a metre of noise."""
    row, lon, lat = row_mine_positions(rows["start_longitude"].to_numpy(), rows["start_latitude"].to_numpy(),
                                       rows["bearing_deg"].to_numpy(), rows["mine_spacing_m"].to_numpy(),
                                       rows["mine_count"].to_numpy())
    x, y = frame.to_metric(lon, lat)
    return row, x + rng.normal(0, 1.0, len(x)), y + rng.normal(0, 1.0, len(y))


def _spoil(rng: np.random.Generator, rows: pd.DataFrame, klass: np.ndarray, cx: np.ndarray,
           cy: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The record as written: the true rows shifted and turned about the field's centre, per the record's class;
    and the shift (east, north, metres) and turn (degrees, clockwise) of each record."""
    n = len(klass)
    angle = rng.uniform(0, 2 * np.pi, n)
    dist = np.select([klass == "accurate", klass == "shifted", klass == "partially_accurate",
                      klass == "inaccurate"],
                     [np.abs(rng.normal(0, 3, n)), rng.uniform(80, 450, n), rng.uniform(25, 70, n),
                      rng.uniform(250, 1500, n)], 0.0)
    rot = np.select([klass == "accurate", klass == "shifted", klass == "partially_accurate", klass == "inaccurate"],
                    [rng.normal(0, 0.5, n), rng.normal(0, 1.5, n), rng.normal(0, 4, n), rng.uniform(-30, 30, n)], 0.0)
    k = rows["record_id"].to_numpy()
    t = np.radians(-rot[k])
    px, py = rows["x"].to_numpy() - cx[k], rows["y"].to_numpy() - cy[k]
    out = rows.copy()
    out["x"] = cx[k] + np.cos(t) * px - np.sin(t) * py + dist[k] * np.cos(angle[k])
    out["y"] = cy[k] + np.sin(t) * px + np.cos(t) * py + dist[k] * np.sin(angle[k])
    out["bearing_deg"] = (out["bearing_deg"] + rot[k]) % 360
    forgotten = (klass[k] == "partially_accurate") & (out["row_label"] == "B").to_numpy()
    return out[~forgotten].reset_index(drop=True), dist * np.cos(angle), dist * np.sin(angle), rot


def _footprint(x: np.ndarray, y: np.ndarray, margin: float, join_style: str = "round") -> shapely.Geometry:
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])))
    if join_style == "mitre":
        # The hull of the rows' ends: mines walked along a row stray from its chord by millimetres.
        hull = shapely.simplify(hull, 0.1)
    return shapely.buffer(hull, margin, join_style=join_style)


def _worked_part(x: np.ndarray, y: np.ndarray, bearing: float, share: float) -> shapely.Geometry:
    """The part of a field released so far: its first `share` of its length along the rows, 10 m around."""
    b = np.radians(bearing)
    along = (x - x.mean()) * np.sin(b) + (y - y.mean()) * np.cos(b)
    cut = along.min() + share * (along.max() - along.min())
    keep = along <= cut
    return _footprint(x[keep], y[keep], 10.0)


def _released_to_count(parts: dict[int, shapely.Geometry], x: np.ndarray, y: np.ndarray, order: np.ndarray,
                       bounds: np.ndarray, bearing: np.ndarray, share: np.ndarray, n_records: int, n_items: int,
                       rng: np.random.Generator) -> np.ndarray:
    """Which ground mines are found: every mine on released land, whichever field laid it (clearance finds them
    all), with unrecorded fields left unworked, in random order, until exactly n_items are found; the last of them
    worked over a shorter part of its length instead, so that the count comes out exact. `parts` is edited in place.

    Before the eighth sitting a field's mines were found only on its own part, and the unrecorded fields' finds were
    thinned at random to the count: cleared land kept mines."""
    ground = FoundMines(x, y, np.zeros(len(x), dtype=bool))

    def covered(part: shapely.Geometry) -> np.ndarray:
        box = ground.in_box(*shapely.bounds(part).tolist())
        return box[shapely.contains_xy(part, x[box], y[box])]

    covers = {k: covered(part) for k, part in parts.items()}
    count = np.zeros(len(x), np.int32)
    for c in covers.values():
        count[c] += 1
    total = int((count > 0).sum())
    if total < n_items:
        raise SystemExit(f"only {total:,} mines found for {n_items:,} asked: raise the number of fields")
    for k in rng.permutation([k for k in parts if k >= n_records]).tolist():
        if total == n_items:
            break
        alone = covers[k][count[covers[k]] == 1]  # found only because this part is released
        if total - len(alone) >= n_items:
            count[covers[k]] -= 1
            total -= len(alone)
            del parts[k], covers[k]
            continue
        # Worked over a shorter part of its length: the share at which exactly the needed mines stay found, if the
        # part's growth passes through that count (two mines entering at once may skip it: then the next field).
        sel = order[bounds[k]:bounds[k + 1]]
        need = n_items - (total - len(alone))
        others = count.copy()
        others[covers[k]] -= 1
        lo, hi = 0.0, float(share[k])
        for _ in range(40):
            mid = (lo + hi) / 2
            part = _worked_part(x[sel], y[sel], bearing[k], mid)
            got = covered(part)
            n = int((others[got] == 0).sum())
            if n == need:
                count[covers[k]] -= 1
                count[got] += 1
                parts[k], covers[k], total = part, got, n_items
                break
            lo, hi = (mid, hi) if n < need else (lo, mid)
    if total != n_items:
        raise SystemExit(f"could not release land holding exactly {n_items:,} mines ({total:,})")
    return count > 0


def build(n_records: int, n_items: int, seed: int) -> tuple[VerificationInputs, dict[str, float], pd.DataFrame]:
    """The inputs, a few facts about them, and the truth of each record: its class as spoiled and the correction
    that maps it back onto its field (the spoil's shift reversed; its turn about the field's centre, 1.5° at most
    for a shifted record, moves that by well under a metre for rows centred on the field)."""
    rng = np.random.default_rng(seed)
    frame = LocalFrame.of(local_equidistant_crs(*CENTRE))  # the data's own frame, whatever the verifier's
    # Every field, recorded or not, on one jittered grid; a field yields about 290 mines found on average (650
    # mines, 45% of its length worked), so this many fields give the items asked for, with some to spare.
    n_fields = max(n_records, int(np.ceil(n_items / 290 * 1.3)))
    side = int(np.ceil(np.sqrt(n_fields)))
    gx, gy = np.meshgrid(np.arange(side) * GRID_M, np.arange(side) * GRID_M)
    cx = gx.ravel()[:n_fields] - side * GRID_M / 2 + rng.uniform(-150, 150, n_fields)
    cy = gy.ravel()[:n_fields] - side * GRID_M / 2 + rng.uniform(-150, 150, n_fields)
    recorded = np.sort(rng.choice(n_fields, n_records, replace=False))
    # Fields are numbered so that the recorded ones come first (0..n_records-1), the unrecorded after them.
    perm = np.concatenate([recorded, np.setdiff1d(np.arange(n_fields), recorded)])
    cx, cy = cx[perm], cy[perm]
    klass = np.concatenate([rng.choice(CLASSES, n_records, p=CLASS_P), np.full(n_fields - n_records, "unrecorded")])
    true_rows = _rows_of(rng, np.arange(n_fields), cx, cy)
    written, spoil_east, spoil_north, spoil_turn = _spoil(rng, true_rows[true_rows["record_id"] < n_records],
                                                          klass[:n_records], cx, cy)
    # The ground: every real (not fictitious) field, walked from its true rows.
    real = true_rows[klass[true_rows["record_id"].to_numpy()] != "fictitious"].reset_index(drop=True)
    row, x, y = _walk(_to_wgs(frame, real), rng, frame)
    owner = real["record_id"].to_numpy()[row]
    models = real["mine_model"].to_numpy()[row]
    # Released land: a part of each field (none of three in ten); a suspected area around each.
    released, hazards = [], []
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(n_fields + 1))
    share = np.where(rng.random(n_fields) < 0.3, 0.0, rng.uniform(0.1, 1.0, n_fields))
    bearing = true_rows.groupby("record_id")["bearing_deg"].first().to_numpy()
    suspected_of: dict[int, shapely.Geometry] = {}  # field -> its suspected area
    parts: dict[int, shapely.Geometry] = {}  # field -> its released part
    for k in range(n_fields):
        sel = order[bounds[k]:bounds[k + 1]]
        if not len(sel):
            continue
        hazards.append(_footprint(x[sel], y[sel], 50.0))
        suspected_of[k] = hazards[-1]
        if share[k] > 0:
            parts[k] = _worked_part(x[sel], y[sel], bearing[k], share[k])
    found_mask = _released_to_count(parts, x, y, order, bounds, bearing, share, n_records, n_items, rng)
    released.extend(parts.values())
    keep = np.flatnonzero(found_mask)
    of_records = keep[owner[keep] < n_records]
    # The records as written: perimeters from the written rows; one spoiled record in two had its written
    # position cancelled (survey found nothing there), except where its own field lies (within the field's
    # suspected area): a survey over the real field would have found it, and cancelling that land too would tell the
    # verifier that ground holding the record's mines was worked and held none (before the eighth sitting it did,
    # for every record written near its field).
    wr = _to_wgs(frame, written)
    _, wlon, wlat = row_mine_positions(wr["start_longitude"].to_numpy(), wr["start_latitude"].to_numpy(),
                                       wr["bearing_deg"].to_numpy(), wr["mine_spacing_m"].to_numpy(),
                                       wr["mine_count"].to_numpy())
    wx, wy = frame.to_metric(wlon, wlat)
    w_owner = np.repeat(wr["record_id"].to_numpy(), wr["mine_count"].to_numpy())
    w_order = np.argsort(w_owner, kind="stable")
    w_bounds = np.searchsorted(w_owner[w_order], np.arange(n_records + 1))
    perimeters = []
    cancelled = 0
    cancel = (klass[:n_records] != "accurate") & (rng.random(n_records) < 0.5)
    for k in range(n_records):
        sel = w_order[w_bounds[k]:w_bounds[k + 1]]
        # Turning points, as the forms give a perimeter and as the scenario generator draws it (simulate/records.py):
        # the hull of the rows widened by 10 m with mitred corners, a handful of vertices.
        perimeter = _footprint(wx[sel], wy[sel], 10.0, "mitre")
        perimeters.append(perimeter)
        if cancel[k]:
            kept = shapely.difference(perimeter, suspected_of[k]) if k in suspected_of else perimeter
            if not kept.is_empty:
                released.append(kept)
                cancelled += 1
    lon, lat = frame.to_wgs84(x[keep], y[keep])
    mines_found = pd.DataFrame({"longitude": lon, "latitude": lat,
                                "category": pd.Series(models[keep]).map(CATALOGUE).to_numpy(), "model": models[keep]})
    to_wgs = lambda geoms: shapely.transform(np.asarray(geoms, dtype=object),  # noqa: E731
                                             lambda xy: np.column_stack(frame.to_wgs84(xy[:, 0], xy[:, 1])))
    at_rows = written["mine_model"].isin(AT_MODELS)
    counts = written.assign(at=at_rows).groupby(["record_id", "at"])["mine_count"].sum().unstack(fill_value=0)
    records = gpd.GeoDataFrame({"id": np.arange(n_records) + 1, "code": [f"MR-{k + 1:05d}" for k in range(n_records)],
                                "admin_area_id": [None] * n_records, "ap_count": counts.get(False, 0).to_numpy(),
                                "at_count": counts.get(True, 0).to_numpy(), "mine_models": ["PMN-2,TM-62M"] * n_records},
                               geometry=to_wgs(perimeters), crs="EPSG:4326")
    wr = wr.assign(record_id=wr["record_id"] + 1)
    outputs = gpd.GeoDataFrame({"outcome": ["cleared"] * (len(released) - cancelled) + ["cancelled"] * cancelled},
                               geometry=to_wgs(released), crs="EPSG:4326")
    suspected = gpd.GeoDataFrame({"hazard_class": ["cha"] * len(hazards)}, geometry=to_wgs(hazards),
                                 crs="EPSG:4326")
    empty = pd.DataFrame(columns=["record_id", "longitude", "latitude", "mine_model"])
    inputs = VerificationInputs(records, wr[["record_id", "start_longitude", "start_latitude", "bearing_deg",
                                             "mine_spacing_m", "mine_count", "mine_model"]], empty, mines_found,
                                outputs, suspected, suspected,
                                pd.DataFrame(columns=["longitude", "latitude", "category", "admin_area_id"]),
                                gpd.GeoDataFrame({"id": [], "name": [], "reporting_order": []}, geometry=[],
                                                 crs="EPSG:4326"), CATALOGUE)
    facts = {"records": n_records, "fields (recorded or not)": n_fields,
             "recorded mines": int(written["mine_count"].sum()), "mines found": len(mines_found),
             "of them in recorded fields": len(of_records), "released polygons": len(released)}
    truth = pd.DataFrame({"id": np.arange(n_records) + 1, "true_class": klass[:n_records],
                          "true_dx": -spoil_east, "true_dy": -spoil_north, "spoil_turn_deg": spoil_turn})
    return inputs, facts, truth


def cached_build(n_records: int, n_items: int, seed: int,
                 cache_dir: Path | None) -> tuple[VerificationInputs, dict[str, float], pd.DataFrame, str]:
    """build(), or its result pickled by an earlier run with the same arguments and the same data code.

    The key holds a hash of this file's data section, so a change to how the data are built builds them afresh.
    Building 10,000 records and 10,000,000 mines takes minutes; the cache only spares repeated runs that wait.
    """
    if cache_dir is None:
        return *build(n_records, n_items, seed), "built"
    text = Path(__file__).read_text()
    code = hashlib.sha256(text[text.index("# --- the data"):text.index("def cached_build")].encode()).hexdigest()[:12]
    path = cache_dir / f"records{n_records}-items{n_items}-seed{seed}-{code}.pkl"
    if path.exists():
        with path.open("rb") as f:
            inputs, facts, truth = pickle.load(f)
        return inputs, facts, truth, f"read from {path}"
    inputs, facts, truth = build(n_records, n_items, seed)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("wb") as f:
        pickle.dump((inputs, facts, truth), f, protocol=pickle.HIGHEST_PROTOCOL)
    partial.rename(path)  # whole or not at all: an interrupted run leaves no half-written cache
    return inputs, facts, truth, f"built (cached in {path})"


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments that choose the data of the records benches (cached_build's): records, mines found, seed, and
    where the built data are kept between runs."""
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/demine-records-scale"),
                        help="keep the built data here, keyed by the arguments, for later runs")


def data_argv(args: argparse.Namespace) -> list[str]:
    """add_data_arguments' choices as command-line arguments again: for a bench that runs itself in a subprocess on
    the same data."""
    return ["--records", str(args.records), "--items", str(args.items), "--seed", str(args.seed),
            "--cache-dir", str(args.cache_dir)]
