"""Reader and writer for the Pabulib ``.pb`` format (https://pabulib.org/format).

A file has three sections, ``META``, ``PROJECTS`` and ``VOTES``, each a line
with the section name, a header line and ``;``-separated rows (CSV quoting).
The reader accepts what real files contain: CRLF or LF line endings, a UTF-8
byte-order mark, quoted fields containing ``;``, ``"`` or line breaks,
non-numeric project ids, decimal costs (``4000.0``, ``4000,50``), a ``points``
column, and a project listed twice on one ballot.

Repeated projects on one ballot: an approval or ordinal ballot keeps the
project once (at its first position); a cumulative ballot by default keeps the
points of the *last* occurrence, which is what pabutools does
(``cumulative_duplicates="last"``); ``"sum"`` adds them up instead.

A malformed file raises :class:`PabulibError` naming the section and the line.
"""

from __future__ import annotations

import csv
import io
import operator
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from operator import methodcaller
from typing import Literal, TextIO

import numpy as np
import numpy.typing as npt

from .model import BallotKind, Election, Profile, ProfileBuilder, Project, VoterRecords

SECTIONS = ("meta", "projects", "votes")
VOTE_TYPE_KINDS: dict[str, BallotKind] = {
    "approval": "approval",
    "choose-1": "approval",
    "cumulative": "cumulative",
    "scoring": "cumulative",
    "ordinal": "ordinal",
}


class PabulibError(ValueError):
    """A Pabulib file could not be read; says which section and line are at fault."""

    def __init__(self, message: str, *, section: str | None = None, line: int | None = None):
        self.section = section
        self.line = line
        self.reason = message
        where = []
        if line is not None:
            where.append(f"line {line}")
        if section is not None:
            where.append(f"section {section.upper()}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


@dataclass
class _Section:
    name: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]


def parse_number(text: str) -> Fraction:
    """Parse a Pabulib number exactly: ``12``, ``4000.0``, ``4000,5``, ``1e3``."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise ValueError("empty number")
    value = Fraction(cleaned)
    return value


def _split_sections(text: str) -> dict[str, _Section]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    expect_header = False
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise PabulibError(
                f"malformed CSV: {exc}",
                section=current.name if current else None,
                line=reader.line_num,
            ) from None
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        first = row[0].strip().lower()
        if first in SECTIONS and all(not cell.strip() for cell in row[1:]):
            if first in sections:
                raise PabulibError(f"section {first.upper()} appears twice", line=line)
            current = _Section(first, [], line, [])
            sections[first] = current
            expect_header = True
            continue
        if current is None:
            raise PabulibError("content before the first section (expected META)", line=line)
        if expect_header:
            current.header = [cell.strip() for cell in row]
            current.header_line = line
            expect_header = False
            continue
        current.rows.append((line, row))
    for name in SECTIONS:
        if name not in sections:
            raise PabulibError(f"missing section {name.upper()}")
        if not sections[name].header:
            raise PabulibError(
                "section has no header line", section=name, line=sections[name].header_line
            )
    return sections


def _check_width(section: _Section, line: int, row: list[str]) -> list[str]:
    if len(row) != len(section.header):
        # A trailing empty field (``a;b;``) is harmless; anything else is an error.
        while len(row) > len(section.header) and not row[-1].strip():
            row = row[:-1]
        if len(row) != len(section.header):
            raise PabulibError(
                f"expected {len(section.header)} fields ({';'.join(section.header)}), "
                f"found {len(row)}",
                section=section.name,
                line=line,
            )
    return row


def _parse_meta(meta_sec: _Section) -> tuple[dict[str, str], Fraction, str, BallotKind]:
    meta: dict[str, str] = {}
    if meta_sec.header and meta_sec.header[0].lower() != "key":
        raise PabulibError(
            "META header must be 'key;value'", section="meta", line=meta_sec.header_line
        )
    for line, row in meta_sec.rows:
        if len(row) < 2:
            raise PabulibError("expected 'key;value'", section="meta", line=line)
        if any(cell.strip() for cell in row[2:]):
            raise PabulibError("expected 'key;value', found more fields", section="meta", line=line)
        meta[row[0].strip()] = row[1].strip()
    if "budget" not in meta:
        raise PabulibError("META has no 'budget'", section="meta", line=meta_sec.header_line)
    try:
        budget = parse_number(meta["budget"])
    except (ValueError, ZeroDivisionError):
        raise PabulibError(
            f"invalid budget {meta['budget']!r}", section="meta", line=meta_sec.header_line
        ) from None
    vote_type = meta.get("vote_type", "approval").strip().lower()
    if vote_type not in VOTE_TYPE_KINDS:
        raise PabulibError(
            f"unsupported vote_type {vote_type!r}", section="meta", line=meta_sec.header_line
        )
    return meta, budget, vote_type, VOTE_TYPE_KINDS[vote_type]


def _parse_projects(
    proj_sec: _Section,
) -> tuple[list[Project], dict[str, int], dict[str, list[str]]]:
    header = proj_sec.header
    if "project_id" not in header or "cost" not in header:
        raise PabulibError(
            "PROJECTS header needs 'project_id' and 'cost'",
            section="projects",
            line=proj_sec.header_line,
        )
    id_col, cost_col = header.index("project_id"), header.index("cost")
    name_col = header.index("name") if "name" in header else None
    projects: list[Project] = []
    index: dict[str, int] = {}
    extra_cols = [h for h in header if h not in ("project_id", "cost", "name")]
    project_extra: dict[str, list[str]] = {h: [] for h in extra_cols}
    for line, raw in proj_sec.rows:
        row = _check_width(proj_sec, line, raw)
        pid = row[id_col].strip()
        if not pid:
            raise PabulibError("empty project_id", section="projects", line=line)
        if pid in index:
            raise PabulibError(f"project {pid!r} listed twice", section="projects", line=line)
        try:
            cost = parse_number(row[cost_col])
        except (ValueError, ZeroDivisionError):
            raise PabulibError(
                f"invalid cost {row[cost_col]!r} for project {pid!r}",
                section="projects",
                line=line,
            ) from None
        if cost < 0:
            raise PabulibError(f"negative cost for project {pid!r}", section="projects", line=line)
        index[pid] = len(projects)
        name = row[name_col].strip() if name_col is not None else ""
        projects.append(Project(pid, cost, name))
        for h in extra_cols:
            project_extra[h].append(row[header.index(h)])
    return projects, index, project_extra


def parse_pabulib_text(
    text: str, *, cumulative_duplicates: Literal["last", "sum"] = "last"
) -> Election:
    """Parse the content of a ``.pb`` file.

    The VOTES section (nearly all of a large file) is read by a fast path when
    it has no CSV quoting and nothing unusual; anything else (quotes, a row of
    the wrong width, an unknown project, a repeated voter...) is read by the
    general CSV reader, which gives the same result and names the line at fault.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    fast = _parse_fast(text, cumulative_duplicates)
    if fast is not None:
        return fast
    return _parse_general(text, cumulative_duplicates)


class _Fallback(Exception):
    """The fast path cannot read this file: use the general reader."""


_SECTION_LINE = re.compile(
    r"^[^\S\n]*(?:meta|projects|votes)[^\S\n;]*(?:;[^\S\n]*)*$", re.IGNORECASE | re.MULTILINE
)


def _maybe_blank(line: str) -> bool:
    return not line or line[0] == ";" or line[0].isspace()


_VOTES_MARKER = re.compile(r"^[ \t]*votes[ \t;]*\r?$", re.IGNORECASE | re.MULTILINE)


def _parse_fast(text: str, cumulative_duplicates: Literal["last", "sum"]) -> Election | None:
    found = None
    for match in _VOTES_MARKER.finditer(text):
        if text.count('"', 0, match.start()) % 2 == 0:
            found = match
            break
    if found is None:
        return None
    votes_text = text[found.end() :]
    if '"' in votes_text or "\r" in votes_text.replace("\r\n", "\n"):
        return None
    head = text[: found.start()] + "VOTES\nvoter_id;vote\n"
    try:
        sections = _split_sections(head)
        meta, budget, vote_type, kind = _parse_meta(sections["meta"])
        projects, index, project_extra = _parse_projects(sections["projects"])
        return _parse_votes_fast(
            votes_text,
            meta,
            budget,
            vote_type,
            kind,
            projects,
            index,
            project_extra,
            cumulative_duplicates,
        )
    except (PabulibError, _Fallback):
        return None


def _parse_votes_fast(
    votes_text: str,
    meta: dict[str, str],
    budget: Fraction,
    vote_type: str,
    kind: BallotKind,
    projects: list[Project],
    index: dict[str, int],
    project_extra: dict[str, list[str]],
    cumulative_duplicates: Literal["last", "sum"],
) -> Election:
    body = votes_text.replace("\r\n", "\n").strip("\n")
    lowered = body.lower()
    if any(name in lowered for name in SECTIONS) and _SECTION_LINE.search(body):
        raise _Fallback
    lines = body.split("\n")
    # a blank line (only spaces and semicolons) is empty or starts with one of them
    if any(map(_maybe_blank, lines)):
        lines = [line for line in lines if line.replace(";", "").strip()]
    if not lines or not lines[0]:
        raise _Fallback
    vheader = [cell.strip() for cell in lines[0].split(";")]
    if "vote" not in vheader or (kind == "cumulative" and "points" not in vheader):
        raise _Fallback
    width = len(vheader)
    rows = lines[1:]
    n = len(rows)
    if n and set(map(methodcaller("count", ";"), rows)) != {width - 1}:
        raise _Fallback
    cells = ";".join(rows).split(";") if n else []
    columns = [cells[c::width] for c in range(width)]
    vote_col = vheader.index("vote")
    if "voter_id" in vheader:
        voter_ids = list(map(str.strip, columns[vheader.index("voter_id")]))
        if len(set(voter_ids)) != n:
            raise _Fallback
    else:
        voter_ids = [str(i + 1) for i in range(n)]
    keys: list[object]
    if kind == "cumulative":
        keys = list(zip(columns[vote_col], columns[vheader.index("points")], strict=True))
    else:
        keys = list(columns[vote_col])
    distinct = {key: i for i, key in enumerate(dict.fromkeys(keys))}
    raw_of_voter = np.fromiter(map(distinct.__getitem__, keys), dtype=np.int64, count=n)
    raw_counts = np.bincount(raw_of_voter, minlength=len(distinct))
    vectorised = None
    if kind != "cumulative":
        vectorised = _distinct_ballots([str(key) for key in distinct], index, kind)
    if vectorised is not None:
        position, indptr, indices = vectorised
        group_counts = np.bincount(position, weights=raw_counts, minlength=len(indptr) - 1)
        profile = Profile(kind, len(projects), indptr, indices, group_counts.astype(np.int64))
        return _finish_fast(
            columns,
            vheader,
            voter_ids,
            position[raw_of_voter],
            profile,
            (meta, budget, vote_type, projects, project_extra),
        )
    counts = raw_counts.tolist()
    builder = ProfileBuilder(kind, len(projects))
    position = np.zeros(len(distinct), dtype=np.int64)
    for i, key in enumerate(distinct):
        vote_raw = str(key[0] if kind == "cumulative" else key)  # type: ignore[index]
        try:
            ballot_idx = [index[x] for x in vote_raw.split(",")]
        except KeyError:
            names = [x for x in (y.strip() for y in vote_raw.split(",")) if x]
            try:
                ballot_idx = [index[x] for x in names]
            except KeyError:
                raise _Fallback from None
        if kind == "cumulative":
            pts_text = [x for x in (y.strip() for y in str(key[1]).split(",")) if x]  # type: ignore[index]
            if len(pts_text) != len(ballot_idx):
                raise _Fallback
            points: dict[int, Fraction] = {}
            for p, t in zip(ballot_idx, pts_text, strict=True):
                try:
                    value = parse_number(t)
                except (ValueError, ZeroDivisionError):
                    raise _Fallback from None
                if value < 0:
                    raise _Fallback
                if cumulative_duplicates == "sum" and p in points:
                    points[p] += value
                else:
                    points[p] = value
            position[i] = builder.add(points, counts[i], track=False, checked=True)
        else:
            position[i] = builder.add(ballot_idx, counts[i], track=False, checked=True)
    profile = builder.build()
    return _finish_fast(
        columns,
        vheader,
        voter_ids,
        position[raw_of_voter],
        profile,
        (meta, budget, vote_type, projects, project_extra),
    )


def _finish_fast(
    columns: list[list[str]],
    vheader: list[str],
    voter_ids: list[str],
    ballot_of_voter: npt.NDArray[np.int64],
    profile: Profile,
    rest: tuple[dict[str, str], Fraction, str, list[Project], dict[str, list[str]]],
) -> Election:
    meta, budget, vote_type, projects, project_extra = rest
    vextra = [h for h in vheader if h not in ("voter_id", "vote", "points")]
    voter_extra = {h: columns[vheader.index(h)] for h in vextra}
    voters = VoterRecords(voter_ids, ballot_of_voter, voter_extra)
    return Election(tuple(projects), budget, profile, meta, vote_type, voters, project_extra)


# Above this many cells (distinct ballots x longest ballot) the distinct ballots are
# compared one by one instead of as rows of a matrix.
_MATRIX_CELLS = 20_000_000


def _distinct_ballots(
    raw: list[str], index: dict[str, int], kind: BallotKind
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """Approval or ordinal ballots from their distinct ``vote`` texts, with NumPy.

    Returns (distinct ballot of each text, indptr, indices): the ballots in the
    order of their first text, each as :class:`ProfileBuilder` keeps it (approval:
    sorted, a repeated project once; ordinal: a repeated project at its first
    position).  None when a text is not a plain comma-separated list of known ids
    (spaces, empty items...): the caller then reads the texts one by one.
    """
    nd = len(raw)
    if nd == 0:
        return None
    filled = [r for r in raw if r]
    tokens = ",".join(filled).split(",") if filled else []
    ids = list(map(index.get, tokens))
    if None in ids:
        return None
    lengths = np.fromiter(map(methodcaller("count", ","), raw), dtype=np.int64, count=nd) + 1
    if len(filled) != nd:
        lengths[np.fromiter(map(operator.not_, raw), dtype=np.bool_, count=nd)] = 0
    flat = np.array(ids, dtype=np.int64)
    row = np.repeat(np.arange(nd, dtype=np.int64), lengths)
    if len(flat):
        if kind == "approval":
            order = np.lexsort((flat, row))
            flat, row = flat[order], row[order]
            keep = np.ones(len(flat), dtype=np.bool_)
            keep[1:] = (flat[1:] != flat[:-1]) | (row[1:] != row[:-1])
        else:
            order = np.lexsort((np.arange(len(flat)), flat, row))
            sf, sr = flat[order], row[order]
            repeat = np.zeros(len(flat), dtype=np.bool_)
            repeat[1:] = (sf[1:] == sf[:-1]) & (sr[1:] == sr[:-1])
            keep = np.ones(len(flat), dtype=np.bool_)
            keep[order[repeat]] = False
        if not keep.all():
            flat, row = flat[keep], row[keep]
            lengths = np.bincount(row, minlength=nd).astype(np.int64)
    width = int(lengths.max())
    if nd * max(width, 1) > _MATRIX_CELLS:
        return None
    starts = np.zeros(nd + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    matrix = np.full((nd, max(width, 1)), -1, dtype=np.int32)
    if len(flat):
        matrix[row, np.arange(len(flat), dtype=np.int64) - starts[row]] = flat
    rows = np.ascontiguousarray(matrix).view(np.dtype((np.void, matrix.itemsize * matrix.shape[1])))
    _, first, inverse = np.unique(rows.ravel(), return_index=True, return_inverse=True)
    # number the distinct ballots in the order of their first text
    rank = np.empty(len(first), dtype=np.int64)
    by_first = np.argsort(first, kind="stable")
    rank[by_first] = np.arange(len(first), dtype=np.int64)
    position = rank[inverse.ravel()]
    rep = first[by_first]
    rep_len = lengths[rep]
    indptr = np.zeros(len(rep) + 1, dtype=np.int64)
    np.cumsum(rep_len, out=indptr[1:])
    total = int(indptr[-1])
    gather = np.repeat(starts[rep] - indptr[:-1], rep_len) + np.arange(total, dtype=np.int64)
    return position, indptr, flat[gather]


def _parse_general(text: str, cumulative_duplicates: Literal["last", "sum"] = "last") -> Election:
    sections = _split_sections(text)
    meta, budget, vote_type, kind = _parse_meta(sections["meta"])
    projects, index, project_extra = _parse_projects(sections["projects"])

    vote_sec = sections["votes"]
    vheader = vote_sec.header
    if "vote" not in vheader:
        raise PabulibError("VOTES header needs 'vote'", section="votes", line=vote_sec.header_line)
    vote_col = vheader.index("vote")
    voter_col = vheader.index("voter_id") if "voter_id" in vheader else None
    points_col = vheader.index("points") if "points" in vheader else None
    if kind == "cumulative" and points_col is None:
        raise PabulibError(
            f"vote_type {vote_type} needs a 'points' column",
            section="votes",
            line=vote_sec.header_line,
        )
    vextra = [h for h in vheader if h not in ("voter_id", "vote", "points")]
    vextra_pos = [vheader.index(h) for h in vextra]
    voter_extra: dict[str, list[str]] = {h: [] for h in vextra}
    builder = ProfileBuilder(kind, len(projects))
    voter_ids: list[str] = []
    seen_ids: set[str] = set()
    for line, raw in vote_sec.rows:
        row = _check_width(vote_sec, line, raw)
        names = [x.strip() for x in row[vote_col].split(",")]
        names = [x for x in names if x]
        try:
            ballot_idx = [index[x] for x in names]
        except KeyError as exc:
            raise PabulibError(
                f"vote for unknown project {exc.args[0]!r}", section="votes", line=line
            ) from None
        if kind == "cumulative":
            if not (points_col is not None):
                raise RuntimeError("internal invariant violated")
            pts_text = [x.strip() for x in row[points_col].split(",")]
            pts_text = [x for x in pts_text if x]
            if len(pts_text) != len(ballot_idx):
                raise PabulibError(
                    f"{len(ballot_idx)} projects but {len(pts_text)} points",
                    section="votes",
                    line=line,
                )
            points: dict[int, Fraction] = {}
            for p, t in zip(ballot_idx, pts_text, strict=True):
                try:
                    value = parse_number(t)
                except (ValueError, ZeroDivisionError):
                    raise PabulibError(
                        f"invalid points {t!r}", section="votes", line=line
                    ) from None
                if value < 0:
                    raise PabulibError("negative points", section="votes", line=line)
                if cumulative_duplicates == "sum" and p in points:
                    points[p] += value
                else:
                    points[p] = value
            builder.add(points)
        else:
            builder.add(ballot_idx)
        vid = row[voter_col].strip() if voter_col is not None else str(len(voter_ids) + 1)
        if vid in seen_ids:
            raise PabulibError(f"voter {vid!r} listed twice", section="votes", line=line)
        seen_ids.add(vid)
        voter_ids.append(vid)
        for h, pos in zip(vextra, vextra_pos, strict=True):
            voter_extra[h].append(row[pos])
    profile = builder.build()
    voters = VoterRecords(voter_ids, np.array(builder.voter_ballot, dtype=np.int64), voter_extra)
    return Election(tuple(projects), budget, profile, meta, vote_type, voters, project_extra)


def read_pabulib(
    path: str | os.PathLike[str], *, cumulative_duplicates: Literal["last", "sum"] = "last"
) -> Election:
    """Read a ``.pb`` file (UTF-8, with or without a byte-order mark)."""
    with open(path, "rb") as fh:
        data = fh.read()
    return parse_bytes(data, cumulative_duplicates=cumulative_duplicates)


def parse_bytes(data: bytes, *, cumulative_duplicates: Literal["last", "sum"] = "last") -> Election:
    """Parse the bytes of a ``.pb`` file (UTF-8, with or without a byte-order mark)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PabulibError("file is not valid UTF-8", line=line) from None
    return parse_pabulib_text(text, cumulative_duplicates=cumulative_duplicates)


def format_number(value: Fraction) -> str:
    """Write a number the way Pabulib files do: integers plain, else exact decimals."""
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"  # not a finite decimal: exact form
    digits = max(twos, fives)
    scaled = value * 10**digits
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def write_pabulib(election: Election, out: TextIO) -> None:
    """Write an election as a ``.pb`` file (LF endings, minimal CSV quoting)."""
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    profile = election.profile
    meta = dict(election.meta)
    meta["budget"] = format_number(election.budget)
    meta["vote_type"] = election.vote_type
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(profile.num_voters)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for k, v in meta.items():
        writer.writerow([k, v])
    writer.writerow(["PROJECTS"])
    extra = list(election.project_extra)
    writer.writerow(["project_id", "cost", "name", *extra])
    for i, p in enumerate(election.projects):
        writer.writerow(
            [p.id, format_number(p.cost), p.name, *(election.project_extra[h][i] for h in extra)]
        )
    writer.writerow(["VOTES"])
    has_points = profile.kind == "cumulative"
    records = election.voters
    vextra = list(records.extra_columns) if records else []
    writer.writerow(["voter_id", "vote", *(["points"] if has_points else []), *vextra])
    ids = [p.id for p in election.projects]

    def rows() -> Iterable[list[str]]:
        if records is not None:
            order: Iterable[tuple[str, int, int]] = (
                (vid, int(b), n)
                for n, (vid, b) in enumerate(
                    zip(records.voter_ids, records.ballot_of_voter.tolist(), strict=True)
                )
            )
        else:
            expanded = np.repeat(np.arange(profile.num_distinct), profile.counts)
            order = ((str(n + 1), int(b), n) for n, b in enumerate(expanded.tolist()))
        for vid, b, n in order:
            ballot = profile.ballot(b)
            row = [vid, ",".join(ids[p] for p in ballot)]
            if has_points:
                row.append(",".join(format_number(x) for x in profile.ballot_points(b)))
            if records is not None:
                row.extend(records.extra_columns[h][n] for h in vextra)
            yield row

    writer.writerows(rows())


def dumps_pabulib(election: Election) -> str:
    buf = io.StringIO()
    write_pabulib(election, buf)
    return buf.getvalue()


def profile_from_kind(kind: BallotKind, num_projects: int) -> ProfileBuilder:
    """Convenience for callers building a profile ballot by ballot."""
    return ProfileBuilder(kind, num_projects)


__all__ = [
    "PabulibError",
    "Profile",
    "dumps_pabulib",
    "parse_pabulib_text",
    "read_pabulib",
    "write_pabulib",
]
