"""Deliberate data-entry errors, written apart (errors/*.csv) with a manifest, so that the clean files import cleanly
and the error files show that validation catches what field data really gets wrong: square metres typed in
hectares, a week of "453900" ha (FACTS.md, 14-20 Aug 2023), longitude and latitude swapped."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_entry_errors(seed: int, out_dir: Path, n: int) -> Path:
    """Copy a sample of clean rows into errors/<kind>.csv with one field spoiled each; list them in manifest.json."""
    rng = np.random.default_rng([seed, 10])
    errors_dir = out_dir / "errors"
    errors_dir.mkdir(exist_ok=True)
    listed: list[dict] = []
    for kind, spoilers in (("progress", ("hectares_for_m2", "thousands_separator")),
                           ("items", ("swapped_coordinates",))):
        header, rows = _read(out_dir / f"{kind}.csv")
        if not rows:
            continue
        picks = rng.choice(len(rows), size=min(len(rows), max(1, n // 2)), replace=False)
        spoiled = []
        for line, i in enumerate(sorted(int(p) for p in picks), start=2):
            row = list(rows[i])
            how = str(rng.choice(spoilers))
            if kind == "progress":
                col = header.index("area_worked_m2")
                m2 = float(row[col])
                row[col] = f"{m2 / 10_000:.1f}" if how == "hectares_for_m2" else f"{m2 * 1000:.0f}"
                field = "area_worked_m2"
            else:
                lon, lat = header.index("longitude"), header.index("latitude")
                row[lon], row[lat] = row[lat], row[lon]
                field = "longitude,latitude"
            row[0] = row[0] + "-E"  # its own key: the error file can be imported beside the clean one
            spoiled.append(row)
            listed.append({"file": f"errors/{kind}.csv", "row": line, "code": row[0], "field": field, "error": how,
                           "clean_row_in": f"{kind}.csv"})
        with (errors_dir / f"{kind}.csv").open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(spoiled)
    manifest = errors_dir / "manifest.json"
    manifest.write_text(json.dumps(listed, indent=1) + "\n", encoding="utf-8")
    return manifest
