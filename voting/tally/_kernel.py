"""The optional compiled kernel of the float prices (``_kernel.c``), a CPython
extension module.

``make install`` builds ``_kernel_lib<EXT_SUFFIX>`` next to its source with the
machine's C compiler and Python's headers, stamped with the SHA-256 of the source it
was built from; :func:`kernel` loads it only when that stamp is the source's now (a
library built from another version is never used), and gives None otherwise,
without a compiler, or with ``TALLY_KERNEL=0`` in the environment: the engine then
computes the same decisions with NumPy alone.

Its functions take NumPy arrays (C-contiguous, of the dtypes their callers in
``mes.py`` give: float64 money, int64 positions), each checked to hold what is read
or written:

* ``price_uniform(budget, k, g, w, cols, err, spread, base, price0, c, total, gamma,
  cut, keep, out)``: :meth:`voting.tally.mes._FloatBatch._price_uniform`, results
  in ``out`` (FIELDS rows of one per share, then shares x supporters: the money);
* ``buy_uniform(budget, k, g, cols, price)``: a purchase at those shares (with one
  share, ``k`` 1: a replay's purchase at a known price, :meth:`voting.tally.mes._Replay._made`);
* ``eval_price(budget, g, w, c, total, err, start, first_look, near, cut_from, cut,
  keep, rel_floor, rel_factor, b, at, slope)``: :meth:`voting.tally.mes._RunState.eval_float`,
  the supporters' money into ``b``, the positions of those who pay all they have into
  ``at``; returns (outcome, price per voter, relative error, money, paid by those
  short, their weight, how many they are, how many the fixed point's first look
  counted, whether that look gave the answer, and, with ``slope`` (each ballot's
  d(money)/d(share), or None), the sum of weight x slope of those short: the slope
  of the price, :meth:`voting.tally.mes._RunState.price_slope`);
* ``buy(budget, empty, g, w, price, tol, unit, slope, cls, room)``:
  :meth:`voting.tally.mes._RunState.buy` (not recorded) in one pass over the supporters
  when floats tell who pays all it has (returns how many were spent, their ballots in
  ``room``), else ``-1 -`` how many are unsure (their positions in ``room``, every
  supporter's class in ``cls``, nothing changed); once those are decided exactly,
  ``buy_apply(budget, empty, g, w, cls, price, unit, slope, drained)`` makes the purchase;
* ``exact_classify(budget, empty, g, w, low, high, tol, poor, unsure)``: for
  :meth:`voting.tally.mes._RunState.eval_exact`, who surely pays all it has, who
  surely pays the price, and who is to be decided exactly;
* ``compact(empty, g, w, w_f, out_g, out_w, out_wf)``: for
  :meth:`voting.tally.mes._RunState.live`, the supporters with money left (returns how
  many and their weight);
* ``member_counts(member, counts, groups, cols, out)``: for
  :meth:`voting.tally.mes._RunState.exact_sum`, how many voters of those ballots
  support each project bought (exact integers in doubles);
* ``member_bits(bits, counts, groups, cols, out)``: the same counts from one 64-bit
  mask per ballot (:attr:`voting.tally.mes.MesEngine.member_bits`), for columns below 64;
* ``rates_round(g, wt, unit, poor_y, poor_x, counts, sigma, dead_x, dead_y)``: one
  round of :meth:`voting.tally.mes._Rates.upto`.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
from typing import Any

_DIR = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(_DIR, "_kernel.c")
LIBRARY = os.path.join(_DIR, "_kernel_lib" + importlib.machinery.EXTENSION_SUFFIXES[0])

# rows of ``price_uniform``'s results (as the enum in _kernel.c)
GONE, OK, PRICE, REL, ROUNDING, NUM, SAT_LEFT, CLOSE, SPILL = range(9)
FIELDS = 9
# outcomes of ``eval_price`` (as the enum in _kernel.c)
E_SHORT, E_ALL_PAY, E_CLOSE, E_PRICED, E_AFFORDABLE = range(5)

_loaded: list[Kernel | None] = []


class Kernel:
    """The module's functions (an object holding them is copied with the same ones)."""

    def __init__(self, module: Any) -> None:
        self.price_uniform = module.price_uniform
        self.buy_uniform = module.buy_uniform
        self.eval_price = module.eval_price
        self.buy = module.buy
        self.buy_apply = module.buy_apply
        self.exact_classify = module.exact_classify
        self.compact = module.compact
        self.member_counts = module.member_counts
        self.member_bits = module.member_bits
        self.rates_round = module.rates_round

    def __deepcopy__(self, memo: dict[int, Any]) -> Kernel:
        return self


def source_sha256() -> str:
    with open(SOURCE, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def kernel() -> Kernel | None:
    """The compiled kernel, or None (see the module's docstring); loaded once."""
    if not _loaded:
        _loaded.append(_load())
    return _loaded[0]


def _load() -> Kernel | None:
    if os.environ.get("TALLY_KERNEL", "1") == "0" or not os.path.exists(LIBRARY):
        return None
    try:
        source = source_sha256()
        spec = importlib.util.spec_from_file_location("voting.tally._kernel_lib", LIBRARY)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except (OSError, ImportError):
        return None
    if getattr(module, "SOURCE_SHA256", None) != source:
        return None  # built from another version of the source
    return Kernel(module)
