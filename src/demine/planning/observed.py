"""Seasons and terrain as the register's progress reports show them, instead of assumed.

Seasons: the working days a team reports per week, by district and month. A month whose mean is below the best
month's works that share of the days; a district whose teams report work in every other month but never in one
(while they report in it elsewhere) stops in that month. Terrain: how much faster or slower every method works in a
district than its own median on the same stage and hazard type. Both need enough reports (else the defaults stay),
and a district's figure is shrunk towards the national one while it has few.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demine.planning.inputs import STAGE_OF_ACTIVITY

# Team-weeks the whole register needs in every month before seasons are learned at all.
MIN_WEEKS_PER_MONTH = 20
# Team-weeks a district needs (in all) before it gets a season of its own, and the pull towards the national month
# (in team-weeks) of a district-month with few reports.
MIN_DISTRICT_WEEKS = 52
SEASON_SHRINKAGE_WEEKS = 8.0
# A district stops in a month when it has no report in it although it averages this many team-weeks per month.
STOP_EVIDENCE_WEEKS = 4.0
# Reports a district needs before its terrain factor is learned, and the shrinkage towards 1 (in reports).
MIN_TERRAIN_REPORTS = 20
TERRAIN_SHRINKAGE_REPORTS = 20.0


def _reports(team_weeks: pd.DataFrame) -> pd.DataFrame:
    weeks = team_weeks[(team_weeks["days"] > 0) & team_weeks["period_start"].notna()].copy()
    weeks["month"] = pd.to_datetime(weeks["period_start"]).dt.month
    return weeks


def learn_seasons(team_weeks: pd.DataFrame) -> dict[str, dict[int, float]] | None:
    """Share of the working days by month, per district (and "*" for the others), from the days reported per
    team-week; None with too few reports."""
    weeks = _reports(team_weeks)
    if not len(weeks):
        return None
    by_month = weeks.groupby("month")["days"].agg(["mean", "count"]).reindex(range(1, 13))
    if by_month["count"].isna().any() or (by_month["count"] < MIN_WEEKS_PER_MONTH).any():
        return None
    peak = float(by_month["mean"].max())
    national = (by_month["mean"] / peak).clip(0.0, 1.0)
    seasons: dict[str, dict[int, float]] = {}
    for district, rows in weeks.dropna(subset=["district"]).groupby("district"):
        if len(rows) < MIN_DISTRICT_WEEKS:
            continue
        stats = rows.groupby("month")["days"].agg(["mean", "count"]).reindex(range(1, 13))
        per_month = len(rows) / 12.0
        months = {}
        for month in range(1, 13):
            n = stats.at[month, "count"]
            if pd.isna(n) or n == 0:
                # No report at all in a month: a stop if the district is otherwise busy, else the national month.
                months[month] = 0.0 if per_month >= STOP_EVIDENCE_WEEKS else float(national[month])
                continue
            own = float(stats.at[month, "mean"]) / peak
            months[month] = float(np.clip((n * own + SEASON_SHRINKAGE_WEEKS * national[month])
                                          / (n + SEASON_SHRINKAGE_WEEKS), 0.0, 1.0))
        seasons[str(district)] = months
    seasons["*"] = {m: float(national[m]) for m in range(1, 13)}
    return seasons


def learn_terrain(team_weeks: pd.DataFrame) -> dict[str, float]:
    """Productivity factor by district: every method's pace there against its own median (stage, hazard type)."""
    weeks = team_weeks[(team_weeks["days"] > 0) & (team_weeks["area_worked_m2"] > 0)].copy()
    weeks["stage"] = weeks["activity_type"].map(STAGE_OF_ACTIVITY)
    weeks = weeks.dropna(subset=["stage", "hazard_type", "district"])
    if not len(weeks):
        return {}
    log_rate = np.log(weeks["area_worked_m2"] / weeks["days"])
    # Each team against itself first (a district served by big teams is not easier ground), then its method.
    residual = log_rate - log_rate.groupby([weeks["team"], weeks["stage"], weeks["hazard_type"]]).transform("median")
    stats = residual.groupby(weeks["district"]).agg(["mean", "count"])
    stats = stats[stats["count"] >= MIN_TERRAIN_REPORTS]
    factor = np.exp(stats["mean"] * stats["count"] / (stats["count"] + TERRAIN_SHRINKAGE_REPORTS))
    return {str(d): float(np.clip(f, 0.3, 2.0)) for d, f in factor.items()}
