"""Deliberate data-entry errors, written apart (errors/*.csv) with a manifest, so that the clean files import cleanly
and the error files show that validation catches what field data really gets wrong: square metres typed in
hectares, a week of "453900" ha (FACTS.md, 14-20 Aug 2023), longitude and latitude swapped.

A unit error is only worth planting where the register can see it. Survey (NTS) effort follows the hazard's size,
not the team's, so the register's floor for survey is tiny and a survey week typed in hectares looks plausible; the
area errors therefore go on clearance, BAC and technical survey weeks of manual, dog and mechanical teams, and only
where the spoiled figure crosses the bound the register applies (domain.plausibility, io.checks).

The clean files are streamed, never read whole: at bench scale items.csv holds ten million rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from demine.domain import plausibility
from demine.domain.vocabulary import Method

# Activities whose effort follows the team's productivity (so a unit error shows), and the methods that work them.
_DETECTABLE_ACTIVITIES = frozenset({"clearance", "bac", "ts"})
_DETECTABLE_METHODS = (Method.MANUAL, Method.DOGS, Method.MECHANICAL)
_AREA_ERRORS = ("hectares_for_m2", "thousands_separator")


def _stream(path: Path) -> Iterator[list[str]]:
    """The data rows of a CSV, one at a time (the header is skipped)."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        yield from reader


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def _pick_rows(path: Path, wanted: list[int]) -> list[list[str]]:
    """The rows at the given 0-based positions, in file order, in one pass."""
    want, out = set(wanted), []
    for i, row in enumerate(_stream(path)):
        if i in want:
            out.append(row)
            if len(out) == len(want):
                break
    return out


def _spoil_area(how: str, m2: float) -> str:
    return f"{m2 / 10_000:.1f}" if how == "hectares_for_m2" else f"{m2 * 1000:.0f}"


def _progress_errors(rng: np.random.Generator, out_dir: Path, n: int) -> list[tuple[list[str], str, str]]:
    header = _header(out_dir / "progress.csv")
    act = _header(out_dir / "activities.csv")
    method_of = {a[0]: _DETECTABLE_METHODS.index(Method(a[act.index("method")]))
                 for a in _stream(out_dir / "activities.csv")
                 if a[act.index("activity_type")] in _DETECTABLE_ACTIVITIES
                 and Method(a[act.index("method")]) in _DETECTABLE_METHODS}
    code, area, days, units = (header.index(c) for c in ("activity_code", "area_worked_m2", "working_days", "deminers"))
    index, m2, effort, method = [], [], [], []
    for i, row in enumerate(_stream(out_dir / "progress.csv")):
        if row[code] in method_of:
            index.append(i)
            m2.append(float(row[area]))
            effort.append(float(row[units] or 1) * max(float(row[days] or 0), 1.0))  # unit-days, as the check
            method.append(method_of[row[code]])
    if not index:
        return []
    how = rng.integers(0, len(_AREA_ERRORS), len(index))
    m2_a, effort_a = np.array(m2), np.array(effort)
    floor = np.array([plausibility.floor(_DETECTABLE_METHODS[k]) for k in method]) * effort_a
    ceiling = np.array([plausibility.flag_ceiling(_DETECTABLE_METHODS[k]) for k in method]) * effort_a
    spoiled = np.where(how == 0, np.round(m2_a / 10_000, 1), m2_a * 1000)
    # Exactly the register's tests: below the floor (but not zero), or above the ceiling.
    seen = np.where(how == 0, (spoiled > 0) & (spoiled < floor), spoiled > ceiling)
    eligible = np.flatnonzero(seen)
    chosen = np.sort(rng.choice(eligible, size=min(n, len(eligible)), replace=False))
    rows = _pick_rows(out_dir / "progress.csv", [index[k] for k in chosen])
    out = []
    for k, row in zip(chosen, rows):
        row[area] = _spoil_area(_AREA_ERRORS[how[k]], m2[k])
        out.append((row, "area_worked_m2", _AREA_ERRORS[how[k]]))
    return out


def _item_errors(rng: np.random.Generator, out_dir: Path, n: int, total: int) -> list[tuple[list[str], str, str]]:
    header = _header(out_dir / "items.csv")
    lon, lat = header.index("longitude"), header.index("latitude")
    chosen = sorted(int(p) for p in rng.choice(total, size=min(total, n), replace=False))
    out = []
    for row in _pick_rows(out_dir / "items.csv", chosen):
        row[lon], row[lat] = row[lat], row[lon]
        out.append((row, "longitude,latitude", "swapped_coordinates"))
    return out


def write_entry_errors(seed: int, out_dir: Path, n: int, items_total: int) -> Path:
    """Copy a sample of clean rows into errors/<kind>.csv with one field spoiled each; list them in manifest.json."""
    rng = np.random.default_rng([seed, 10])
    errors_dir = out_dir / "errors"
    errors_dir.mkdir(exist_ok=True)
    listed: list[dict] = []
    per_kind = max(1, n // 2)
    for kind, spoiled in (("progress", _progress_errors(rng, out_dir, per_kind)),
                          ("items", _item_errors(rng, out_dir, per_kind, items_total) if items_total else [])):
        for line, (row, field, how) in enumerate(spoiled, start=2):
            row[0] = row[0] + "-E"  # its own key: the error file can be imported beside the clean one
            listed.append({"file": f"errors/{kind}.csv", "row": line, "code": row[0], "field": field, "error": how,
                           "clean_row_in": f"{kind}.csv"})
        with (errors_dir / f"{kind}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(_header(out_dir / f"{kind}.csv"))
            w.writerows(row for row, _, _ in spoiled)
    manifest = errors_dir / "manifest.json"
    manifest.write_text(json.dumps(listed, indent=1) + "\n", encoding="utf-8")
    return manifest
