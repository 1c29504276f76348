"""Working calendar of the plan: working days per district and week (seasons), and time arithmetic on it.

Time is counted in weeks from the plan's first Monday, as a float: 3.4 is 40% into week 3. A team working in a
district advances by that district's working days, so a task in Kalbajar started in November waits out the winter.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

import numpy as np

from demine.planning.capacity import Capacity


@dataclass(frozen=True)
class WorkCalendar:
    start: dt.date  # a Monday
    districts: tuple[str, ...]
    days: np.ndarray  # (district, week): working days
    cumulative: np.ndarray  # (district, week + 1): working days before each week
    # The same as Python lists, for the one-team placements (dispatching), where numpy's per-call cost dominates.
    _days: list[list[float]] = field(default_factory=list, repr=False)
    _cumulative: list[list[float]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_days", self.days.tolist())
        object.__setattr__(self, "_cumulative", self.cumulative.tolist())

    @property
    def weeks(self) -> int:
        return self.days.shape[1]

    def week_start(self, week: int) -> dt.date:
        return self.start + dt.timedelta(weeks=int(week))

    def date_of(self, t: float) -> dt.date:
        return self.start + dt.timedelta(days=float(t) * 7)

    def days_before(self, district: int, t: np.ndarray) -> np.ndarray:
        """Working days in `district` from the start to time t (vectorised over t)."""
        # np.minimum/maximum rather than np.clip: this runs once per placement, where clip's overhead dominates.
        t = np.minimum(np.maximum(np.asarray(t, float), 0.0), float(self.weeks))
        week = np.minimum(t.astype(int), self.weeks - 1)
        return self.cumulative[district, week] + (t - week) * self.days[district, week]

    def finish(self, district: int, start: np.ndarray, effort_days: np.ndarray) -> np.ndarray:
        """Time at which `effort_days` of work started at `start` ends in `district` (inf beyond the calendar)."""
        target = self.days_before(district, start) + np.asarray(effort_days, float)
        cum = self.cumulative[district]
        index = np.searchsorted(cum, target, side="left")
        week = np.minimum(np.maximum(index - 1, 0), self.weeks - 1)
        per_week = self.days[district, week]
        t = week + np.divide(target - cum[week], per_week, out=np.zeros_like(target), where=per_week > 0)
        t = np.maximum(t, np.asarray(start, float))
        return np.where(target > cum[-1] + 1e-9, np.inf, t)

    def next_working(self, district: int, t: np.ndarray) -> np.ndarray:
        """The first time at or after t when `district` has working days (work does not start in a closed season)."""
        t = np.asarray(t, float)
        target = self.days_before(district, t)
        cum = self.cumulative[district]
        week = np.searchsorted(cum, target, side="right") - 1
        inside = week < self.weeks
        week = np.minimum(np.maximum(week, 0), self.weeks - 1)
        per_week = self.days[district, week]
        moved = week + np.divide(target - cum[week], per_week, out=np.zeros_like(target), where=per_week > 0)
        return np.where(inside, np.maximum(t, moved), np.inf)

    def _days_before_one(self, district: int, t: float) -> float:
        t = min(max(t, 0.0), float(self.weeks))
        week = min(int(t), self.weeks - 1)
        return self._cumulative[district][week] + (t - week) * self._days[district][week]

    def next_working_one(self, district: int, t: float) -> float:
        """next_working for one time (plain floats)."""
        target = self._days_before_one(district, t)
        cum = self._cumulative[district]
        week = bisect_right(cum, target) - 1
        if week >= self.weeks:
            return float("inf")
        week = max(week, 0)
        per_week = self._days[district][week]
        moved = week + ((target - cum[week]) / per_week if per_week > 0 else 0.0)
        return max(t, moved)

    def finish_one(self, district: int, start: float, effort_days: float) -> float:
        """finish for one start (plain floats)."""
        target = self._days_before_one(district, start) + effort_days
        cum = self._cumulative[district]
        if target > cum[-1] + 1e-9:
            return float("inf")
        week = min(max(bisect_left(cum, target) - 1, 0), self.weeks - 1)
        per_week = self._days[district][week]
        return max(week + ((target - cum[week]) / per_week if per_week > 0 else 0.0), start)

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
