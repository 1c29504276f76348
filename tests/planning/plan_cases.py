"""Hand-built planning cases as plain tables (no register): a capacity, teams and hazards placed in metres."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from demine.planning.capacity import Capacity, Season

START = dt.date(2025, 3, 3)  # a Monday
ALL_METHODS = {"nts": ("survey",), "ts": ("mechanical",), "clearance": ("manual", "mechanical")}


def capacity(teams: list[tuple[str, str, float, float]], *, rates: dict[tuple[str, str], float] | None = None,
             methods: dict[str, dict[str, tuple[str, ...]]] | None = None, seasons: list[Season] | None = None,
             shares: tuple[float, float] = (0.0, 0.0), max_km: float = 50.0, mobilisation_km: float = 100.0,
             days_per_week: float = 5.0) -> Capacity:
    """teams: (code, method, x, y); rates: (method, stage) -> m² per day (default 1,000 for every pair)."""
    rates = rates or {(m, s): 1000.0 for m in ("survey", "mechanical", "manual", "dogs")
                      for s in ("nts", "ts", "clearance")}
    productivity = pd.DataFrame([(m, s, "*", r, 0.3, 0, "test") for (m, s), r in rates.items()],
                                columns=["method", "stage", "hazard_type", "m2_per_day", "log_sd", "reports",
                                         "source"])
    kinds = ("minefield", "battle_area")
    release = pd.DataFrame([(k, shares[0], shares[1], 0.0, "test") for k in kinds],
                           columns=["hazard_type", "cancelled", "reduced", "evidence_m2", "source"])
    table = pd.DataFrame([(code, "ORG", method, "base", x, y, 1.0) for code, method, x, y in teams],
                         columns=["code", "organisation", "method", "base_name", "x", "y", "productivity_factor"])
    return Capacity(teams=table, days_per_week=days_per_week, seasons=seasons or [], terrain={},
                    methods=methods or {k: dict(ALL_METHODS) for k in kinds}, productivity=productivity,
                    release=release, max_distance_m=max_km * 1000, mobilisation_m_per_day=mobilisation_km * 1000)


def hazards(rows: list[dict]) -> pd.DataFrame:
    """rows: code, remaining_m2, score, x, y; optional district, hazard_type, deadline, projects."""
    table = pd.DataFrame(rows)
    defaults = {"district": "Aghdam", "hazard_type": "minefield", "deadline": None, "projects": ""}
    for column, value in defaults.items():
        if column not in table:
            table[column] = [value] * len(table)
        elif value is not None:
            table[column] = table[column].fillna(value)
    return table
