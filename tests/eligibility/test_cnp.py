from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ciic.eligibility.cnp import cnp_check_digit, cnp_hash, cnp_validate
from tests.factories import make_cnp

TODAY = date(2025, 6, 1)


def _with_check(first12: str) -> str:
    return first12 + str(cnp_check_digit(first12))


def _code(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return exc.value.error_list[0].code or ""


def test_known_check_digit_example():
    # Worked by hand: digits 1 8 0 0 1 0 1 2 2 1 1 4 times 2 7 9 1 4 6 3 5 8 2 7 9
    # = 2+56+0+0+4+0+3+10+16+2+7+36 = 136; 136 mod 11 = 4.
    assert cnp_check_digit("180010122114") == 4
    parsed = cnp_validate("1800101221144", today=TODAY)
    assert parsed.birth_date == date(1980, 1, 1)
    assert parsed.sex == "M"
    assert parsed.county == 22


def test_remainder_ten_gives_one():
    # Find a prefix whose weighted sum is 10 mod 11 and check the digit is 1.
    for serial in range(1000):
        first12 = f"190010146{serial:03d}"
        total = sum(
            int(d) * w for d, w in zip(first12, (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9), strict=True)
        )
        if total % 11 == 10:
            assert cnp_check_digit(first12) == 1
            cnp_validate(first12 + "1", today=TODAY)
            return
    pytest.fail("no prefix with remainder 10 found")


@pytest.mark.parametrize(
    ("sex_digit", "born", "sex"),
    [
        (1, date(1985, 3, 14), "M"),
        (2, date(1999, 12, 31), "F"),
        (3, date(1899, 7, 1), "M"),
        (4, date(1800, 1, 1), "F"),
        (5, date(2000, 2, 29), "M"),
        (6, date(2007, 6, 1), "F"),
        (7, date(1975, 10, 10), "M"),  # foreign resident, 19xx (2075 is in the future)
        (8, date(2003, 4, 5), "F"),  # foreign resident, 20xx (most recent past century)
        (9, date(1960, 8, 20), ""),  # foreigner, sex not encoded
    ],
)
def test_valid_cnp_for_every_century_digit(sex_digit, born, sex):
    cnp = make_cnp(born, sex_digit=sex_digit, county=41)
    parsed = cnp_validate(cnp, today=TODAY)
    assert parsed.birth_date == born
    assert parsed.sex == sex
    assert parsed.foreign == (sex_digit >= 7)
    assert cnp_validate(cnp, birth_date=born, today=TODAY).birth_date == born


def test_foreign_digit_century_follows_today():
    cnp = make_cnp(date(2024, 5, 1), sex_digit=7)
    assert cnp_validate(cnp, today=date(2024, 5, 1)).birth_date == date(2024, 5, 1)
    assert cnp_validate(cnp, today=date(2024, 4, 30)).birth_date == date(1924, 5, 1)


@pytest.mark.parametrize("county", [1, 10, 40, 41, 46, 47, 48, 51, 52])
def test_valid_counties(county):
    cnp_validate(make_cnp(date(1990, 1, 1), county=county), today=TODAY)


@pytest.mark.parametrize("county", [0, 49, 50, 53, 99])
def test_bad_county_codes(county):
    with pytest.raises(ValidationError) as exc:
        cnp_validate(make_cnp(date(1990, 1, 1), county=county), today=TODAY)
    assert _code(exc) == "county"


def test_wrong_check_digit():
    good = make_cnp(date(1990, 1, 1))
    bad = good[:12] + str((int(good[12]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        cnp_validate(bad, today=TODAY)
    assert _code(exc) == "checksum"


@pytest.mark.parametrize(
    "yymmdd",
    ["900230", "900431", "010229", "900001", "901301", "900100", "900132", "000000"],
    ids=[
        "30-feb",
        "31-apr",
        "29-feb-2001-nonleap",
        "month-00",
        "month-13",
        "day-00",
        "day-32",
        "zeros",
    ],
)
def test_impossible_dates(yymmdd):
    # sex digit 1 (1900s) or 5 for the 2001 case
    s = "5" if yymmdd == "010229" else "1"
    with pytest.raises(ValidationError) as exc:
        cnp_validate(_with_check(f"{s}{yymmdd}46001"), today=TODAY)
    assert _code(exc) == "date"


def test_29_february_on_leap_year_is_valid():
    assert cnp_validate(_with_check("604022946001"), today=TODAY).birth_date == date(2004, 2, 29)
    assert cnp_validate(make_cnp(date(1996, 2, 29)), today=TODAY).birth_date == date(1996, 2, 29)


def test_1900_is_not_leap():
    with pytest.raises(ValidationError) as exc:
        cnp_validate(_with_check("100022946001"), today=TODAY)
    assert _code(exc) == "date"


def test_future_birth_date():
    with pytest.raises(ValidationError) as exc:
        cnp_validate(make_cnp(date(2030, 1, 1)), today=TODAY)
    assert _code(exc) == "future"


def test_mismatch_with_stated_birth_date():
    cnp = make_cnp(date(1990, 1, 2))
    with pytest.raises(ValidationError) as exc:
        cnp_validate(cnp, birth_date=date(1990, 2, 1), today=TODAY)
    assert _code(exc) == "birth_date_mismatch"


@pytest.mark.parametrize(
    "value", ["19001014600a1", "1900101-46001", "１９００１０１４６００１２", "ABCDEFGHIJKLM"]
)
def test_non_digits(value):
    with pytest.raises(ValidationError) as exc:
        cnp_validate(value, today=TODAY)
    assert _code(exc) == "format"


@pytest.mark.parametrize("value", ["190010146001", "19001014600123", "1"])
def test_wrong_length(value):
    with pytest.raises(ValidationError) as exc:
        cnp_validate(value, today=TODAY)
    assert _code(exc) == "length"


def test_sex_digit_zero():
    with pytest.raises(ValidationError) as exc:
        cnp_validate(_with_check("090010146001"), today=TODAY)
    assert _code(exc) == "sex_digit"


def test_empty():
    with pytest.raises(ValidationError) as exc:
        cnp_validate("   ", today=TODAY)
    assert _code(exc) == "required"


def test_whitespace_is_ignored_and_hash_is_stable():
    cnp = make_cnp(date(1990, 1, 1))
    spaced = f"  {cnp[0]} {cnp[1:7]} {cnp[7:9]} {cnp[9:]}\n"
    assert cnp_validate(spaced, today=TODAY).birth_date == date(1990, 1, 1)
    assert cnp_hash(spaced) == cnp_hash(cnp)


def test_error_messages_never_contain_the_cnp():
    cnp = make_cnp(date(1990, 1, 2))
    for value, kwargs in [
        (cnp[:12] + str((int(cnp[12]) + 1) % 10), {}),
        (cnp, {"birth_date": date(1991, 1, 1)}),
    ]:
        with pytest.raises(ValidationError) as exc:
            cnp_validate(value, today=TODAY, **kwargs)
        assert value not in " ".join(exc.value.messages)
        assert value not in repr(exc.value)


def test_hash_is_keyed(settings):
    cnp = make_cnp(date(1990, 1, 1))
    first = cnp_hash(cnp)
    assert len(first) == 64 and cnp not in first
    settings.CNP_HASH_KEY = "another-key"
    assert cnp_hash(cnp) != first


def test_parsed_repr_does_not_leak():
    cnp = make_cnp(date(1990, 1, 1))
    assert cnp not in repr(cnp_validate(cnp, today=TODAY))
