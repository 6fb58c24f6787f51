"""Dates and numbers in the active language (ciic/formats, ciic.formatting)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from ciic.formatting import NBSP, amount_format, money_format

DAY = dt.date(2026, 11, 29)
MOMENT = dt.datetime(2026, 11, 29, 18, 5)


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("ro", "29 noiembrie 2026", "29 noiembrie 2026, 18:05"),
        ("en", "29 November 2026", "29 November 2026, 18:05"),
    ],
)
def test_dates_read_with_the_year_and_lowercase_romanian_months(language, date, moment):
    with translation.override(language):
        assert date_format(DAY) == date
        assert date_format(MOMENT, "DATETIME_FORMAT") == moment
        html = Template('{{ d }}|{{ d|date:"DATE_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}').render(
            Context({"d": DAY, "m": MOMENT})
        )
        assert html == f"{date}|{date}|{moment}"


def test_every_romanian_month_is_lowercase():
    with translation.override("ro"):
        names = [date_format(dt.date(2026, month, 1)).split()[1] for month in range(1, 13)]
        weekdays = [date_format(dt.date(2026, 11, 23 + i), "l") for i in range(7)]
    assert names == [
        "ianuarie",
        "februarie",
        "martie",
        "aprilie",
        "mai",
        "iunie",
        "iulie",
        "august",
        "septembrie",
        "octombrie",
        "noiembrie",
        "decembrie",
    ]
    assert weekdays == ["luni", "marți", "miercuri", "joi", "vineri", "sâmbătă", "duminică"]


@pytest.mark.parametrize(
    ("language", "whole", "with_bani"),
    [("ro", "10.000.000", "1.234.567,50"), ("en", "10,000,000", "1,234,567.50")],
)
def test_amounts_follow_the_active_language(language, whole, with_bani):
    with translation.override(language):
        assert amount_format(Decimal("10000000.00")) == whole
        assert amount_format(Decimal("1234567.5")) == with_bani
        assert money_format(10000000) == f"{whole}{NBSP}lei"
        html = Template("{% load proposals_tags %}{{ a|lei }} {{ a|amount }} {{ b|ron }}").render(
            Context({"a": Decimal("10000000"), "b": Decimal("1234567.50")})
        )
        assert html == f"{whole}{NBSP}lei {whole} {with_bani}"
        assert amount_format(None) == "" and money_format("") == ""


def test_templates_do_not_format_dates_by_hand():
    """Month abbreviations ("M") lose the year and get capitals in Romanian;
    templates use the named formats of ciic/formats."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.*")
        if re.search(r'date:"[^"]*\bM\b', path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
