"""Benchmark: the risk model at national scale on 2 cores, each phase in its own process (wall, CPU, peak RSS).

    .venv/bin/python bench/risk_model.py --db REGISTER [--cells 10000000] [--train-rows 1000000]

REGISTER holds the national scenario (seed 1), e.g. the one bench/risk_scenario_truth.py builds.

  map                 features for every cell of a grid over the whole gazetteer (all districts), the cell size chosen
                      to give --cells cells (load evidence, grid, features: register_cells.build_cells), then encode
                      and predict with a model trained beforehand on the register at 250 m (not timed)
  map, LR baseline    the same features, scored by a logistic regression fitted on the same labelled cells
                      (features again included: each phase is its own process)
  train               train_cells on --train-rows labelled cells (a seeded synthetic table with the register's 15
                      feature columns, monotone constraints, 20 district groups): 5 grouped calibration folds + the
                      final fit, as `demine risk train`
  train, LightGBM defaults   one lgb.train with LightGBM's defaults (100 rounds, 31 leaves) on the same rows
  train, LR baseline  logistic regression on the same rows

Wall time is time.perf_counter around the phase (module imports excluded); CPU time from getrusage; peak RSS is the
phase process's VmHWM. The machine is shared: the load average is printed, and wall time includes waiting for a CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as demine.risk.model sets it: the baselines get it too

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

LINE = Path(__file__).resolve().parents[1] / "src" / "demine" / "simulate" / "data" / "line_of_contact_approx.geojson"
FEATURES = ["dist_line_m", "dist_ap_mine_m", "n_ap_mine_1km", "dist_at_mine_m", "n_at_mine_1km", "dist_other_eo_m",
            "n_other_eo_1km", "dist_incident_m", "n_incident_1km", "dist_find_m", "record_inside", "dist_record_m",
            "hazard_inside", "dist_hazard_m", "cha_inside"]


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepare_model(db: str, folder: Path) -> tuple[Path, Path, float]:
    """The model to apply and the area of interest (every district of the gazetteer): setup, not timed."""
    import geopandas as gpd
    import shapely

    from demine.domain.geodesy import areas_m2
    from demine.risk.evidence import load_evidence
    from demine.risk.register_cells import UserLayers
    from demine.risk.register_path import GridOptions, train_register
    from demine.services.register import open_register

    register = open_register(db)
    model = folder / "model.json"
    train_register(register, GridOptions(250.0, None, UserLayers(line=LINE))).save(model)
    with register.reading() as connection:
        districts = load_evidence(connection).districts
    country = shapely.union_all(np.asarray(districts.geometry.values))
    aoi = folder / "country.geojson"
    gpd.GeoDataFrame(geometry=[country], crs="EPSG:4326").to_file(aoi)
    return model, aoi, float(areas_m2(np.array([country], dtype=object))[0])


def phase_map(db: str, model_path: str, aoi: str, cell_m: float, baseline: bool) -> dict[str, object]:
    from demine.risk.encoding import encode
    from demine.risk.evidence import load_evidence
    from demine.risk.model import RiskModel
    from demine.risk.register_cells import UserLayers, build_cells
    from demine.services.register import open_register

    model = RiskModel.load(model_path)
    start, cpu = time.perf_counter(), cpu_s()
    with open_register(db).reading() as connection:
        evidence = load_evidence(connection)
    cells = build_cells(evidence, size_m=cell_m, aoi=Path(aoi), layers=UserLayers(line=LINE))
    features_s = time.perf_counter() - start
    frame = cells.table.frame
    encoded = encode(frame, model.spec, exclude={"label", "district", "cell"})
    if baseline:
        from demine.risk.baselines import LogisticBaseline

        labels = frame["label"].to_numpy(dtype=float)
        labelled = labels >= 0
        t = time.perf_counter()
        fitted = LogisticBaseline().fit(encoded.matrix[labelled], labels[labelled])
        risk = fitted.score(encoded.matrix)
        what = "LR fit + predict"
    else:
        t = time.perf_counter()
        risk = model.probability(encoded.matrix)
        what = "predict"
    predict_s = time.perf_counter() - t
    return {"cells": int(len(frame)), "features_s": features_s, "predict_s": predict_s, "what": what,
            "wall_s": time.perf_counter() - start, "cpu_s": cpu_s() - cpu, "peak_mib": peak_rss_mib(),
            "mean_risk": float(np.mean(risk)), "labelled": int((frame["label"] >= 0).sum())}


def synthetic_labelled(rows: int, seed: int = 11) -> pd.DataFrame:
    """Labelled cells shaped like the register's: distances (m), counts, yes/no; label from a known logistic."""
    rng = np.random.default_rng(seed)
    data: dict[str, np.ndarray] = {}
    for name in FEATURES:
        if name.startswith("dist_"):
            data[name] = rng.exponential(3_000.0, rows).astype(np.float32)
        elif name.startswith("n_"):
            data[name] = rng.poisson(0.5, rows).astype(np.float32)
        else:
            data[name] = (rng.random(rows) < 0.1).astype(np.float32)
    logit = (-1.0 - data["dist_find_m"] / 1_500 - data["dist_line_m"] / 6_000 + 0.3 * data["n_ap_mine_1km"]
             + 1.0 * data["hazard_inside"] + rng.normal(0, 1, rows))
    data["label"] = (rng.random(rows) < 1 / (1 + np.exp(-logit + 1.5))).astype(np.int8)
    data["district"] = rng.integers(0, 20, rows).astype(str)
    return pd.DataFrame(data)


def phase_train(rows: int, variant: str) -> dict[str, object]:
    from demine.risk.cells import CellTable
    from demine.risk.register_cells import MONOTONE

    frame = synthetic_labelled(rows)
    start, cpu = time.perf_counter(), cpu_s()
    if variant == "demine":
        from demine.risk.generic import Options, train_cells

        options = Options("label", "district", decreasing=tuple(k for k in FEATURES if MONOTONE.get(k) == -1),
                          increasing=tuple(k for k in FEATURES if MONOTONE.get(k) == 1))
        model = train_cells(CellTable(Path("synthetic"), frame), options)
        quality = model.metadata["out_of_fold"]["roc_auc"]
    elif variant == "lightgbm-defaults":
        import lightgbm as lgb

        booster = lgb.train({"objective": "binary", "verbose": -1, "num_threads": 2},
                            lgb.Dataset(frame[FEATURES].to_numpy(), frame["label"].to_numpy()))
        quality = float(booster.num_trees())
    else:
        from demine.risk.baselines import LogisticBaseline

        LogisticBaseline().fit(frame[FEATURES].to_numpy(dtype=np.float32), frame["label"].to_numpy(dtype=float))
        quality = float("nan")
    return {"rows": rows, "positive": int(frame["label"].sum()), "wall_s": time.perf_counter() - start,
            "cpu_s": cpu_s() - cpu, "peak_mib": peak_rss_mib(), "quality": quality}


def run_phase(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, __file__, "--phase", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"phase {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db")
    parser.add_argument("--cells", type=int, default=10_000_000)
    parser.add_argument("--train-rows", type=int, default=1_000_000)
    parser.add_argument("--skip", default="", help="comma-separated: map,train")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        kind, *rest = args.phase
        result = (phase_map(rest[0], rest[1], rest[2], float(rest[3]), rest[4] == "lr") if kind == "map"
                  else phase_train(int(rest[0]), rest[1]))
        print(json.dumps(result))
        return
    skip = set(args.skip.split(","))
    print(f"load average {os.getloadavg()[0]:.1f}; 2 cores")
    rows: list[tuple[str, dict[str, object]]] = []
    if "map" not in skip:
        folder = Path(tempfile.mkdtemp(prefix="risk-bench-"))
        model, aoi, area = prepare_model(args.db, folder)
        cell_m = float(np.sqrt(area / args.cells))
        print(f"country {area / 1e6:,.0f} km²; cell {cell_m:.1f} m for {args.cells:,} cells")
        for variant in ("demine", "lr"):
            rows.append((f"map, {'Demine' if variant == 'demine' else 'LR baseline'}",
                         run_phase("map", args.db, str(model), str(aoi), f"{cell_m:.4f}", variant)))
    if "train" not in skip:
        for variant in ("demine", "lightgbm-defaults", "lr"):
            rows.append((f"train, {variant}", run_phase("train", str(args.train_rows), variant)))
    print("| phase | cells/rows | features s | predict s | wall s | CPU s | peak RSS MiB | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, r in rows:
        size = r.get("cells", r.get("rows"))
        note = (f"{r['what']}; labelled {r['labelled']:,}" if "what" in r else
                (f"out-of-fold ROC-AUC {r['quality']:.3f}" if name.endswith("demine") else ""))
        print(f"| {name} | {size:,} | {r.get('features_s', float('nan')):.1f} | {r.get('predict_s', float('nan')):.1f} "
              f"| {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['peak_mib']:,.0f} | {note} |")
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
