"""Helpers shared by the tally engine tests (no Django)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "pabulib"

SAT_NAMES = {
    "Cost_Sat": "cost",
    "Cardinality_Sat": "cardinality",
    "Additive_Cardinal_Sat": "points",
}
RULE_NAMES = {
    "greedy_utilitarian": ("greedy", "none"),
    "mes": ("mes", "none"),
    "mes_on_multiprofile": ("mes", "none"),
    "mes_add1": ("mes", "add1"),
    "mes_add1_extended_cap": ("mes", "add1"),
    "mes_add1_greedy": ("mes", "add1-greedy"),
    "mes_add1_greedy_extended_cap": ("mes", "add1-greedy"),
    "mes_add1_no_exhaustive_stop": ("mes", "add1-nostop"),
}


def require_shared() -> Path:
    if not (SHARED / "reference_outcomes.json").is_file():
        pytest.skip(
            f"shared Pabulib folder not found at {SHARED.resolve()} (expected <repo>/../shared)"
        )
    return SHARED


@cache
def reference() -> dict[str, Any]:
    path = SHARED / "reference_outcomes.json"
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["instances"]
    return data


def pb_files() -> list[str]:
    return sorted(reference())


def project_ids(n: int) -> st.SearchStrategy[list[str]]:
    """n distinct ids whose string order differs from their numeric order (tie-breaking)."""
    return st.lists(
        st.sampled_from(["1", "2", "3", "10", "11", "20", "a", "b", "B"]),
        min_size=n,
        max_size=n,
        unique=True,
    )
