"""Tally engine for participatory budgeting: pure Python + NumPy, no Django.

Typical use::

    from voting.tally import read_pabulib, tally

    election = read_pabulib("Poland_Swiecie_2023.pb")
    outcome = tally(election, rule="mes", sat="cost", completion="add1")
    outcome.selected_ids

See ``voting/tally/README.md`` for the rules, the tie-breaking convention and the
ballot conventions.
"""

from .greedy import GreedyOptions, GreedyStep, greedy
from .mes import MesEngine, MesRun, Payment, Purchase, mes, mes_add1, mes_add1_stepwise
from .model import Election, Profile, ProfileBuilder, Project, VoterRecords
from .pabulib import PabulibError, dumps_pabulib, parse_pabulib_text, read_pabulib, write_pabulib
from .rules import COMPLETIONS, META_RULES, RULES, Outcome, official_selection, tally, tally_meta
from .satisfaction import SATS

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
