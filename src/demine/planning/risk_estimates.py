"""The risk model's estimate per hazard area, read from a CSV file (columns hazard_code, risk in [0, 1]).

The risk model (demine.risk) is built in parallel; until it writes its estimates to the register, the planner takes
them from a file so that it depends on no code of the model.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd

from demine.errors import Issue, ValidationFailed

COLUMNS = ("hazard_code", "risk")


def read_risk_estimates(path: Path) -> pd.Series:
    """hazard code -> risk in [0, 1]; any bad row rejects the file with its row, field and reason."""
    path = Path(path)
    issues: list[Issue] = []
    estimates: dict[str, float] = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ValidationFailed([Issue(str(path), 1, missing[0], "missing column; expected "
                                              + ", ".join(COLUMNS))])
            for line, row in enumerate(reader, start=2):
                code = (row["hazard_code"] or "").strip()
                if not code:
                    issues.append(Issue(str(path), line, "hazard_code", "empty"))
                    continue
                if code in estimates:
                    issues.append(Issue(str(path), line, "hazard_code", f"{code} given twice"))
                    continue
                try:
                    value = float(row["risk"])
                except (TypeError, ValueError):
                    issues.append(Issue(str(path), line, "risk", f"not a number: {row['risk']!r}"))
                    continue
                if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                    issues.append(Issue(str(path), line, "risk", f"must be between 0 and 1, not {value}"))
                    continue
                estimates[code] = value
    except FileNotFoundError:
        raise ValidationFailed([Issue(str(path), None, None, "file not found")]) from None
    if issues:
        raise ValidationFailed(issues)
    return pd.Series(estimates, name="risk", dtype=float)
