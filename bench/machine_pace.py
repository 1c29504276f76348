"""How fast the machine runs right now: a fixed reference workload, timed, and the CPU time the hypervisor stole.

The benches run on a shared virtual machine whose pace drifts: the same code on the same data has cost 4.0 and
6.6 ms of CPU a record of the record verification within half an hour (docs/records-verification-speed.md,
thirteenth sitting). A figure is only comparable with another taken at the same pace, so the benches that chase a
time goal print the pace beside it: the seconds a fixed workload takes (the same on every commit: it runs none of
Demine's code) and the share of the cores' time stolen while the path ran.

The workload mixes what the verification spends its time on: compiled-style numeric passes (numpy sorts and
histograms of a seeded array) and interpreter work (a loop of small Python operations).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def reference_seconds(repeats: int = 3) -> float:
    """The fastest of `repeats` runs of the fixed workload (0.15-0.19 s each on a quiet core of the 2.1 GHz Xeon the
    benches ran on)."""
    values = np.random.default_rng(0).random(1_000_000)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for k in range(6):
            np.sort(values * (k + 1))
            np.bincount((values * 4096).astype(np.int64), minlength=4096)
        total = 0
        for i in range(1_500_000):
            total += (i * 7) % 13
        best = min(best, time.perf_counter() - start)
    return best


@dataclass(frozen=True, slots=True)
class CpuTimes:
    """Cumulative jiffies of every core from /proc/stat: busy (user, nice, system, irq, softirq), idle (with I/O
    wait) and stolen by the hypervisor."""

    busy: int
    idle: int
    steal: int

    @classmethod
    def now(cls) -> CpuTimes:
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        except (OSError, ValueError, IndexError):
            return cls(0, 0, 0)
        user, nice, system, idle, iowait, irq, softirq, steal = fields
        return cls(user + nice + system + irq + softirq, idle + iowait, steal)

    def stolen_share_since(self, before: CpuTimes) -> float:
        """Of the cores' time since `before`, the share the hypervisor gave to others (NaN without /proc/stat)."""
        total = (self.busy - before.busy) + (self.idle - before.idle) + (self.steal - before.steal)
        return (self.steal - before.steal) / total if total > 0 else float("nan")
