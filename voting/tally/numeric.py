"""Exact rational arithmetic used wherever a decision depends on a value.

gmpy2's ``mpq`` is used when it is installed (it is much faster); otherwise the
standard library's ``fractions.Fraction``.  Both behave as exact rationals and
compare correctly with ``int`` and ``Fraction``.
"""

from __future__ import annotations

import os
import sys
import types
from fractions import Fraction
from importlib.util import find_spec
from typing import Any


def _gmpy2_version(name: str) -> str:
    """gmpy2's version, from the name of its ``.dist-info`` directory."""
    spec = find_spec(name)
    places = spec.submodule_search_locations if spec is not None else None
    if not places:
        raise LookupError(name)
    site = os.path.dirname(next(iter(places)))
    prefix = f"{name}-"
    found = [
        entry[len(prefix) : -len(".dist-info")]
        for entry in os.listdir(site)
        if entry.lower().startswith(prefix) and entry.endswith(".dist-info")
    ]
    if len(found) != 1:
        raise LookupError(name)
    return found[0]


def _import_gmpy2() -> None:
    """Import gmpy2 (which sets its ``__version__`` with importlib.metadata).

    Importing importlib.metadata and its lookup cost about 40 ms of CPU, a
    third of NumPy's import, on every command: when nothing has imported it
    yet, a stand-in whose ``version`` reads the ``.dist-info`` directory's name
    takes its place while gmpy2 is imported (and only then; the real module is
    imported instead if that fails)."""
    key = "importlib.metadata"
    if key in sys.modules:
        import gmpy2  # noqa: F401

        return
    stand_in = types.ModuleType(key)
    stand_in.version = _gmpy2_version  # type: ignore[attr-defined]
    sys.modules[key] = stand_in
    try:
        import gmpy2  # noqa: F401
    except ImportError:
        raise
    except Exception:  # noqa: BLE001 - the stand-in did not do: the real one
        sys.modules.pop("gmpy2", None)
        sys.modules.pop("gmpy2.gmpy2", None)
        del sys.modules[key]
        import gmpy2  # noqa: F401
    finally:
        if sys.modules.get(key) is stand_in:
            del sys.modules[key]


try:  # pragma: no cover - depends on the environment
    _import_gmpy2()
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
