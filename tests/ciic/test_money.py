"""ciic.money.money_parse: well-formed Romanian or plain amounts, nothing guessed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ciic.money import money_parse


@pytest.mark.parametrize(
    "text,amount",
    [
        # Romanian: dots between thousands, a comma before the bani
        ("180.000", "180000"),
        ("1.000", "1000"),
        ("1.234.567", "1234567"),
        ("180.000,50", "180000.50"),
        ("180.000,5", "180000.5"),
        ("1.234.567,05", "1234567.05"),
        # Romanian with spaces (also no-break and narrow no-break) between thousands
        ("180 000", "180000"),
        ("1 234 567,50", "1234567.50"),
        ("180\u00a0000,50", "180000.50"),
        ("180\u202f000", "180000"),
        # plain
        ("180000", "180000"),
        ("180000.50", "180000.50"),
        ("180000,50", "180000.50"),
        ("12.34", "12.34"),
        ("1.5", "1.5"),
        ("999", "999"),
        ("0", "0"),
        ("0,50", "0.50"),
        # with the currency and spaces around; a sign is the caller's business
        ("  150.000 lei ", "150000"),
        ("150000 RON", "150000"),
        ("150.000lei", "150000"),
        ("-5", "-5"),
        ("\u22125", "-5"),
    ],
)
def test_well_formed_amounts_are_read(text, amount):
    assert money_parse(text) == Decimal(amount)


@pytest.mark.parametrize(
    "text",
    [
        "0.001",  # was read as 1 leu
        "1.2.3",  # was read as 123
        "1,234",  # three decimals, or English grouping: ambiguous
        "180,000",
        "180,000.50",  # English
        "12,345,678",
        "180.000.50",
        "180.00,50",  # a group of two
        "1.23.456",
        "1234.567",  # a group of four before the dot
        "180.000,505",  # three decimals after the comma
        "180000.505",
        "1.234 567",  # dots and spaces mixed
        "1 000.50",  # space groups with a decimal point
        "1  000",
        "1..000",
        ".5",
        "5.",
        "5,",
        "1.000,",
        "007",
        "00",
        "+5",
        "5-",
        "--5",
        "",
        "   ",
        "lei",
        "abc",
        "o sută",
        "NaN",
        "Infinity",
        "1e5",
        "0x10",
        "\u0661\u0662\u0663",  # Arabic-Indic digits
        "１２３",  # full-width digits
        "150 euro",
    ],
)
def test_malformed_amounts_are_refused_with_an_example(text):
    with pytest.raises(ValidationError) as exc:
        money_parse(text)
    assert exc.value.code == "invalid_amount"
    message = exc.value.messages[0]
    assert "180.000" in message and "180.000,50" in message


@pytest.mark.parametrize(
    "value,amount",
    [(Decimal("250000"), "250000"), (Decimal("250000.50"), "250000.50"), (250000, "250000")],
)
def test_amounts_from_code_are_accepted(value, amount):
    assert money_parse(value) == Decimal(amount)


@pytest.mark.parametrize(
    "value", [Decimal("0.001"), Decimal("NaN"), Decimal("Infinity"), True, 1.5, None]
)
def test_malformed_amounts_from_code_are_refused(value):
    with pytest.raises(ValidationError):
        money_parse(value)


def test_the_message_is_translated():
    from django.utils import translation

    with pytest.raises(ValidationError) as exc:
        money_parse("1.2.3")
    with translation.override("ro"):
        message = exc.value.messages[0]
    assert "180.000,50" in message and "Enter the amount" not in message
