"""Benchmark and evaluation: minefield record verification against the scenario generator's hidden truth.

For each seed, a national scenario is generated and loaded through the importers into a SQLite register (kept in
--workdir and reused on later runs), then `verify_records` runs on what the register holds, timed, and its classes and
shifts are scored against truth/records.csv. Beside it, on the same records and the same metrics, a baseline that
does what a desk officer does by overlay: it judges each record as written (no fit): accurate when its worked mines
were found where it says, not verifiable when too little of it was worked, inaccurate otherwise.

The truth class `fictitious` (a record of a field that was never laid) is scored as `inaccurate`, the class the
verifier can give it. Class accuracy is over the records both the truth and the verifier call verifiable, i.e. those
with enough worked land (`not_verifiable` by the verifier is counted as an error when the truth record is verifiable by
the same evidence rule).

    .venv/bin/python bench/records_verification.py --seeds 1 2 3 [--workdir DIR] [--scale national]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from rich.console import Console
from rich.table import Table

from demine.analysis.records.classify import DEFAULT_THRESHOLDS, RecordClass, _enough
from demine.analysis.records.geometry import LocalFrame, recorded_mines
from demine.analysis.records.inputs import load_inputs
from demine.analysis.records.verify import verify_records
from demine.services.demo import load_demo
from demine.cli import run
from demine.services.register import open_register

CLASSES = [c.value for c in RecordClass]
UTM_38N = "EPSG:32638"  # the generator's working frame (simulate.geography)


def prepare(workdir: Path, seed: int, scale: str) -> tuple[str, Path]:
    location = str(workdir / f"{scale}-{seed}.db")
    out = workdir / f"{scale}-{seed}"
    if not (out / "truth" / "records.csv").exists() or not Path(location).exists():
        for suffix in ("", "-wal", "-shm"):
            Path(location + suffix).unlink(missing_ok=True)
        if run(["--db", location, "init"]) != 0:  # schema and the shipped gazetteer, as a user starts
            raise SystemExit(f"demine init failed for {location}")
        load_demo(open_register(location), out, scale=scale, seed=seed, actor="bench")
    return location, out / "truth"


def baseline_class(m) -> str:  # type: ignore[no-untyped-def]
    """The record judged as written, by overlay: no search for a better position."""
    t = DEFAULT_THRESHOLDS
    if not _enough(m.worked_before, m, t):
        return RecordClass.NOT_VERIFIABLE.value
    if m.matched_before / m.worked_before >= t.good_match:
        return RecordClass.ACCURATE.value
    if m.matched_before / m.worked_before >= t.partial_match:
        return RecordClass.PARTIALLY_ACCURATE.value
    return RecordClass.INACCURATE.value


def true_shift_in_frame(inputs, truth_records: pd.DataFrame, sites: pd.DataFrame,
                        frame: LocalFrame) -> pd.DataFrame:
    """The true translation at each record's mine centre, in the verifier's local frame (east, north metres).

    The generator spoils a record in UTM 38N grid metres: record = R(rot) (ground - c) + c + d about the site centre c.
    Inverting it at the record's mine centre and carrying both points through WGS84 into the verifier's frame removes
    the meridian convergence between grid and true north, so the two shifts are compared in one frame.
    """
    mines = recorded_mines(inputs.rows, inputs.single_mines)
    centre = mines.groupby("record_id")[["longitude", "latitude"]].mean()
    codes = inputs.records.set_index("id")["code"]
    centre["code"] = codes.reindex(centre.index).to_numpy()
    to_utm = Transformer.from_crs("EPSG:4326", UTM_38N, always_xy=True)
    to_wgs = Transformer.from_crs(UTM_38N, "EPSG:4326", always_xy=True)
    merged = centre.merge(truth_records, left_on="code", right_on="record_code").merge(
        sites[["site_id", "cx", "cy"]], on="site_id", how="left")
    mx, my = to_utm.transform(merged["longitude"].to_numpy(), merged["latitude"].to_numpy())
    theta = np.radians(merged["rotation_deg"].to_numpy())
    # rotation_deg is clockwise, as bearings are: R(rot) turns (x, y) by -rot anticlockwise; its inverse by +rot.
    ux, uy = mx - merged["cx"].to_numpy() - merged["shift_x_m"].to_numpy(), my - merged["cy"].to_numpy() - \
        merged["shift_y_m"].to_numpy()
    gx = merged["cx"].to_numpy() + ux * np.cos(theta) - uy * np.sin(theta)
    gy = merged["cy"].to_numpy() + ux * np.sin(theta) + uy * np.cos(theta)
    glon, glat = to_wgs.transform(gx, gy)
    ax, ay = frame.to_metric(merged["longitude"].to_numpy(), merged["latitude"].to_numpy())
    bx, by = frame.to_metric(np.asarray(glon), np.asarray(glat))
    return pd.DataFrame({"code": merged["code"], "true_dx": bx - ax, "true_dy": by - ay})


def evaluate(location: str, truth_dir: Path) -> dict[str, object]:
    register = open_register(location)
    with register.reading() as connection:
        inputs = load_inputs(connection)
    start, cpu = time.perf_counter(), _cpu()
    results = verify_records(inputs)
    seconds, cpu_seconds = time.perf_counter() - start, _cpu() - cpu
    truth = pd.read_csv(truth_dir / "records.csv")
    sites = pd.read_csv(truth_dir / "sites.csv", usecols=["site_id", "wkt"])
    to_utm = Transformer.from_crs("EPSG:4326", UTM_38N, always_xy=True)
    centroids = shapely.centroid(shapely.from_wkt(sites["wkt"].to_numpy()))
    sites["cx"], sites["cy"] = to_utm.transform(shapely.get_x(centroids), shapely.get_y(centroids))
    scored = pd.DataFrame({
        "code": [r.code for r in results],
        "verified": [r.verification_class.value for r in results],
        "baseline": [baseline_class(r.metrics) for r in results],
        "dx": [r.metrics.dx_m for r in results], "dy": [r.metrics.dy_m for r in results],
    }).merge(truth, left_on="code", right_on="record_code", how="left")
    scored["truth"] = scored["true_class"].replace({"fictitious": "inaccurate"})
    bounds = inputs.records.total_bounds
    frame = LocalFrame.around(np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]]))
    scored = scored.merge(true_shift_in_frame(inputs, truth, sites, frame), on="code", how="left")
    return {"records": len(results), "found": len(inputs.mines_found), "seconds": seconds, "cpu": cpu_seconds,
            "scored": scored}


def summary(scored: pd.DataFrame, column: str) -> dict[str, float]:
    # Verifiable by the evidence on the ground: the verifier's own evidence rule, which the baseline shares.
    verifiable = scored[scored["verified"] != "not_verifiable"]
    judged = verifiable[verifiable[column] != "not_verifiable"]
    accuracy = float((judged[column] == judged["truth"]).mean()) if len(judged) else float("nan")
    share = float((judged[column] == "accurate").mean()) if len(judged) else float("nan")
    true_share = float((verifiable["truth"] == "accurate").mean()) if len(verifiable) else float("nan")
    return {"verifiable": len(verifiable), "judged": len(judged), "accuracy": accuracy, "accurate_share": share,
            "true_accurate_share": true_share}


def shift_errors(scored: pd.DataFrame) -> np.ndarray:
    shifted = scored[(scored["verified"] == "shifted") & (scored["truth"] == "shifted")]
    return np.hypot(shifted["dx"] - shifted["true_dx"], shifted["dy"] - shifted["true_dy"]).to_numpy()


def confusion(scored: pd.DataFrame, column: str) -> pd.DataFrame:
    return pd.crosstab(scored["truth"], scored[column]).reindex(index=sorted(set(scored["truth"])),
                                                                 columns=CLASSES, fill_value=0)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--scale", default="national", choices=["small", "national"])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/demine-bench-records"))
    parser.add_argument("--scored", type=Path, help="write every record's class, truth and shifts (CSV) here, to "
                                                    "compare runs record by record")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    console = Console(width=170)
    table = Table(title=f"Minefield record verification against the truth ({args.scale} scenario)")
    for name in ("seed", "path", "records", "mines found", "verifiable", "class accuracy", "accurate share",
                 "true accurate share", "shift error median m", "shifts within 10 m", "seconds", "ms/record",
                 "load"):
        table.add_column(name, justify="left" if name in ("path",) else "right")
    pooled = []
    for seed in args.seeds:
        location, truth_dir = prepare(args.workdir, seed, args.scale)
        outcome = evaluate(location, truth_dir)
        scored = outcome["scored"]
        scored["seed"] = seed
        pooled.append(scored)
        errors = shift_errors(scored)
        for column, label in (("verified", "Demine verify (fit)"), ("baseline", "overlay as written")):
            s = summary(scored, column)
            fit_cols = ([f"{np.median(errors):.1f}", f"{(errors <= 10).mean():.0%} of {len(errors)}"]
                        if column == "verified" and len(errors) else ["", ""])
            timing = ([f"{outcome['seconds']:.1f}", f"{1000 * outcome['seconds'] / max(outcome['records'], 1):.0f}"]
                      if column == "verified" else ["", ""])
            table.add_row(str(seed), label, f"{outcome['records']:,}", f"{outcome['found']:,}", str(s["verifiable"]),
                          f"{s['accuracy']:.1%}", f"{s['accurate_share']:.1%}", f"{s['true_accurate_share']:.1%}",
                          *fit_cols, *timing, f"{os.getloadavg()[0]:.1f}")
        console.print(f"seed {seed}: confusion matrix (rows: truth, columns: Demine verify)")
        console.print(confusion(scored, "verified").to_string())
    console.print(table)
    everything = pd.concat(pooled, ignore_index=True)
    if args.scored:
        everything[["seed", "code", "truth", "verified", "baseline", "dx", "dy", "true_dx", "true_dy"]].to_csv(
            args.scored, index=False)
    console.print("all seeds pooled: confusion matrix (rows: truth, columns: Demine verify)")
    console.print(confusion(everything, "verified").to_string())
    for column in ("verified", "baseline"):
        s = summary(everything, column)
        console.print(f"pooled {column}: class accuracy {s['accuracy']:.1%} on {s['judged']} judged records; accurate "
                      f"share {s['accurate_share']:.1%} (truth {s['true_accurate_share']:.1%})")
    judged = everything[everything["verified"] != "not_verifiable"]
    console.print(f"pooled: {len(judged)} of {len(everything)} records judged (not 'not verifiable'); correct calls "
                  f"over all records: {int((judged['verified'] == judged['truth']).sum())}")
    errors = shift_errors(everything)
    if len(errors):
        console.print(f"pooled shift error over {len(errors)} shifted records: median {np.median(errors):.1f} m, "
                      f"{(errors <= 10).mean():.0%} within 10 m, 90th percentile {np.percentile(errors, 90):.1f} m")


if __name__ == "__main__":
    main()
