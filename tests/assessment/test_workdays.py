"""Romanian working days: weekends and legal holidays, Orthodox Easter computed."""

import datetime as dt

import pytest

from proposals.assessment.workdays import (
    add_working_days,
    is_working_day,
    orthodox_easter,
    romanian_holidays,
)

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2019, D(2019, 4, 28)), (2023, D(2023, 4, 16)), (2024, D(2024, 5, 5)),
     (2025, D(2025, 4, 20)), (2026, D(2026, 4, 12)), (2027, D(2027, 5, 2))],
)  # fmt: skip
def test_orthodox_easter_known_dates(year, easter):
    assert orthodox_easter(year) == easter


def test_orthodox_easter_matches_dateutil_over_two_centuries():
    from dateutil.easter import EASTER_ORTHODOX
    from dateutil.easter import easter as du_easter

    for year in range(1900, 2100):
        assert orthodox_easter(year) == du_easter(year, EASTER_ORTHODOX), year


def test_holidays_2026():
    assert romanian_holidays(2026) == {
        D(2026, 1, 1), D(2026, 1, 2), D(2026, 1, 6), D(2026, 1, 7), D(2026, 1, 24),
        D(2026, 4, 10), D(2026, 4, 12), D(2026, 4, 13),  # Good Friday, Easter
        D(2026, 5, 1), D(2026, 5, 31), D(2026, 6, 1),  # Labour day, Pentecost, Children's day
        D(2026, 8, 15), D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 25), D(2026, 12, 26),
    }  # fmt: skip


def test_holidays_follow_the_law_of_the_year():
    assert D(2023, 1, 6) not in romanian_holidays(2023)  # Epiphany from 2024
    assert D(2024, 1, 6) in romanian_holidays(2024)
    assert orthodox_easter(2017) - dt.timedelta(days=2) not in romanian_holidays(2017)
    assert D(2016, 6, 1) not in romanian_holidays(2016)


def test_add_working_days_skips_weekends_and_holidays():
    # Thursday 9 April 2026 + 1: Good Friday, the weekend and Easter Monday are skipped.
    assert add_working_days(D(2026, 4, 9), 1) == D(2026, 4, 14)
    # Thursday 30 April + 1: 1 May is a holiday -> Monday 4 May.
    assert add_working_days(D(2026, 4, 30), 1) == D(2026, 5, 4)
    assert add_working_days(D(2026, 4, 30), 15) == D(2026, 5, 22)
    assert add_working_days(D(2026, 4, 30), 0) == D(2026, 4, 30)
    assert not is_working_day(D(2026, 6, 1))
    assert add_working_days(D(2026, 5, 4), 1, extra=[D(2026, 5, 5)]) == D(2026, 5, 6)
