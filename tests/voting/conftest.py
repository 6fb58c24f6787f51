"""Fixtures of the voting tests (the helpers live in voting_support.py)."""

import pytest
from voting_support import setup, voting_day  # noqa: F401


@pytest.fixture(autouse=True)
def _tally_cache(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """``python -m voting.tally`` keeps parsed files in a cache: a test's own, not the user's."""
    monkeypatch.setenv("TALLY_CACHE_DIR", str(tmp_path / "tally-cache"))
