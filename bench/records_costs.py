"""Benchmark: what the verifier's cost settings buy and cost, on the data of bench/records_scale.py.

The goal of issue 5 (10,000 records in under 30 s on this machine's two cores) set how much work a record may cost.
The settings that bound it (samples of the vote and of the fit, peaks refined, bins kept, iterations, the search's
cell) were lowered in the fifteenth sitting; this bench shows, for each, the CPU and the answers it moves.

Whole runs cannot show a change of a few per cent: this machine's speed drifts by a third within minutes. So here
every setting judges the same records, one record after another, in one process, the order of the settings
alternating from record to record: a drift falls on all of them alike. Each setting's calls are scored against the
truth the data were built from (bench/scale_truth.py), on the records judged.

    .venv/bin/python bench/records_costs.py [--every 5] [--setting NAME=module.CONSTANT=value[,...]] ...

`module` is one of vote, fit, search, crossing, kernels (demine.analysis.records); without --setting the six settings
as they were before the fifteenth sitting are measured, one by one and all together (what the lower ones bought).
"as committed" is the baseline: the settings as shipped.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from demine.analysis.records import crossing, fit, kernels, search, vote
from demine.analysis.records.geometry import LocalFrame
from demine.analysis.records.verify import (DEFAULT_BUFFER_M, DEFAULT_MAX_SHIFT_M, DEFAULT_THRESHOLDS,
                                            DEFAULT_TOLERANCE_M, _Judge)
from demine.domain.geodesy import local_equidistant_crs
from scale_data import CENTRE, add_data_arguments, cached_build
from scale_truth import score, true_shift_in_frame

MODULES = {"vote": vote, "fit": fit, "search": search, "crossing": crossing, "kernels": kernels}
BEFORE_FIFTEENTH_SITTING = {
    "vote sample 120 mines": "vote.MAX_VOTING_MINES=120",
    "vote found 1,500": "vote.MAX_VOTING_FOUND=1500",
    "4 peaks refined": "vote.PEAKS_REFINED=4",
    "64 bins kept a rotation": "vote.VOTE_CANDIDATES=64",
    "6 iterations": "fit.ICP_ITERATIONS=6",
    "search cells 10 m": "search.SEARCH_CELL_M=10.0",
}

Setting = dict[tuple[str, str], float]


def parse(text: str) -> Setting:
    """'vote.MAX_VOTING_MINES=80,fit.MAX_FITTING_MINES=200' -> {("vote", "MAX_VOTING_MINES"): 80, ...}."""
    setting: Setting = {}
    for part in filter(None, text.split(",")):
        name, value = part.split("=")
        module, constant = name.split(".")
        if module not in MODULES or not hasattr(MODULES[module], constant):
            raise SystemExit(f"--setting {part}: no constant {constant} in demine.analysis.records.{module}")
        setting[(module, constant)] = type(getattr(MODULES[module], constant))(float(value))
    return setting


def apply(setting: Setting, committed: Setting) -> None:
    for (module, constant), value in (committed | setting).items():
        setattr(MODULES[module], constant, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--every", type=int, default=5, help="judge every n-th record (all settings the same ones)")
    parser.add_argument("--setting", action="append", default=[], help="NAME=module.CONSTANT=value[,...]")
    args = parser.parse_args()
    wanted = dict(s.split("=", 1) for s in args.setting) if args.setting else \
        BEFORE_FIFTEENTH_SITTING | {"all six as before": ",".join(BEFORE_FIFTEENTH_SITTING.values())}
    settings = {"as committed": {}} | {name: parse(text) for name, text in wanted.items()}
    committed = {key: getattr(MODULES[key[0]], key[1]) for s in settings.values() for key in s}

    inputs, facts, truth, _ = cached_build(args.records, args.items, args.seed, args.cache_dir)
    # verify_records' own judge of one record, not verify_records: the settings change between one record and the
    # next, and the indexes are built once for all of them.
    judge = _Judge(inputs, tolerance_m=DEFAULT_TOLERANCE_M, buffer_m=DEFAULT_BUFFER_M, max_shift_m=DEFAULT_MAX_SHIFT_M,
                   thresholds=DEFAULT_THRESHOLDS, threads=2)
    for k in range(20):  # compiled kernels loaded, caches of sample sizes filled, for every setting
        for setting in settings.values():
            apply(setting, committed)
            judge(k)
    ks = np.arange(0, len(inputs.records), args.every)
    cpu = dict.fromkeys(settings, 0.0)
    results: dict[str, list] = {name: [] for name in settings}
    names = list(settings)
    for i, k in enumerate(ks.tolist()):
        for name in (names if i % 2 == 0 else names[::-1]):
            apply(settings[name], committed)
            start = time.process_time()
            results[name].append(judge(k))
            cpu[name] += time.process_time() - start
    apply({}, committed)

    b = inputs.records.total_bounds
    true_dx, true_dy = true_shift_in_frame(inputs.records, truth, LocalFrame.of(local_equidistant_crs(*CENTRE)),
                                           LocalFrame.around(np.array([b[0], b[2]]), np.array([b[1], b[3]])))
    base_ms = 1000 * cpu[names[0]] / len(ks)
    table = Table(title=f"The verifier's cost settings on every {args.every}th of {facts['records']:,} records "
                        f"({len(ks):,} records, {facts['mines found']:,} mines found; CPU of one process, settings "
                        "alternated record by record)")
    for column in ("setting", "CPU ms per record", "against committed", "classes changed", "judged",
                   "class accuracy", "truly shifted called shifted", "shifts within 10 m"):
        table.add_column(column, justify="left" if column == "setting" else "right")
    base_classes = [r.verification_class for r in results[names[0]]]
    for name in names:
        called = results[name]
        s = score([r.verification_class.value for r in called], truth.iloc[ks].reset_index(drop=True),
                  np.array([r.metrics.dx_m for r in called]), np.array([r.metrics.dy_m for r in called]),
                  true_dx[ks], true_dy[ks])
        ms = 1000 * cpu[name] / len(ks)
        table.add_row(name, f"{ms:.2f}", f"{100 * (ms - base_ms) / base_ms:+.0f}%",
                      str(sum(r.verification_class != c for r, c in zip(called, base_classes))), f"{s.judged:,}",
                      f"{100 * s.accuracy:.1f}%", f"{s.shifted_recognised:,}",
                      f"{100 * np.mean(s.shift_errors <= 10):.0f}%" if len(s.shift_errors) else "")
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
