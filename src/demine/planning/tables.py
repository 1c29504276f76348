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


def write_forecast(forecast, path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A forecast as an .xlsx workbook (districts, projects, released) or a .csv of the districts and the nation."""
    path = Path(path)
    national = pd.DataFrame([{"district": "(national)", "hazards": int(forecast.districts["hazards"].sum()),
                              "remaining_ha": float(forecast.districts["remaining_ha"].sum()), **forecast.national}])
    districts = pd.concat([forecast.districts, national], ignore_index=True)
    if path.suffix.lower() == ".csv":
        return write_table(districts, path, sheet="districts")
    if path.suffix.lower() != ".xlsx":
        raise DemineError(f"{path}: write the forecast as .csv or .xlsx.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path) as workbook:
        districts.to_excel(workbook, sheet_name="districts", index=False)
        forecast.projects.to_excel(workbook, sheet_name="projects", index=False)
        forecast.released.to_excel(workbook, sheet_name="released", index=False)
    return path
