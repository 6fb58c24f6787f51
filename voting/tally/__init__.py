"""Tally engine for participatory budgeting: pure Python + NumPy, no Django.

Typical use::

    from voting.tally import read_pabulib, tally

    election = read_pabulib("Poland_Swiecie_2023.pb")
    outcome = tally(election, rule="mes", sat="cost", completion="add1")
    outcome.selected_ids

See ``voting/tally/README.md`` for the rules, the tie-breaking convention and the
ballot conventions.
"""

import os
import sys

if sys.argv[:1] == ["-m"] and "numpy" not in sys.modules:
    # ``python -m voting.tally`` (``sys.argv[0]`` is "-m" while the module is being
    # located, so only then): BLAS single-threaded, unless the caller says otherwise.
    # The engine's matrix-vector products are small; threads woken for them only
    # spin (on a busy machine, they made a float batch of one share 3x slower and
    # added their spinning to the command's CPU time).
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

from .greedy import GreedyOptions, GreedyStep, greedy  # noqa: E402
from .mes import MesEngine, MesRun, Payment, Purchase, mes, mes_add1, mes_add1_stepwise  # noqa: E402
from .model import Election, Profile, ProfileBuilder, Project, VoterRecords  # noqa: E402
from .pabulib import PabulibError, dumps_pabulib, parse_pabulib_text, read_pabulib, write_pabulib  # noqa: E402
from .rules import COMPLETIONS, META_RULES, RULES, Outcome, official_selection, tally, tally_meta  # noqa: E402
from .satisfaction import SATS  # noqa: E402

__all__ = [
    "COMPLETIONS",
    "META_RULES",
    "RULES",
    "SATS",
    "Election",
    "GreedyOptions",
    "GreedyStep",
    "MesEngine",
    "MesRun",
    "Outcome",
    "PabulibError",
    "Payment",
    "Profile",
    "ProfileBuilder",
    "Project",
    "Purchase",
    "VoterRecords",
    "dumps_pabulib",
    "greedy",
    "mes",
    "mes_add1",
    "mes_add1_stepwise",
    "official_selection",
    "parse_pabulib_text",
    "read_pabulib",
    "tally",
    "tally_meta",
    "write_pabulib",
]
