"""Benchmark: where a record's time goes, judged by one worker and by two at once (issue 5's 30 s goal).

The verifier's record time is spent in compiled code (the numba kernels, GEOS through shapely, scipy's FFT) and in
the Python and numpy calls between them. Which share is which decides what a faster verifier must change; and a
whole run with two workers is slower per record than one worker alone, which decides how fast a record must be for
the goal. This bench measures both on the same records of the data of bench/records_scale.py:

  one worker    the records judged in one forked process (the baseline)
  two workers   the same records split between two forked processes judging at the same time

Each path runs --reps times, the two alternating, so that a drift of the machine falls on both. In every worker each
call into compiled code is timed (perf_counter around the outermost call only; some 0.5 µs a call): the rest of a
record's time is Python and numpy.

    .venv/bin/python bench/records_time_split.py [--every 5] [--reps 2] [--cache-dir /tmp/demine-records-scale]
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import time
from collections.abc import Callable

import numpy as np
import shapely
from numba.core.registry import CPUDispatcher
from rich.console import Console
from rich.table import Table
from scipy import fft as sfft

from demine.analysis.records.verify import (DEFAULT_BUFFER_M, DEFAULT_MAX_SHIFT_M, DEFAULT_THRESHOLDS,
                                            DEFAULT_TOLERANCE_M, _Judge)
from scale_data import add_data_arguments, cached_build

RECORDS_MODULES = ("kernels", "peaks", "peak_refinement", "rings", "row_ends", "crossing", "pairing", "vote", "fit", "metrics", "found_mines",
                   "search", "verify", "geometry")
SHAPELY_CALLS = ("intersection", "union_all", "clip_by_rect", "area", "bounds", "box", "points", "contains_xy",
                 "convex_hull", "multipoints", "transform", "difference", "get_type_id", "buffer")
PARTS = ("numba", "GEOS", "FFT")


class Split:
    """Seconds spent in each kind of compiled code, counted at the outermost timed call."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(PARTS, 0.0)
        self._depth = 0

    def timed(self, fn: Callable, part: str) -> Callable:
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            if self._depth:
                return fn(*args, **kwargs)
            self._depth += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[part] += time.perf_counter() - start
                self._depth -= 1
        return call


def instrument(split: Split) -> None:
    """Every numba kernel the records modules call from Python, the shapely calls they make, and the FFTs, timed.

    Called after the kernels have run once: a kernel compiled later would find a Python wrapper among its globals."""
    for name in RECORDS_MODULES:
        module = importlib.import_module(f"demine.analysis.records.{name}")
        for attr, value in list(vars(module).items()):
            if isinstance(value, CPUDispatcher):
                setattr(module, attr, split.timed(value, "numba"))
    for attr in SHAPELY_CALLS:
        setattr(shapely, attr, split.timed(getattr(shapely, attr), "GEOS"))
    shapely.STRtree.query = split.timed(shapely.STRtree.query, "GEOS")
    sfft.rfft2, sfft.irfft2 = split.timed(sfft.rfft2, "FFT"), split.timed(sfft.irfft2, "FFT")


def judge_in_workers(judge: _Judge, ks: np.ndarray, split: Split, workers: int) -> tuple[float, dict[str, float]]:
    """CPU seconds (all workers together) and the split of judging the records ks in `workers` forked processes,
    each judging every workers-th of them, all at once."""
    context = multiprocessing.get_context("fork")

    def work(part: np.ndarray, conn) -> None:  # type: ignore[no-untyped-def]
        split.seconds = dict.fromkeys(PARTS, 0.0)
        start = time.process_time()
        for k in part.tolist():
            judge(k)
        conn.send((time.process_time() - start, split.seconds))
        conn.close()

    pipes, processes = [], []
    for w in range(workers):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=work, args=(ks[w::workers], send))
        process.start()
        pipes.append(receive)
        processes.append(process)
    cpu, seconds = 0.0, dict.fromkeys(PARTS, 0.0)
    for receive, process in zip(pipes, processes):
        worker_cpu, worker_seconds = receive.recv()
        process.join()
        cpu += worker_cpu
        for part in PARTS:
            seconds[part] += worker_seconds[part]
    return cpu, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--every", type=int, default=5, help="judge every n-th record")
    parser.add_argument("--reps", type=int, default=2, help="runs of each path, alternated")
    args = parser.parse_args()

    inputs, facts, _, _ = cached_build(args.records, args.items, args.seed, args.cache_dir)
    judge = _Judge(inputs, tolerance_m=DEFAULT_TOLERANCE_M, buffer_m=DEFAULT_BUFFER_M, max_shift_m=DEFAULT_MAX_SHIFT_M,
                   thresholds=DEFAULT_THRESHOLDS, threads=2)
    for k in range(0, len(inputs.records), 100):  # every kernel compiled or loaded before the timers go in
        judge(k)
    split = Split()
    instrument(split)
    ks = np.arange(0, len(inputs.records), args.every)
    paths = {"one worker": 1, "two workers": 2}
    totals = {name: [0.0, dict.fromkeys(PARTS, 0.0)] for name in paths}
    for rep in range(args.reps):
        for name in (list(paths) if rep % 2 == 0 else list(paths)[::-1]):
            cpu, seconds = judge_in_workers(judge, ks, split, paths[name])
            totals[name][0] += cpu
            for part in PARTS:
                totals[name][1][part] += seconds[part]

    judged = len(ks) * args.reps
    table = Table(title=f"Where a record's time goes: every {args.every}th of {facts['records']:,} records "
                        f"({len(ks):,} records, {facts['mines found']:,} mines found), {args.reps} runs of each "
                        "path alternated; CPU ms per record, all workers together")
    for column in ("path", "CPU ms per record", "numba kernels", "GEOS (shapely)", "FFT (scipy)",
                   "Python and numpy", "compiled share", "vs one worker"):
        table.add_column(column, justify="left" if column == "path" else "right")
    base = totals["one worker"][0] / judged
    for name, (cpu, seconds) in totals.items():
        per = {part: 1000 * s / judged for part, s in seconds.items()}
        ms = 1000 * cpu / judged
        compiled = sum(per.values())
        table.add_row(name, f"{ms:.2f}", f"{per['numba']:.2f}", f"{per['GEOS']:.2f}", f"{per['FFT']:.2f}",
                      f"{ms - compiled:.2f}", f"{100 * compiled / ms:.0f}%", f"{cpu / judged / base:.2f}")
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
