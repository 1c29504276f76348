"""Benchmark: two revisions of the verifier judging the same records on one shared set of indexes (issue 5's speed).

Whole runs cannot show a few per cent on a machine whose speed drifts by a third within the hour, and comparing two
codes record by record in one process, each with the indexes it built itself, is biased: where each code's 10
million mines found lie in memory moved its time by several per cent (docs/records-verification-speed.md, twelfth
sitting). So here:

- each revision's `src/demine` is exported (git archive; the working tree if no revision is given) as a package of
  its own name, its imports renamed, with its own numba cache;
- one judge (`verify._Judge`) is built by one code and its objects rebound to the other code's classes, the arrays
  shared; the two codes judge every --every-th record of the bench data (bench/scale_data.py) alternately, the order
  swapped from record to record, and each record's class and metrics compared by `repr` (the table counts the
  records judged the same: a speed change must not change an answer);
- that is done twice, in two processes, each code building the judge and being imported first once: the code
  imported and built first still gains a few per cent, which the mean of the two runs cancels; a third run before
  them, not counted, compiles the kernels into each package's numba cache.

    .venv/bin/python bench/records_ab.py BASELINE [CANDIDATE] [--every 5] [--records 10000] [--items 10000000]
                                         [--seed 1] [--cache-dir /tmp/demine-records-scale]

A rebinding fails when the two revisions' classes hold different attributes; the bench then says which.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scale_data import add_data_arguments, cached_build, data_argv

ROOT = Path(__file__).resolve().parents[1]


def export(revision: str | None, name: str, into: Path) -> None:
    """The package src/demine of a revision (None: the working tree) as `into/name`, its imports renamed."""
    target = into / name
    if revision is None:
        shutil.copytree(ROOT / "src" / "demine", target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src/demine"], check=True,
                                 capture_output=True).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(into / "_extract", filter="data")
        shutil.move(into / "_extract" / "src" / "demine", target)
        shutil.rmtree(into / "_extract")
    for path in target.rglob("*.py"):
        text = path.read_text()
        renamed = re.sub(r"\bfrom demine import\b", f"from {name} import", re.sub(r"\bdemine\.", f"{name}.", text))
        if renamed != text:
            path.write_text(renamed)


def rebind(obj: object, source: str, target: str) -> object:
    """obj with every object of the package `source` (recursively, through attributes) made an object of the same
    class of `target`, sharing everything else (the arrays above all)."""
    cls = type(obj)
    if not cls.__module__.startswith(source + "."):
        return obj
    other = getattr(importlib.import_module(target + cls.__module__[len(source):]), cls.__name__)
    new = object.__new__(other)
    if hasattr(obj, "__dict__"):
        new.__dict__.update({k: rebind(v, source, target) for k, v in obj.__dict__.items()})
        return new
    if getattr(other, "__slots__", None) != cls.__slots__:
        raise SystemExit(f"{cls.__module__}.{cls.__name__} holds {cls.__slots__} in one revision and "
                         f"{getattr(other, '__slots__', None)} in the other: the two cannot share a judge")
    for slot in cls.__slots__:
        object.__setattr__(new, slot, rebind(getattr(obj, slot), source, target))
    return new


def alternate(first: str, second: str, args: argparse.Namespace) -> dict[str, float | int]:
    """In this process: a judge built by `first` with its default settings, rebound to `second`, both judging every
    `args.every`-th record alternately. CPU ms a record of each, records, and how many were judged the same."""
    inputs, _, _, _ = cached_build(args.records, args.items, args.seed, args.cache_dir)
    verify = importlib.import_module(f"{first}.analysis.records.verify")
    built = verify._Judge(inputs, tolerance_m=verify.DEFAULT_TOLERANCE_M, buffer_m=verify.DEFAULT_BUFFER_M,
                          max_shift_m=verify.DEFAULT_MAX_SHIFT_M, thresholds=verify.DEFAULT_THRESHOLDS, threads=2)
    judges = {first: built, second: rebind(built, first, second)}
    for k in range(0, len(inputs.records), 200):  # load the kernels before timing (compiled by the warm-up run)
        for judge in judges.values():
            judge(k)
    cpu = dict.fromkeys(judges, 0.0)
    same = n = 0
    for i, k in enumerate(range(0, len(inputs.records), args.every)):
        results = {}
        for name in (first, second) if i % 2 == 0 else (second, first):
            start = time.process_time()
            results[name] = judges[name](k)
            cpu[name] += time.process_time() - start
        same += len({repr(r.metrics) + r.verification_class.value for r in results.values()}) == 1
        n += 1
    return {"records": n, "same": same} | {name: 1000 * cpu[name] / n for name in judges}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("baseline", help="git revision of the baseline")
    parser.add_argument("candidate", nargs="?", help="git revision of the candidate (default: the working tree)")
    parser.add_argument("--every", type=int, default=5, help="judge every n-th record")
    add_data_arguments(parser)
    parser.add_argument("--run", nargs=3, metavar=("PACKAGES", "FIRST", "SECOND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:  # one of the two processes
        sys.path.insert(0, args.run[0])
        print(json.dumps(alternate(args.run[1], args.run[2], args)))
        return
    names = {"baseline": "demine_baseline", "candidate": "demine_candidate"}
    with tempfile.TemporaryDirectory(prefix="demine-ab-") as tmp:
        export(args.baseline, names["baseline"], Path(tmp))
        export(args.candidate, names["candidate"], Path(tmp))
        runs = []
        # A first run, not counted, compiles every kernel either code asks of these records into the packages'
        # numba caches: a kernel compiled while timed (a second or more) would weigh on a few thousand records.
        orders = [(names["baseline"], names["candidate"])] * 2 + [(names["candidate"], names["baseline"])]
        for first, second in orders:
            out = subprocess.run([sys.executable, __file__, args.baseline, "--every", str(args.every),
                                  *data_argv(args), "--run", tmp, first, second], capture_output=True, text=True,
                                 cwd=ROOT / "bench")
            if out.returncode:
                sys.exit(f"the run with {first} first failed:\n{out.stderr.strip()[-2000:]}")
            runs.append((first, json.loads(out.stdout.strip().splitlines()[-1])))
        runs = runs[1:]
    table = Table(title=f"The verifier on shared indexes: {args.baseline} against "
                        f"{args.candidate or 'the working tree'}, every {args.every}th of {args.records:,} records")
    for column in ("built and imported first", "records", "judged the same", "baseline CPU ms a record",
                   "candidate CPU ms a record", "candidate / baseline"):
        table.add_column(column, justify="left" if column.startswith("built") else "right")
    ratios = []
    for first, run in runs:
        ratio = run[names["candidate"]] / run[names["baseline"]]
        ratios.append(ratio)
        table.add_row("baseline" if first == names["baseline"] else "candidate", f"{run['records']:,}",
                      f"{run['same']:,}", f"{run[names['baseline']]:.2f}", f"{run[names['candidate']]:.2f}",
                      f"{ratio:.3f}")
    table.add_row("mean of the two", "", "", "", "", f"{sum(ratios) / 2:.3f}")
    Console().print(table)


if __name__ == "__main__":
    main()
