"""The optional compiled kernel of the float batches (``_kernel.c``), through ctypes.

``make install`` builds ``_kernel_lib.so`` next to its source with the machine's C
compiler, stamped with the SHA-256 of the source it was built from; :func:`kernel`
loads it only when that stamp is the source's now (a library built from another
version is never used), and gives None otherwise, without a compiler, or with
``TALLY_KERNEL=0`` in the environment: the engine then computes the same decisions
with NumPy alone (:meth:`voting.tally.mes._FloatBatch._price_uniform`).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from typing import Any

import numpy as np

_DIR = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(_DIR, "_kernel.c")
LIBRARY = os.path.join(_DIR, "_kernel_lib.so")

# rows of :func:`Kernel.price_uniform`'s results (as the enum in _kernel.c)
GONE, OK, PRICE, REL, ROUNDING, NUM, SAT_LEFT, CLOSE, SPILL = range(9)
FIELDS = 9

_loaded: list[Kernel | None] = []


def source_sha256() -> str:
    with open(SOURCE, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Kernel:
    """The library's two functions, taking NumPy arrays (C-contiguous, of the
    dtypes given: the callers make them so)."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        i64, f64, ptr = ctypes.c_int64, ctypes.c_double, ctypes.c_void_p
        self._price = lib.price_uniform
        self._price.restype = None
        self._price.argtypes = [ptr, i64, ptr, ptr, i64, ptr, i64, ptr, ptr, ptr, ptr]
        self._price.argtypes += [f64, f64, f64, f64, f64, ptr]
        self._buy = lib.buy_uniform
        self._buy.restype = None
        self._buy.argtypes = [ptr, i64, ptr, i64, ptr, i64, ptr]

    def __deepcopy__(self, memo: dict[int, Any]) -> Kernel:
        return self  # (the library's functions: nothing to copy)

    def price_uniform(
        self,
        batch: tuple[int, int, int, int, int],
        g: int,
        w: int,
        n: int,
        cols: np.ndarray[Any, np.dtype[np.int64]],
        price0: np.ndarray[Any, np.dtype[np.float64]],
        c: float,
        total: float,
        gamma: float,
        cut: float,
        keep: float,
    ) -> tuple[np.ndarray[Any, np.dtype[np.float64]], np.ndarray[Any, np.dtype[np.float64]]]:
        """One project's price at the shares ``cols`` (see ``price_uniform`` in
        _kernel.c): ``batch`` is :func:`batch_args` of the batch's arrays, ``g``
        and ``w`` the addresses of the supporters' arrays (:func:`address`, ``n``
        of them).  Its results (FIELDS x shares) and the supporters' money there
        (shares x supporters)."""
        m = len(cols)
        out = np.empty(FIELDS * m + m * n)
        budget, k, err, spread, base = batch
        self._price(
            budget, k, g, w, n, cols.ctypes.data, m, err, spread, base, price0.ctypes.data,
            c, total, gamma, cut, keep, out.ctypes.data,
        )  # fmt: skip
        return out[: FIELDS * m].reshape(FIELDS, m), out[FIELDS * m :].reshape(m, n)

    def buy_uniform(
        self,
        batch: tuple[int, int, int, int, int],
        g: int,
        n: int,
        cols: np.ndarray[Any, np.dtype[np.int64]],
        price: np.ndarray[Any, np.dtype[np.float64]],
    ) -> None:
        """The ``n`` supporters at ``g`` (:func:`address`) at each share ``cols``
        pay ``price`` there, or all they have (in place in the batch's budgets)."""
        budget, k = batch[0], batch[1]
        self._buy(budget, k, g, n, cols.ctypes.data, len(cols), price.ctypes.data)


def address(a: np.ndarray[Any, Any]) -> int:
    """The address of an array's data (C-contiguous, of the dtype a function takes)."""
    return a.ctypes.data  # type: ignore[no-any-return]


def batch_args(
    budget: np.ndarray[Any, np.dtype[np.float64]],
    err: np.ndarray[Any, np.dtype[np.float64]],
    spread: np.ndarray[Any, np.dtype[np.float64]],
    base: np.ndarray[Any, np.dtype[np.float64]],
) -> tuple[int, int, int, int, int]:
    """A float batch's arrays as the kernel takes them (C-contiguous float64): its
    budgets (ballots x shares), their number of shares, and per share the error
    bounds and a share's own error."""
    return (
        budget.ctypes.data,
        budget.shape[1],
        err.ctypes.data,
        spread.ctypes.data,
        base.ctypes.data,
    )


def kernel() -> Kernel | None:
    """The compiled kernel, or None (see the module's docstring); loaded once."""
    if not _loaded:
        _loaded.append(_load())
    return _loaded[0]


def _load() -> Kernel | None:
    if os.environ.get("TALLY_KERNEL", "1") == "0" or not os.path.exists(LIBRARY):
        return None
    try:
        lib = ctypes.CDLL(LIBRARY)
        stamp = ctypes.c_char_p.in_dll(lib, "kernel_source_sha256").value
    except (OSError, ValueError):
        return None
    try:
        source = source_sha256()
    except OSError:
        return None  # (no source to check the library against)
    if stamp is None or stamp.decode("ascii", "replace") != source:
        return None  # built from another version of the source
    return Kernel(lib)
