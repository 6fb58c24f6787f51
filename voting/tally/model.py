"""Data model of the tally engine: projects, a budget and a profile of ballots.

The profile is stored as *distinct* ballots with a multiplicity (a weighted
multiprofile) in compressed sparse row form, so that a million ballots take a
few megabytes and every rule runs over distinct ballots only.

Ballot kinds:

* ``approval``: a set of projects (Pabulib ``approval`` and ``choose-1``);
* ``cumulative``: points per project (Pabulib ``cumulative`` and ``scoring``);
* ``ordinal``: a ranking, best first.

Approval-based satisfaction measures (cost, cardinality) only ask whether a
project appears on a ballot.  Convention for the other kinds, the same as
pabutools': a cumulative ballot approves every project it lists (even with 0
points) and an ordinal ballot approves every project it ranks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from math import lcm
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

BallotKind = Literal["approval", "cumulative", "ordinal"]
BALLOT_KINDS: tuple[BallotKind, ...] = ("approval", "cumulative", "ordinal")

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Project:
    """A project on the ballot. ``id`` is the identifier used everywhere (a string)."""

    id: str
    cost: Fraction
    name: str = ""

    def __post_init__(self) -> None:
        if self.cost < 0:
            raise ValueError(f"project {self.id!r} has a negative cost")


@dataclass(frozen=True, eq=False)
class Profile:
    """Distinct ballots with their multiplicities, in CSR form.

    Ballot ``i`` lists the project indices ``indices[indptr[i]:indptr[i + 1]]``
    (sorted for approval and cumulative ballots, best first for ordinal ones),
    with ``points[...]`` on the same positions for cumulative ballots, as
    integers to be divided by ``points_scale``.  ``counts[i]`` is the number of
    voters who cast exactly that ballot.  Empty ballots are kept: they count as
    voters (each voter gets a share of the budget under MES).
    """

    kind: BallotKind
    num_projects: int
    indptr: IntArray
    indices: IntArray
    counts: IntArray
    points: IntArray | None = None
    points_scale: int = 1

    def __post_init__(self) -> None:
        if self.kind not in BALLOT_KINDS:
            raise ValueError(f"unknown ballot kind {self.kind!r}")
        if (self.points is None) != (self.kind != "cumulative"):
            raise ValueError("points are required for cumulative ballots and only for them")
        if len(self.indptr) != len(self.counts) + 1:
            raise ValueError("indptr and counts do not match")

    @property
    def num_voters(self) -> int:
        return int(self.counts.sum())

    @property
    def num_distinct(self) -> int:
        return len(self.counts)

    def ballot(self, i: int) -> tuple[int, ...]:
        return tuple(int(x) for x in self.indices[self.indptr[i] : self.indptr[i + 1]])

    def ballot_points(self, i: int) -> tuple[Fraction, ...]:
        if self.points is None:
            raise ValueError("not a cumulative profile")
        pts = self.points[self.indptr[i] : self.indptr[i + 1]]
        return tuple(Fraction(int(x), self.points_scale) for x in pts)

    def entry_rows(self) -> IntArray:
        """Ballot index of each entry of ``indices``."""
        lengths = np.diff(self.indptr)
        return np.repeat(np.arange(self.num_distinct, dtype=np.int64), lengths)

    def approval_counts(self) -> IntArray:
        """Number of voters whose ballot lists each project."""
        weights = self.counts[self.entry_rows()]
        return np.bincount(self.indices, weights=weights, minlength=self.num_projects).astype(
            np.int64
        )

    def point_totals(self) -> list[Fraction]:
        """Total points per project (cumulative ballots)."""
        if self.points is None:
            raise ValueError("not a cumulative profile")
        weights = self.counts[self.entry_rows()]
        totals = [0] * self.num_projects
        for idx, pts, w in zip(
            self.indices.tolist(), self.points.tolist(), weights.tolist(), strict=True
        ):
            totals[idx] += pts * w
        return [Fraction(t, self.points_scale) for t in totals]

    @classmethod
    def from_ballots(
        cls,
        kind: BallotKind,
        num_projects: int,
        ballots: Iterable[Sequence[int] | Mapping[int, Fraction | int]],
    ) -> Profile:
        """Build a profile from one ballot per voter.

        An approval or ordinal ballot is a sequence of project indices (a
        repeated project keeps its first position); a cumulative ballot is a
        mapping from project index to points.
        """
        builder = ProfileBuilder(kind, num_projects)
        for ballot in ballots:
            builder.add(ballot)
        return builder.build()

    @classmethod
    def from_approval_matrix(cls, matrix: npt.NDArray[np.bool_]) -> Profile:
        """Build an approval profile from a voters x projects boolean matrix.

        Identical rows are collapsed with NumPy (packed bits), which keeps the
        memory low for millions of ballots.
        """
        n, m = matrix.shape
        packed = np.packbits(matrix, axis=1)
        row_view = np.ascontiguousarray(packed).view(
            np.dtype((np.void, packed.dtype.itemsize * packed.shape[1]))
        )
        _, first, inverse = np.unique(row_view.ravel(), return_index=True, return_inverse=True)
        counts = np.bincount(inverse.ravel(), minlength=len(first)).astype(np.int64)
        distinct = matrix[first]
        rows, cols = np.nonzero(distinct)
        indptr = np.zeros(len(first) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(first)), out=indptr[1:])
        del n
        return cls("approval", m, indptr, cols.astype(np.int64), counts)


class ProfileBuilder:
    """Incremental construction of a :class:`Profile` with deduplication."""

    def __init__(self, kind: BallotKind, num_projects: int) -> None:
        if kind not in BALLOT_KINDS:
            raise ValueError(f"unknown ballot kind {kind!r}")
        self.kind: BallotKind = kind
        self.num_projects = num_projects
        self._index: dict[tuple[object, ...], int] = {}
        self._keys: list[tuple[object, ...]] = []
        self._counts: list[int] = []
        self.voter_ballot: list[int] = []

    def add(
        self,
        ballot: Sequence[int] | Mapping[int, Fraction | int],
        count: int = 1,
        *,
        track: bool = True,
        checked: bool = False,
    ) -> int:
        """Add ``count`` voters casting ``ballot``; return the index of its distinct ballot.

        ``track=False``: do not record the voters in ``voter_ballot`` (the caller
        keeps the voter -> ballot mapping itself); ``checked=True``: the caller
        guarantees valid project indices (and points).
        """
        key: tuple[object, ...]
        if self.kind == "cumulative":
            if not isinstance(ballot, Mapping):
                raise TypeError("a cumulative ballot is a mapping project -> points")
            items = sorted(ballot.items())
            if not checked:
                for p, pts in items:
                    self._check(p)
                    if pts < 0:
                        raise ValueError("negative points")
            key = tuple(items)
        else:
            if not checked:
                for p in ballot:
                    self._check(p)  # type: ignore[arg-type]
            if self.kind == "approval":
                key = tuple(sorted(set(ballot)))  # type: ignore[arg-type]
            else:
                key = tuple(dict.fromkeys(ballot))  # type: ignore[arg-type]
        pos = self._index.get(key)
        if pos is None:
            pos = len(self._keys)
            self._index[key] = pos
            self._keys.append(key)
            self._counts.append(0)
        self._counts[pos] += count
        if track:
            self.voter_ballot.extend([pos] * count)
        return pos

    def _check(self, p: int) -> None:
        if not 0 <= p < self.num_projects:
            raise ValueError(f"project index {p} out of range")

    def build(self) -> Profile:
        lengths = [len(k) for k in self._keys]
        indptr = np.zeros(len(self._keys) + 1, dtype=np.int64)
        if lengths:
            np.cumsum(lengths, out=indptr[1:])
        counts = np.array(self._counts, dtype=np.int64)
        if self.kind != "cumulative":
            flat = [p for key in self._keys for p in key]
            indices = np.array(flat, dtype=np.int64)
            return Profile(self.kind, self.num_projects, indptr, indices, counts)
        pairs = cast(list[tuple[int, Fraction | int]], [item for key in self._keys for item in key])
        indices = np.array([p for p, _ in pairs], dtype=np.int64)
        raw = [Fraction(pts) for _, pts in pairs]
        scale = lcm(1, *(f.denominator for f in raw)) if raw else 1
        points = np.array([int(f * scale) for f in raw], dtype=np.int64)
        return Profile("cumulative", self.num_projects, indptr, indices, counts, points, scale)


@dataclass(frozen=True, eq=False)
class VoterRecords:
    """Per-voter data kept by the Pabulib reader so that a file can be written back."""

    voter_ids: list[str]
    ballot_of_voter: IntArray
    extra_columns: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Election:
    """One participatory-budgeting election: projects, budget and ballots."""

    projects: tuple[Project, ...]
    budget: Fraction
    profile: Profile
    meta: dict[str, str] = field(default_factory=dict)
    vote_type: str = ""
    voters: VoterRecords | None = None
    project_extra: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.budget < 0:
            raise ValueError("negative budget")
        if self.profile.num_projects != len(self.projects):
            raise ValueError("profile and projects do not match")
        ids = [p.id for p in self.projects]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate project id")
        if not self.vote_type:
            object.__setattr__(self, "vote_type", self.profile.kind)

    @property
    def num_voters(self) -> int:
        return self.profile.num_voters

    def index_of(self, project_id: str) -> int:
        for i, p in enumerate(self.projects):
            if p.id == project_id:
                return i
        raise KeyError(project_id)

    def total_cost(self, indices: Iterable[int]) -> Fraction:
        scaled, den = self.scaled_costs
        return Fraction(sum(scaled[i] for i in indices), den)

    @cached_property
    def scaled_costs(self) -> tuple[tuple[int, ...], int]:
        """Every project's cost times ``den`` (an integer), and ``den``: the least
        common denominator of the costs and the budget (sums of costs in integers)."""
        den = lcm(self.budget.denominator, *(p.cost.denominator for p in self.projects))
        return tuple(int(p.cost * den) for p in self.projects), den
