"""Satisfaction measures: how much a voter gains from a funded project.

* ``cost``: the cost of the project if the ballot lists it (pabutools ``Cost_Sat``);
* ``cardinality``: 1 if the ballot lists it (``Cardinality_Sat``);
* ``points``: the points the ballot gives it (``Additive_Cardinal_Sat``;
  cumulative ballots only).

"Lists" follows the convention in :mod:`voting.tally.model`: any project on an
approval ballot, any project ranked on an ordinal ballot, any project named on
a cumulative ballot (even with 0 points).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt

from .model import Election

Sat = Literal["cost", "cardinality", "points"]
SATS: tuple[Sat, ...] = ("cost", "cardinality", "points")


def check_sat(election: Election, sat: str) -> Sat:
    if sat not in SATS:
        raise ValueError(f"unknown satisfaction measure {sat!r}; expected one of {SATS}")
    if sat == "points" and election.profile.kind != "cumulative":
        raise ValueError("the 'points' satisfaction needs cumulative ballots")
    return sat  # type: ignore[return-value]


@dataclass(frozen=True, eq=False)
class Supporters:
    """Per project, the distinct ballots that support it and their satisfaction.

    ``groups[p]`` are ballot indices, ``weights[p]`` their multiplicities;
    ``unit[p]`` is the satisfaction of every supporter when it is the same for
    all of them (cost, cardinality), else ``points[p]`` holds each supporter's
    points as integers to be divided by ``scale``.
    """

    sat: Sat
    groups: list[npt.NDArray[np.int64]]
    weights: list[npt.NDArray[np.int64]]
    unit: list[Fraction] | None
    points: list[npt.NDArray[np.int64]] | None
    scale: int
    total_sat: list[Fraction]
    voters: list[int]


def supporters(election: Election, sat: Sat) -> Supporters:
    profile = election.profile
    rows = profile.entry_rows()
    cols = profile.indices
    keep: npt.NDArray[np.bool_] | None = None
    if sat == "points":
        if not (profile.points is not None):
            raise RuntimeError("internal invariant violated")
        keep = profile.points > 0
        rows, cols = rows[keep], cols[keep]
    order = np.argsort(cols, kind="stable")
    rows_sorted = rows[order]
    bounds = np.zeros(len(election.projects) + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=len(election.projects)), out=bounds[1:])
    groups = [rows_sorted[bounds[p] : bounds[p + 1]] for p in range(len(election.projects))]
    weights = [profile.counts[g] for g in groups]
    voters = [int(w.sum()) for w in weights]
    if sat == "points":
        if not (profile.points is not None and keep is not None):
            raise RuntimeError("internal invariant violated")
        pts_sorted = profile.points[keep][order]
        points = [pts_sorted[bounds[p] : bounds[p + 1]] for p in range(len(election.projects))]
        total = [
            Fraction(int(np.dot(w, pt)), profile.points_scale)
            for w, pt in zip(weights, points, strict=True)
        ]
        return Supporters(sat, groups, weights, None, points, profile.points_scale, total, voters)
    if sat == "cost":
        unit = [p.cost for p in election.projects]
    else:
        unit = [Fraction(1)] * len(election.projects)
    total = [u * n for u, n in zip(unit, voters, strict=True)]
    return Supporters(sat, groups, weights, unit, None, 1, total, voters)
