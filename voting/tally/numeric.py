"""Exact rational arithmetic used wherever a decision depends on a value.

gmpy2's ``mpq`` is used when it is installed (it is much faster); otherwise the
standard library's ``fractions.Fraction``.  Both behave as exact rationals and
compare correctly with ``int`` and ``Fraction``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

try:  # pragma: no cover - depends on the environment
    from gmpy2 import mpq as _mpq

    HAVE_GMPY2 = True
except ImportError:  # pragma: no cover
    _mpq = None
    HAVE_GMPY2 = False

# ``Rational`` is the static type used in annotations: at run time values may be
# gmpy2.mpq or Fraction, both of which support the same arithmetic.
Rational = Any


def q(numerator: Any, denominator: Any = 1) -> Rational:
    """Return the exact rational numerator/denominator."""
    if _mpq is not None:
        if isinstance(numerator, Fraction):
            numerator = _mpq(numerator.numerator, numerator.denominator)
        if isinstance(denominator, Fraction):
            denominator = _mpq(denominator.numerator, denominator.denominator)
        return _mpq(numerator, denominator) if denominator != 1 else _mpq(numerator)
    return Fraction(numerator) / Fraction(denominator)


def to_fraction(value: Any) -> Fraction:
    """Convert an exact rational (mpq, Fraction or int) to a ``Fraction``."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(int(value.numerator), int(value.denominator))


def format_number(value: Any) -> str:
    """Format an exact number: an integer as such, otherwise a short decimal."""
    frac = to_fraction(value)
    if frac.denominator == 1:
        return str(frac.numerator)
    return f"{float(frac):.2f}"
