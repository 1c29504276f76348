"""Working calendar of the plan: working days per district and week (seasons), and time arithmetic on it.

Time is counted in weeks from the plan's first Monday, as a float: 3.4 is 40% into week 3. A team working in a
district advances by that district's working days, so a task in Kalbajar started in November waits out the winter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from demine.planning.capacity import Capacity


@dataclass(frozen=True)
class WorkCalendar:
    start: dt.date  # a Monday
    districts: tuple[str, ...]
    days: np.ndarray  # (district, week): working days
    cumulative: np.ndarray  # (district, week + 1): working days before each week

    @property
    def weeks(self) -> int:
        return self.days.shape[1]

    def week_start(self, week: int) -> dt.date:
        return self.start + dt.timedelta(weeks=int(week))

    def date_of(self, t: float) -> dt.date:
        return self.start + dt.timedelta(days=float(t) * 7)

    def days_before(self, district: int, t: np.ndarray) -> np.ndarray:
        """Working days in `district` from the start to time t (vectorised over t)."""
        t = np.clip(np.asarray(t, float), 0.0, self.weeks)
        week = np.minimum(np.floor(t).astype(int), self.weeks - 1)
        return self.cumulative[district, week] + (t - week) * self.days[district, week]

    def finish(self, district: int, start: np.ndarray, effort_days: np.ndarray) -> np.ndarray:
        """Time at which `effort_days` of work started at `start` ends in `district` (inf beyond the calendar)."""
        target = self.days_before(district, start) + np.asarray(effort_days, float)
        cum = self.cumulative[district]
        index = np.searchsorted(cum, target, side="left")
        week = np.clip(index - 1, 0, self.weeks - 1)
        per_week = self.days[district, week]
        with np.errstate(divide="ignore", invalid="ignore"):
            t = week + np.where(per_week > 0, (target - cum[week]) / per_week, 0.0)
        t = np.maximum(t, np.asarray(start, float))
        return np.where(target > cum[-1] + 1e-9, np.inf, t)

    def next_working(self, district: int, t: np.ndarray) -> np.ndarray:
        """The first time at or after t when `district` has working days (work does not start in a closed season)."""
        t = np.asarray(t, float)
        target = self.days_before(district, t)
        cum = self.cumulative[district]
        week = np.searchsorted(cum, target, side="right") - 1
        inside = week < self.weeks
        week = np.clip(week, 0, self.weeks - 1)
        per_week = self.days[district, week]
        with np.errstate(divide="ignore", invalid="ignore"):
            moved = week + np.where(per_week > 0, (target - cum[week]) / per_week, 0.0)
        return np.where(inside, np.maximum(t, moved), np.inf)

    def mean_factor(self, first_week: int, last_week: int, days_per_week: float) -> np.ndarray:
        """Share of the nominal working days each district has between two weeks (for window capacities)."""
        span = self.days[:, first_week:last_week]
        if span.shape[1] == 0 or days_per_week <= 0:
            return np.zeros(len(self.districts))
        return span.mean(axis=1) / days_per_week


def build_calendar(capacity: Capacity, districts: tuple[str, ...], start: dt.date, weeks: int) -> WorkCalendar:
    monday = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    # The month of a week is the month of its Thursday (ISO weeks), so a week is never split between seasons.
    months = np.array([(monday + dt.timedelta(weeks=w, days=3)).month for w in range(weeks)])
    days = np.empty((len(districts), weeks))
    for d, name in enumerate(districts):
        factor = np.array([capacity.season_factor(name, m) for m in range(1, 13)])
        days[d] = capacity.days_per_week * factor[months - 1]
    cumulative = np.concatenate([np.zeros((len(districts), 1)), np.cumsum(days, axis=1)], axis=1)
    return WorkCalendar(monday, districts, days, cumulative)
