"""The Romanian personal numeric code (CNP): validation and keyed hashing.

Pure functions, no database. A CNP is personal data: never log it, never put
it in an exception message, an audit event or a page. The only thing the
platform keeps is `cnp_hash(cnp)`, an HMAC-SHA256 keyed with
`settings.CNP_HASH_KEY`, so a leaked database alone does not reveal CNPs (a
plain SHA-256 of a 13-digit code with a known structure is trivially
reversible by enumeration; the key prevents that).

Layout: S YY MM DD JJ NNN C

- S: sex and century. 1/2 = 1900-1999, 3/4 = 1800-1899, 5/6 = 2000-2099;
  7/8 = foreign residents, 9 = foreigners: the code does not say the century,
  so we use the "most recent past century" convention: 20YY when that date is
  not after `today`, otherwise 19YY.
- JJ: county of registration: 01-46 (40 = Bucharest, 41-46 = sectors 1-6),
  47/48 (the former Bucharest sectors 7 and 8, on old cards), 51 Calarasi,
  52 Giurgiu. 49 and 50 were never allocated and are refused.
- C: check digit: the first 12 digits times 2,7,9,1,4,6,3,5,8,2,7,9, summed,
  mod 11; a remainder of 10 gives 1.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHECK_WEIGHTS = (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)
VALID_COUNTIES = frozenset(range(1, 49)) | {51, 52}
CENTURY_BY_DIGIT = {1: 1900, 2: 1900, 3: 1800, 4: 1800, 5: 2000, 6: 2000}
FOREIGN_DIGITS = frozenset({7, 8, 9})


@dataclass(frozen=True)
class ParsedCNP:
    """What a valid CNP tells us. Deliberately no `__str__` showing the code."""

    birth_date: date
    sex: str  # "M", "F" or "" (9: foreigners, sex not encoded)
    county: int
    foreign: bool

    def __repr__(self) -> str:  # never leak the raw code through a repr
        return f"ParsedCNP(birth_date={self.birth_date!r}, county={self.county})"


def cnp_normalize(value: str) -> str:
    """Strip surrounding whitespace and inner spaces a person may type (e.g.
    "1 900101 40 0012"). Any other character is kept, so validation refuses it."""
    return "".join(str(value).split())


def cnp_check_digit(first12: str) -> int:
    remainder = sum(int(d) * w for d, w in zip(first12, CHECK_WEIGHTS, strict=True)) % 11
    return 1 if remainder == 10 else remainder


def _century(s: int, yy: int, mm: int, dd: int, today: date) -> int:
    if s in CENTURY_BY_DIGIT:
        return CENTURY_BY_DIGIT[s]
    # 7, 8, 9: most recent century that does not put the birth in the future.
    try:
        candidate = date(2000 + yy, mm, dd)
    except ValueError:
        # 29 February of a year that is not leap in the 2000s is not leap in
        # the 1900s either (2000 is the only century year, and it is leap).
        return 2000
    return 2000 if candidate <= today else 1900


def cnp_validate(
    value: str, *, birth_date: date | None = None, today: date | None = None
) -> ParsedCNP:
    """Validate a CNP fully and return what it encodes.

    Raises `ValidationError` with one specific, translated message and a code
    (`format`, `sex_digit`, `date`, `future`, `county`, `checksum`,
    `birth_date_mismatch`). `birth_date`, when given, must equal the encoded
    date of birth. Messages never contain the code itself."""
    cnp = cnp_normalize(value)
    if not cnp:
        raise ValidationError(_("Enter the personal numeric code (CNP)."), code="required")
    if not cnp.isascii() or not cnp.isdigit():
        raise ValidationError(_("The CNP may contain digits only."), code="format")
    if len(cnp) != 13:
        raise ValidationError(
            _("The CNP has exactly 13 digits; you entered %(count)d.") % {"count": len(cnp)},
            code="length",
        )
    s = int(cnp[0])
    if s == 0:
        raise ValidationError(
            _("The first digit of the CNP (sex and century) cannot be 0."), code="sex_digit"
        )
    today = today or timezone.localdate()
    yy, mm, dd = int(cnp[1:3]), int(cnp[3:5]), int(cnp[5:7])
    try:
        born = date(_century(s, yy, mm, dd, today) + yy, mm, dd)
    except ValueError:
        raise ValidationError(
            _("The CNP does not contain a real date of birth."), code="date"
        ) from None
    if born > today:
        raise ValidationError(_("The CNP gives a date of birth in the future."), code="future")
    county = int(cnp[7:9])
    if county not in VALID_COUNTIES:
        raise ValidationError(
            _("The CNP contains an unknown county code (digits 8 and 9)."), code="county"
        )
    if cnp_check_digit(cnp[:12]) != int(cnp[12]):
        raise ValidationError(
            _("This CNP is not valid: its check digit does not match. Please check every digit."),
            code="checksum",
        )
    if birth_date is not None and birth_date != born:
        raise ValidationError(
            _(
                "The date of birth in the CNP does not match the date of birth given in the profile."
            ),
            code="birth_date_mismatch",
        )
    sex = "" if s == 9 else ("M" if s % 2 else "F")
    return ParsedCNP(birth_date=born, sex=sex, county=county, foreign=s in FOREIGN_DIGITS)


def cnp_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a normalised CNP. Validate first."""
    key = settings.CNP_HASH_KEY
    if not key:
        raise RuntimeError("settings.CNP_HASH_KEY is empty")
    return hmac.new(
        key.encode("utf-8"), cnp_normalize(value).encode("ascii"), hashlib.sha256
    ).hexdigest()
