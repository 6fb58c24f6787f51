"""Numbers and amounts of money in the active language: "180.000 lei" in
Romanian, "180,000 lei" in English (ciic/formats/). Whole amounts are written
without decimals, others with two (bani).

Template filters (built into every template, settings.TEMPLATES "builtins"):
`{{ call.total_budget|lei }}` -> "10.000.000 lei"; `{{ value|amount }}` -> "10.000.000".
In Python: `money_format(value)` and `amount_format(value)`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()

NBSP = "\u00a0"


def amount_format(value: object) -> str:
    """1234567.5 -> "1.234.567,50" (ro) / "1,234,567.50" (en); 250000 -> "250.000";
    empty for None or "" (and the value itself for what is not a number)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = 0 if number == number.to_integral_value() else 2
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def money_format(value: object) -> str:
    """`amount_format` followed by "lei" (joined by a no-break space)."""
    text = amount_format(value)
    return f"{text}{NBSP}lei" if text else ""


register.filter("amount", amount_format)
register.filter("lei", money_format)
