"""Planning tables written as CSV or XLSX (chosen by the file's suffix)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from demine.errors import DemineError

SUFFIXES = (".csv", ".xlsx")


def write_table(table: pd.DataFrame, path: Path, *, sheet: str) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DemineError(f"{path}: write planning tables as {' or '.join(SUFFIXES)}, not {suffix or 'no suffix'}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        table.to_csv(path, index=False)
    else:
        table.to_excel(path, index=False, sheet_name=sheet[:31])
    return path
