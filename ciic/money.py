"""Amounts of money typed by people, read strictly: one parser for every form
and service that takes a cost (proposals now; assessment and voting later).

Accepted, in lei with at most two decimals (bani):

- Romanian: thousands grouped by dots (or by spaces) and a decimal comma:
  "180.000", "1.234.567", "180.000,50", "180 000,50";
- plain: digits with an optional decimal point or comma: "180000",
  "180000.50", "180000,50".

An optional "lei" or "RON" after the number and a leading minus are allowed
(whether a negative amount makes sense is for the caller to say). Anything
else is refused, never guessed: "0.001" is not 1 leu, "1.2.3" is not 123,
"1,234" (three decimals, or English grouping?) is ambiguous. A dot followed
by exactly three digits is always a thousands separator ("180.000" is one
hundred and eighty thousand)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

AMOUNT_EXAMPLE = "180.000"
AMOUNT_EXAMPLE_BANI = "180.000,50"

# ASCII digits only (\d would also take Arabic-Indic and other digits).
_GROUPED = re.compile(
    r"(?P<int>[1-9][0-9]{0,2}(?P<sep>[. ])[0-9]{3}(?:(?P=sep)[0-9]{3})*)(?:,(?P<frac>[0-9]{1,2}))?"
)
_PLAIN = re.compile(r"(?P<int>0|[1-9][0-9]*)(?:[.,](?P<frac>[0-9]{1,2}))?")
_CURRENCY = re.compile(r"\s*(?:lei|ron)$", re.IGNORECASE)
_SPACES = re.compile(r"[\u00a0\u202f\u2009]")  # no-break, narrow no-break and thin spaces


def _invalid() -> ValidationError:
    return ValidationError(
        _(
            "Enter the amount as a number of lei, e.g. %(example)s or %(example_bani)s "
            "(a dot between thousands, a comma before the bani)."
        ),
        code="invalid_amount",
        params={"example": AMOUNT_EXAMPLE, "example_bani": AMOUNT_EXAMPLE_BANI},
    )


def money_parse(value: str | Decimal | int) -> Decimal:
    """The amount in lei, or ValidationError(code="invalid_amount") with an example.

    A Decimal or int (from code, not from a person) is accepted when finite and
    with at most two decimals."""
    if isinstance(value, bool):
        raise _invalid()
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise _invalid()
        return value
    if not isinstance(value, str):
        raise _invalid()
    text = _CURRENCY.sub("", _SPACES.sub(" ", value).strip()).strip()
    sign = ""
    if text[:1] in ("-", "\u2212"):
        sign, text = "-", text[1:].lstrip()
    match = _GROUPED.fullmatch(text) or _PLAIN.fullmatch(text)
    if match is None:
        raise _invalid()
    whole = re.sub(r"[. ]", "", match["int"])
    fraction = match["frac"] or ""
    try:
        return Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
    except InvalidOperation:  # pragma: no cover - the patterns admit digits only
        raise _invalid() from None
