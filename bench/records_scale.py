"""Benchmark: verify 10,000 minefield records against 10,000,000 mines found (the goal of issue 5: under 30 s).

The data are built here, seeded, in memory, in the shape `load_inputs` gives them (WGS84 frames), so that the run
measures `verify_records` itself; reading the items from a register is measured on its own (`--register`, below).

- The data (bench/scale_data.py): fields of 3-6 AP rows and an AT row on a jittered 800 m grid, some with a
  record spoiled as the scenario generator spoils them, part of each field released and every mine on released land
  found, exactly --items of them. All items are AP/AT mines: the harshest reading of "10,000,000 items found",
  since verification reads mines only.

Paths, on the same data in the same process, each timed with perf_counter and its own peak RSS delta read from
VmHWM after a reset (Linux /proc/self/clear_refs; the workers' own peaks are not in it):
  Demine verify        verify_records(inputs): the fit, the metrics, the search before an inaccurate call
                       (--workers N: in N forked processes; CPU time then includes theirs)
  overlay as written   the desk officer's overlay (bench/records_verification.py's baseline): each record's worked
                       mines matched within the tolerance where it says, no search for a better position

The machine's pace is printed beside the times (bench/machine_pace.py: a fixed workload timed before and after
Demine verify, and the share of the cores' time stolen while it ran): the shared machine's pace drifts by half.

    .venv/bin/python bench/records_scale.py [--records 10000] [--items 10000000] [--seed 1] [--profile FILE]
                                            [--cache-dir /tmp/demine-records-scale | --no-cache]
    .venv/bin/python bench/records_scale.py --register /work/benchdb/bench.db   # time load_inputs, read-only
"""

from __future__ import annotations

import argparse
import cProfile
import os
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from demine.analysis.records.classify import DEFAULT_THRESHOLDS, RecordClass, evidence_needed
from demine.analysis.records.found_mines import FoundMines
from demine.analysis.records.geometry import LocalFrame, recorded_mines
from demine.analysis.records.inputs import VerificationInputs, load_inputs
from demine.analysis.records.metrics import Land
from demine.analysis.records.verify import DEFAULT_TOLERANCE_M, verify_records
from demine.domain.geodesy import local_equidistant_crs, to_projected
from machine_pace import CpuTimes, reference_seconds
from scale_data import CENTRE, add_data_arguments, cached_build
from scale_truth import Scored, score, true_shift_in_frame

# --- the baseline ------------------------------------------------------------------------------------------------

def overlay_as_written(inputs: VerificationInputs, tolerance_m: float = DEFAULT_TOLERANCE_M) -> list[str]:
    """Each record judged where it says, by overlay: worked mines found within the tolerance, no search."""
    mines = recorded_mines(inputs.rows, inputs.single_mines)
    b = inputs.records.total_bounds
    frame = LocalFrame.around(np.array([b[0], b[2]]), np.array([b[1], b[3]]))
    mx, my = frame.to_metric(mines["longitude"].to_numpy(), mines["latitude"].to_numpy())
    is_at = mines["mine_model"].map(inputs.model_category).eq("at_mine").to_numpy()
    fx, fy = frame.to_metric(inputs.mines_found["longitude"].to_numpy(), inputs.mines_found["latitude"].to_numpy())
    found = FoundMines(fx, fy, (inputs.mines_found["category"] == "at_mine").to_numpy())
    land = Land(to_projected(inputs.outputs.geometry.to_numpy(), frame.crs),
                np.ones(len(inputs.outputs), bool), np.array([], dtype=object))
    ids = mines["record_id"].to_numpy()
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    t = DEFAULT_THRESHOLDS
    out = []
    for rid in inputs.records["id"].tolist():
        sel = order[np.searchsorted(sorted_ids, rid, "left"):np.searchsorted(sorted_ids, rid, "right")]
        worked = land.worked_mask(mx[sel], my[sel])
        index, _ = found.nearest(mx[sel], my[sel], is_at[sel], tolerance_m)
        w, m = int(worked.sum()), int((worked & (index >= 0)).sum())
        if w < evidence_needed(len(sel), t):
            out.append(RecordClass.NOT_VERIFIABLE.value)
        elif m / w >= t.good_match:
            out.append(RecordClass.ACCURATE.value)
        elif m / w >= t.partial_match:
            out.append(RecordClass.PARTIALLY_ACCURATE.value)
        else:
            out.append(RecordClass.INACCURATE.value)
    return out


# --- measuring ---------------------------------------------------------------------------------------------------

def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu() -> float:
    # The process and its reaped children (the workers of verify_records --workers).
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                   resource.getrusage(resource.RUSAGE_CHILDREN)))


def timed(fn, *args):  # type: ignore[no-untyped-def]
    """Result, wall seconds, CPU seconds (on a shared machine wall time includes waiting for a core), peak RSS MB,
    and how far the peak rose above the RSS at the start."""
    _reset_peak()
    before = _rss_mb()
    start, cpu = time.perf_counter(), _cpu()
    result = fn(*args)
    return result, time.perf_counter() - start, _cpu() - cpu, _peak_mb(), _peak_mb() - before


def register_read(location: str) -> None:
    """Time load_inputs on a register opened read-only (the bench-scale demo register is shared)."""
    from demine.services.register import open_register

    url = f"sqlite:///file:{location}?mode=ro&uri=true"
    register = open_register(url)
    _reset_peak()
    start = time.perf_counter()
    with register.reading() as connection:
        inputs = load_inputs(connection)
    seconds = time.perf_counter() - start
    print(f"load_inputs on {location}: {len(inputs.records):,} records, {len(inputs.rows):,} rows, "
          f"{len(inputs.mines_found):,} mines found, {len(inputs.outputs):,} outputs in {seconds:.1f} s, "
          f"peak RSS {_peak_mb():,.0f} MB, load {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--profile", type=Path, help="write a cProfile of Demine verify to this file")
    parser.add_argument("--register", help="only time load_inputs on this SQLite register, read-only")
    parser.add_argument("--paths", nargs="+", choices=["verify", "overlay"], default=["verify", "overlay"],
                        help="which paths to run (both by default, on the same data)")
    parser.add_argument("--workers", type=int, default=1, help="processes verify_records judges records in")
    parser.add_argument("--no-cache", action="store_true", help="build the data afresh and keep nothing")
    args = parser.parse_args()
    if args.register:
        register_read(args.register)
        return
    start = time.perf_counter()
    inputs, facts, truth, how = cached_build(args.records, args.items, args.seed,
                                             None if args.no_cache else args.cache_dir)
    print(f"data {how} in {time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{k} {v:,}" for k, v in facts.items()))
    table = Table(title=f"Record verification at scale: {facts['records']:,} records, {facts['mines found']:,} "
                        f"mines found (seed {args.seed}, load average at the start {os.getloadavg()[0]:.1f})")
    for name in ("path", "total s", "CPU s", "ms per record", "CPU ms per record", "peak RSS MB", "RSS growth MB",
                 "classes"):
        table.add_column(name, justify="left" if name in ("path", "classes") else "right")
    n = facts["records"]
    scored: dict[str, Scored] = {}
    pace = ""
    if "verify" in args.paths:
        profile = cProfile.Profile() if args.profile else None
        pace_before, cores_before = reference_seconds(), CpuTimes.now()
        if profile:
            profile.enable()
        results, seconds, cpu, peak, grew = timed(lambda i: verify_records(i, workers=args.workers), inputs)
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        stolen, pace_after = CpuTimes.now().stolen_share_since(cores_before), reference_seconds()
        pace = (f"machine pace (bench/machine_pace.py): reference workload {pace_before:.3f} s before Demine verify, "
                f"{pace_after:.3f} s after; {100 * stolen:.1f}% of the cores' time stolen while it ran")
        classes = pd.Series([r.verification_class.value for r in results]).value_counts().to_dict()
        b = inputs.records.total_bounds
        true_dx, true_dy = true_shift_in_frame(inputs.records, truth, LocalFrame.of(local_equidistant_crs(*CENTRE)),
                                               LocalFrame.around(np.array([b[0], b[2]]), np.array([b[1], b[3]])))
        scored["Demine verify"] = score([r.verification_class.value for r in results], truth,
                                        np.array([r.metrics.dx_m for r in results]),
                                        np.array([r.metrics.dy_m for r in results]), true_dx, true_dy)
        table.add_row("Demine verify" + (f" ({args.workers} workers)" if args.workers > 1 else ""), f"{seconds:.1f}", f"{cpu:.1f}", f"{1000 * seconds / n:.1f}",
                      f"{1000 * cpu / n:.1f}", f"{peak:,.0f}", f"{grew:,.0f}",
                      ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
    if "overlay" in args.paths:
        baseline, b_seconds, b_cpu, b_peak, b_grew = timed(overlay_as_written, inputs)
        b_classes = pd.Series(baseline).value_counts().to_dict()
        scored["overlay as written"] = score(baseline, truth)
        table.add_row("overlay as written", f"{b_seconds:.1f}", f"{b_cpu:.1f}", f"{1000 * b_seconds / n:.1f}",
                      f"{1000 * b_cpu / n:.1f}", f"{b_peak:,.0f}",
                      f"{b_grew:,.0f}", ", ".join(f"{k} {v}" for k, v in sorted(b_classes.items())))
    console = Console(width=200)
    console.print(table)
    if pace:
        print(pace)
    if scored:
        truth_table(console, scored, facts["records"])
    print(f"load average at the end {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min); 2 cores")


def truth_table(console: Console, scored: dict[str, Scored], n: int) -> None:
    """Each path's calls against the data's own truth (bench/scale_truth.py), and Demine's confusion matrix."""
    table = Table(title=f"The same {n:,} records against the truth they were built from")
    for name in ("path", "judged", "class accuracy", "truly shifted called shifted", "shift error median m",
                 "shifts within 10 m", "90th percentile m"):
        table.add_column(name, justify="left" if name == "path" else "right")
    for path, s in scored.items():
        e = s.shift_errors
        table.add_row(path, f"{s.judged:,}", f"{100 * s.accuracy:.1f}%", f"{s.shifted_recognised:,}",
                      *((f"{np.median(e):.1f}", f"{100 * np.mean(e <= 10):.0f}%", f"{np.quantile(e, 0.9):.1f}")
                        if len(e) else ("", "", "")))
    console.print(table)
    if "Demine verify" in scored:
        console.print("Demine verify, confusion matrix (rows: truth, fictitious as inaccurate, a rigid move within"
                  " 600 m and 5° as shifted: bench/scale_truth.py; columns: called)")
        console.print(scored["Demine verify"].confusion.to_string())


if __name__ == "__main__":
    main()
