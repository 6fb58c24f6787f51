"""Age on a given date, counted as Romanian law counts terms in years.

Civil Code (Law 287/2009) art. 2.552: a term set in years ends on the
corresponding day of the last year; when the last month has no corresponding
day, on the last day of that month. So a person born on 29 February turns 18
on 28 February of a non-leap year (and on 29 February of a leap year), and a
person may take part from the very day of the 18th birthday.
"""

from __future__ import annotations

import calendar
from datetime import date


def anniversary(born: date, years: int) -> date:
    """The day `born` + `years` years falls on (art. 2.552 (2) for 29 February)."""
    year = born.year + years
    last_day = calendar.monthrange(year, born.month)[1]
    return date(year, born.month, min(born.day, last_day))


def age_on(born: date, on_date: date) -> int:
    """Completed years of age on `on_date`."""
    years = on_date.year - born.year
    if years > 0 and on_date < anniversary(born, years):
        years -= 1
    return max(years, 0)


def is_at_least(born: date, years: int, on_date: date) -> bool:
    return on_date >= anniversary(born, years)
