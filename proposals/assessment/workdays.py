"""Working days in Romania: weekends and the legal public holidays (Labour
Code, art. 139) are non-working. Pure Python, no Django import, so the rules
can be checked alone.

The holidays, with the year each began (changes to the law are added here):
1-2 January; 6 and 7 January (2024); 24 January (2017); Orthodox Good Friday
(2018), Easter Sunday and Monday; 1 May; 1 June (2017); Orthodox Pentecost
Sunday and Monday; 15 August; 30 November (2012); 1 December; 25-26 December.
Extra non-working days the government declares (bridge days) come from the
`extra` argument (the setting `ASSESSMENT_EXTRA_HOLIDAYS`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache


def orthodox_easter(year: int) -> dt.date:
    """Orthodox Easter Sunday (Gregorian date): Meeus's Julian algorithm, then
    the Julian-to-Gregorian offset (13 days for 1900-2099)."""
    a, b, c = year % 4, year % 7, year % 19
    d = (19 * c + 15) % 30
    e = (2 * a + 4 * b - d + 34) % 7
    month, day = divmod(d + e + 114, 31)
    julian = dt.date(year, month, day + 1)
    offset = year // 100 - year // 400 - 2
    return julian + dt.timedelta(days=offset)


@lru_cache(maxsize=64)
def romanian_holidays(year: int) -> frozenset[dt.date]:
    easter = orthodox_easter(year)
    days = {
        dt.date(year, 1, 1),
        dt.date(year, 1, 2),
        dt.date(year, 5, 1),
        dt.date(year, 8, 15),
        dt.date(year, 12, 1),
        dt.date(year, 12, 25),
        dt.date(year, 12, 26),
        easter,
        easter + dt.timedelta(days=1),
        easter + dt.timedelta(days=49),  # Pentecost (Rusalii)
        easter + dt.timedelta(days=50),
    }
    if year >= 2012:
        days.add(dt.date(year, 11, 30))
    if year >= 2017:
        days |= {dt.date(year, 1, 24), dt.date(year, 6, 1)}
    if year >= 2018:
        days.add(easter - dt.timedelta(days=2))  # Good Friday
    if year >= 2024:
        days |= {dt.date(year, 1, 6), dt.date(year, 1, 7)}
    return frozenset(days)


def is_working_day(day: dt.date, extra: Iterable[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in romanian_holidays(day.year) and day not in set(extra)


def add_working_days(start: dt.date, n: int, extra: Iterable[dt.date] = ()) -> dt.date:
    """The `n`-th working day after `start` (`start` itself not counted)."""
    extra = frozenset(extra)
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, extra):
            n -= 1
    return day
