"""Writing a scenario: one CSV per kind in the import formats, streamed row by row, byte-identical for a seed.

Numbers are formatted here, once, with fixed decimals, so that the same seed gives the same bytes on every machine.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import IO, Any

# The columns of each kind, in the order of the import formats (key, fields, then geometry columns).
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations": ("code", "name", "organisation_type", "country_code", "accredited"),
    "teams": ("code", "organisation_code", "name", "method", "members", "base_name", "base_longitude",
              "base_latitude", "active_from"),
    "hazards": ("code", "name", "hazard_class", "hazard_type", "work_status", "reported_date",
                "reporting_organisation_code", "benchmark_longitude", "benchmark_latitude", "suspected_categories",
                "confirmed_categories", "evidence_type", "evidence_description", "evidence_longitude",
                "evidence_latitude", "expected_beneficiaries", "land_use", "wkt"),
    "activities": ("code", "activity_type", "hazard_code", "organisation_code", "team_code", "method", "start_date",
                   "end_date", "status", "clearance_depth_cm", "longitude", "latitude"),
    "progress": ("code", "activity_code", "period_start", "period_end", "area_worked_m2", "working_days", "deminers",
                 "review_status", "submitted_by", "submitted_on"),
    "outputs": ("code", "activity_code", "progress_report_code", "outcome", "release_date", "declared_area_m2",
                "clearance_depth_cm", "land_use_after", "wkt"),
    "items": ("code", "activity_code", "progress_report_code", "category", "model", "found_date", "quantity",
              "depth_cm", "condition", "disposal", "longitude", "latitude"),
    "records": ("code", "name", "supplying_party", "received_date", "laid_date", "laying_unit", "pattern",
                "emplacement_method", "ap_count", "at_count", "mine_models", "fuze_type", "fuze_life",
                "anti_handling", "self_destruct_period", "reference1_x", "reference1_y", "reference2_x",
                "reference2_y", "wkt"),
    "record-rows": ("code", "record_code", "row_label", "start_longitude", "start_latitude", "bearing_deg",
                    "length_m", "mine_spacing_m", "mine_count", "mine_model"),
    "incidents": ("code", "kind", "incident_date", "category", "model", "activity_of_people", "activity_code",
                  "killed", "injured", "description", "longitude", "latitude"),
    "victims": ("code", "incident_code", "full_name", "sex", "date_of_birth", "age_years", "age_group", "address",
                "outcome", "activity"),
    "eore": ("code", "session_date", "organisation_code", "delivery_method", "location_name", "girls", "boys",
             "women", "men", "elderly_women", "elderly_men", "longitude", "latitude"),
    "assistance": ("code", "victim_code", "assistance_type", "provided_date", "provider_organisation_code", "notes"),
    "projects": ("code", "name", "project_type", "sponsor", "funding_usd", "funded", "ready_date", "deadline",
                 "beneficiaries", "description", "wkt"),
}
# The order the register must load them in: a kind references only kinds before it.
LOAD_ORDER: tuple[str, ...] = tuple(COLUMNS)


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.7f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:.1f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class CsvSink:
    """Rows of one kind, written as they come; `count` says how many."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: IO[str] = path.open("w", newline="", encoding="utf-8")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(columns)
        self.width = len(columns)
        self.count = 0

    def row(self, values: tuple[Any, ...] | list[Any]) -> None:
        if len(values) != self.width:
            raise ValueError(f"{self.path.name}: {len(values)} values for {self.width} columns")
        self._csv.writerow([cell(v) for v in values])
        self.count += 1

    def rows(self, rows: list[list[str]]) -> None:
        """Preformatted rows (the bulk path for items)."""
        self._csv.writerows(rows)
        self.count += len(rows)

    def close(self) -> None:
        self._file.close()


class ScenarioSinks:
    """One sink per kind in a folder; truth and deliberate errors go to their own subfolders."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.kinds = {kind: CsvSink(out_dir / f"{kind}.csv", cols) for kind, cols in COLUMNS.items()}

    def __getitem__(self, kind: str) -> CsvSink:
        return self.kinds[kind]

    def close(self) -> None:
        for sink in self.kinds.values():
            sink.close()
