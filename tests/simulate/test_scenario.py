"""Seeded tests of the scenario generator: real files in tmp_path, statistics measured from the files themselves."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import shapely

from demine.io.formats import FORMATS
from demine.io.spec import GeometryRule
from demine.simulate import generate_scenario
from demine.simulate.writer import LOAD_ORDER


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*.csv"))}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    return generate_scenario(tmp_path_factory.mktemp("small"), scale="small", seed=1)


def test_same_seed_gives_identical_files_and_another_seed_different(small, tmp_path: Path) -> None:
    # Another process with another hash seed: set iteration order must not leak into the files.
    code = f"from pathlib import Path; from demine.simulate import generate_scenario; " \
           f"generate_scenario(Path({str(tmp_path / 'again')!r}), scale='small', seed=1)"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": "12345"})
    other = generate_scenario(tmp_path / "other", scale="small", seed=2)
    first = _digest(small.out_dir)
    assert first == _digest(tmp_path / "again")
    differing = [k for k, v in _digest(other.out_dir).items() if first.get(k) != v]
    assert "items.csv" in differing and "hazards.csv" in differing


@pytest.mark.parametrize("kind", LOAD_ORDER)
def test_columns_match_the_import_format(small, kind: str) -> None:
    spec = FORMATS[kind]
    expected = [spec.key, *(f.name for f in spec.fields)]
    if spec.geometry is GeometryRule.POINT:
        expected += ["longitude", "latitude"]
    elif spec.geometry is not GeometryRule.NONE:
        expected.append("wkt")
    with small.files[kind].open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == expected
    assert small.counts[kind] > 0


def test_manifest_lists_kinds_in_dependency_order(small) -> None:
    order = list(FORMATS)
    positions = [order.index(kind) for kind in small.files]
    assert positions == sorted(positions)


def test_deliberate_errors_are_listed_and_kept_apart(small) -> None:
    listed = json.loads(small.errors_manifest.read_text())
    assert len(listed) >= 4
    assert {e["error"] for e in listed} >= {"swapped_coordinates"}
    for error in listed:
        rows = list(csv.DictReader((small.out_dir / error["file"]).open(encoding="utf-8")))
        spoiled = rows[error["row"] - 2]
        assert spoiled["code"] == error["code"]
        clean = pd.read_csv(small.out_dir / error["clean_row_in"], dtype=str)
        assert error["code"] not in set(clean["code"])  # the clean files never hold a deliberate error
        if error["field"] == "longitude,latitude":
            assert float(spoiled["longitude"]) < 41 < float(spoiled["latitude"])  # a latitude where a longitude goes


def test_truth_is_written_apart_from_the_register_files(small) -> None:
    assert small.truth_dir == small.out_dir / "truth"
    assert {p.name for p in small.truth_dir.glob("*.csv")} >= {"items.csv", "sites.csv", "records.csv",
                                                                "incidents.csv"}
    assert not set(small.files.values()) & set(small.truth_dir.iterdir())
    truth_items = pd.read_csv(small.truth_dir / "items.csv")
    # Clearance finds the true items in the land it clears, and only those.
    assert truth_items["found_date"].notna().sum() == small.counts["items"]
    assert len(truth_items) > small.counts["items"]


def _outside_share(folder: Path) -> float:
    records = pd.read_csv(folder / "records.csv")
    covered = shapely.union_all(shapely.from_wkt(records["wkt"].to_numpy()))
    incidents = pd.read_csv(folder / "incidents.csv")
    inside = shapely.contains_xy(covered, incidents["longitude"], incidents["latitude"])
    return float(1 - inside.mean())


def _accurate_share(folder: Path) -> float:
    """A record is accurate when it lies on its true minefield: IoU >= 0.5 and centres within 25 m (metric)."""
    records = pd.read_csv(folder / "records.csv").set_index("code")
    truth = pd.read_csv(folder / "truth" / "records.csv").set_index("record_code")
    sites = pd.read_csv(folder / "truth" / "sites.csv").set_index("site_id")
    from demine.simulate.geography import to_metric_xy

    def metric(wkt: str):
        return shapely.transform(shapely.from_wkt(wkt), lambda xy: __import__("numpy").column_stack(
            to_metric_xy(xy[:, 0], xy[:, 1])))

    accurate = 0
    for code, row in truth.iterrows():
        if pd.isna(row["site_id"]):
            continue
        rec, site = metric(records.loc[code, "wkt"]), metric(sites.loc[int(row["site_id"]), "wkt"])
        iou = rec.intersection(site).area / rec.union(site).area
        accurate += iou >= 0.5 and rec.centroid.distance(site.centroid) < 25
    return accurate / len(truth)


def test_small_statistics(small) -> None:
    assert 0.15 <= _accurate_share(small.out_dir) <= 0.35
    assert _outside_share(small.out_dir) > 0.5


def test_small_scenario_finds_mines_and_uxo(small) -> None:
    """Twenty weeks are enough for every kind of find to reach the register (tests and the small demo rely on it)."""
    items = pd.read_csv(small.out_dir / "items.csv", usecols=["category"])["category"].value_counts()
    # Measured (seed 1): 371 AP, 224 AT, 630 UXO, 5 AXO, 3 submunitions.
    assert items.get("ap_mine", 0) > 50 and items.get("at_mine", 0) > 50
    assert items.get("uxo", 0) + items.get("submunition", 0) > 100


def test_polygons_folded_by_rounding_are_repaired_and_valid_ones_left_alone() -> None:
    import shapely

    from demine.simulate.geography import repair_wkt

    # Two squares sharing a corner written as one ring: the shape 7-decimal rounding produced at bench scale
    # (a ring touching itself), which the importer rightly rejects as a self-intersection.
    folded = ("POLYGON ((46.1 40.1, 46.1001 40.1, 46.1001 40.1001, 46.1002 40.1001, 46.1002 40.1002, "
              "46.1001 40.1002, 46.1001 40.1001, 46.1 40.1001, 46.1 40.1))")
    assert not shapely.is_valid(shapely.from_wkt(folded))
    repaired = shapely.from_wkt(repair_wkt(folded))
    assert shapely.is_valid(repaired) and repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(shapely.from_wkt(folded).area, rel=1e-6)
    valid = "POLYGON ((46.1 40.1, 46.1001 40.1, 46.1001 40.1001, 46.1 40.1001, 46.1 40.1))"
    assert repair_wkt(valid) == valid  # a seed's files do not change where nothing needed repair
