"""Appraisal periods (DOMAIN.md §7.1): a month `YYYY-MM`, a quarter `YYYYQn`, a year `YYYY`."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from libs.common.errors import ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])\Z")
_YEAR = re.compile(r"^(\d{4})\Z")
MONTH, QUARTER, YEAR = "month", "quarter", "year"


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first: int  # first month, 1–12
    last: int  # last month, 1–12
    kind: str

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return f"{self.year:04d}-{self.first:02d}"
        if self.kind == QUARTER:
            return f"{self.year:04d}Q{(self.first - 1) // 3 + 1}"
        return f"{self.year:04d}"

    @cached_property  # asked for on every row scoring looks at
    def months(self) -> tuple[str, ...]:
        return tuple(f"{self.year:04d}-{m:02d}" for m in range(self.first, self.last + 1))

    @property
    def start(self) -> date:
        return date(self.year, self.first, 1)

    @property
    def end(self) -> date:
        return date(self.year, self.last, calendar.monthrange(self.year, self.last)[1])

    def previous(self) -> Period:
        """The period of the same kind before this one."""
        if self.kind == YEAR:
            return Period(self.year - 1, 1, 12, YEAR)
        step = self.last - self.first + 1
        first, year = self.first - step, self.year
        if first < 1:
            first, year = first + 12, year - 1
        return Period(year, first, first + step - 1, self.kind)

    def quarters(self) -> tuple[Period, ...]:
        """The quarters of a year (or the quarter itself)."""
        return tuple(Period(self.year, m, m + 2, QUARTER) for m in range(self.first, self.last + 1, 3))

    def __str__(self) -> str:
        return self.code


def parse(text: object, what: str = "period") -> Period:
    """`YYYY-MM`, `YYYYQn` or `YYYY`; anything else is ValidationFailed naming `what`."""
    s = text if isinstance(text, str) else ""
    if m := _MONTH.match(s):
        return Period(int(m.group(1)), int(m.group(2)), int(m.group(2)), MONTH)
    if m := _QUARTER.match(s):
        first = (int(m.group(2)) - 1) * 3 + 1
        return Period(int(m.group(1)), first, first + 2, QUARTER)
    if m := _YEAR.match(s):
        return Period(int(m.group(1)), 1, 12, YEAR)
    raise ValidationFailed(f"{what} must be YYYY-MM, YYYYQn or YYYY, got {text!r}", field=what)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_month(text: object, what: str = "month") -> Period:
    period = parse(text, what)
    if period.kind != MONTH:
        raise ValidationFailed(f"{what} must be a month YYYY-MM, got {text!r}", field=what)
    return period
