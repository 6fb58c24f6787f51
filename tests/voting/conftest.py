"""Fixtures of the voting tests (the helpers live in voting_support.py)."""

from voting_support import setup, voting_day  # noqa: F401
