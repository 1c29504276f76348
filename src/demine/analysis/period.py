"""Reporting periods: inclusive date ranges in the national time zone (ARCHITECTURE.md, conventions).

A statement speaks of "the past week" or "the past month" only when the period is one; any other range is named by its
dates. The comparison period is the one of the same length that ends the day before.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from demine.errors import DemineError


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DemineError(f"The period ends ({self.end}) before it starts ({self.start}).")
        for day in (self.start, self.end):
            if not EARLIEST <= day <= LATEST:
                # A typo such as 1013 for 2013; it would also push the comparison period out of the calendar.
                raise DemineError(f"The date {day} is outside the years a register can hold "
                                  f"({EARLIEST.year}-{LATEST.year}).")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def kind(self) -> PeriodKind:
        if self.days == 7:
            return PeriodKind.WEEK
        if self.start.day == 1 and self.end == _month_end(self.start):
            return PeriodKind.MONTH
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
                and self.start.year == self.end.year:
            return PeriodKind.YEAR
        return PeriodKind.RANGE

    def previous(self) -> Period:
        """The period just before: the previous calendar month or year for those, else the same number of days."""
        if self.kind is PeriodKind.MONTH:
            start = (self.start - dt.timedelta(days=1)).replace(day=1)
            return Period(start, _month_end(start))
        if self.kind is PeriodKind.YEAR:
            return Period(self.start.replace(year=self.start.year - 1), self.end.replace(year=self.end.year - 1))
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def period_ending(kind: str, end: dt.date) -> Period:
    """The week (7 days), calendar month or calendar year that ends on or contains `end`."""
    if kind == PeriodKind.WEEK:
        return Period(end - dt.timedelta(days=6), end)
    if kind == PeriodKind.MONTH:
        return Period(end.replace(day=1), _month_end(end))
    if kind == PeriodKind.YEAR:
        return Period(dt.date(end.year, 1, 1), dt.date(end.year, 12, 31))
    raise DemineError(f"Unknown period {kind!r}; use week, month or year.")


def resolve_period(*, start: dt.date | None, end: dt.date | None, kind: str | None,
                   today: dt.date | None = None) -> Period:
    """The period a user asked for: --from/--to, or --period week|month|year ending at --to (default: today)."""
    if start is not None:
        return Period(start, end or today or dt.date.today())
    return period_ending(kind or PeriodKind.WEEK, end or today or dt.date.today())
