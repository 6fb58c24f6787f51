"""Reader and writer for Pabulib ``.pb`` files."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from tally_support import pb_files, reference, require_shared

from voting.tally import Election
from voting.tally.pabulib import (
    PabulibError,
    _parse_fast,
    _parse_general,
    dumps_pabulib,
    parse_pabulib_text,
    read_pabulib,
)

pytestmark = pytest.mark.own_db  # (the engine alone: no database)

TRICKY = (
    "\ufeffMETA\r\n"
    "key;value\r\n"
    'description;"A ""quoted"" description; with a semicolon"\r\n'
    "budget;1000.5\r\n"
    "vote_type;cumulative\r\n"
    "num_projects;3\r\n"
    "num_votes;3\r\n"
    "PROJECTS\r\n"
    "project_id;cost;name;category\r\n"
    'OGM/0015;400.0;"Park; benches";"green,culture"\r\n'
    'c1;250,5;"Say ""hello""";none\r\n'
    "3;0;Free thing;none\r\n"
    "VOTES\r\n"
    "voter_id;vote;points;district\r\n"
    "v1;OGM/0015,c1;2,1;north\r\n"
    "v2;c1,c1;1,3;south\r\n"
    "v3;;;none\r\n"
)


def test_reads_what_real_files_contain() -> None:
    e = parse_pabulib_text(TRICKY)
    assert e.meta["description"] == 'A "quoted" description; with a semicolon'
    assert e.budget == Fraction(2001, 2)
    assert [p.id for p in e.projects] == ["OGM/0015", "c1", "3"]
    assert [p.cost for p in e.projects] == [400, Fraction(501, 2), 0]
    assert e.projects[0].name == "Park; benches"
    assert e.projects[1].name == 'Say "hello"'
    assert e.profile.kind == "cumulative"
    assert e.num_voters == 3
    ballots = {
        tuple(e.projects[p].id for p in e.profile.ballot(i)): e.profile.ballot_points(i)
        for i in range(e.profile.num_distinct)
    }
    # the repeated project keeps the points of its last occurrence (as pabutools)
    assert ballots[("OGM/0015", "c1")] == (2, 1)
    assert ballots[("c1",)] == (3,)
    assert ballots[()] == ()
    assert e.voters is not None and e.voters.extra_columns["district"] == ["north", "south", "none"]


def test_duplicate_points_can_be_summed() -> None:
    e = parse_pabulib_text(TRICKY, cumulative_duplicates="sum")
    sums = [e.profile.ballot_points(i) for i in range(e.profile.num_distinct)]
    assert (4,) in sums


def test_approval_duplicates_and_lf_endings() -> None:
    text = (
        "META\nkey;value\nbudget;10\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\n1;5\n2;5\n"
        "VOTES\nvoter_id;vote\n1;1,1,2\n2;2,1\n3;2\n"
    )
    e = parse_pabulib_text(text)
    assert e.profile.num_distinct == 2  # {1,2} twice, {2} once
    assert sorted(e.profile.counts.tolist()) == [1, 2]


def test_ordinal_keeps_rank_order() -> None:
    text = (
        "META\nkey;value\nbudget;10\nvote_type;ordinal\n"
        "PROJECTS\nproject_id;cost\na;5\nb;5\nc;1\n"
        "VOTES\nvoter_id;vote\n1;c,a,c\n2;a,c\n"
    )
    e = parse_pabulib_text(text)
    assert {e.profile.ballot(i) for i in range(2)} == {(2, 0), (0, 2)}


@pytest.mark.parametrize(
    ("text", "section", "line", "words"),
    [
        (
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;abc\nVOTES\nvoter_id;vote\n",
            "projects",
            6,
            "invalid cost",
        ),
        (
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n1;6\nVOTES\nvoter_id;vote\n",
            "projects",
            7,
            "listed twice",
        ),
        (
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n"
            "VOTES\nvoter_id;vote\n1;1\n2;7\n",
            "votes",
            10,
            "unknown project",
        ),
        (
            "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;5\n"
            "VOTES\nvoter_id;vote;points\n1;1;1,2\n",
            "votes",
            10,
            "points",
        ),
        (
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost;name\n1;5\n"
            "VOTES\nvoter_id;vote\n",
            "projects",
            6,
            "expected 3 fields",
        ),
        (
            "META\nkey;value\nbudget;ten\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
            "meta",
            2,
            "invalid budget",
        ),
        (
            "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n"
            "VOTES\nvoter_id;vote\n1;1\n1;1\n",
            "votes",
            10,
            "listed twice",
        ),
    ],
)
def test_malformed_files_name_section_and_line(
    text: str, section: str, line: int, words: str
) -> None:
    with pytest.raises(PabulibError) as info:
        parse_pabulib_text(text)
    assert info.value.section == section
    assert info.value.line == line
    assert words in str(info.value)
    assert f"line {line}" in str(info.value)


def test_missing_section_is_refused() -> None:
    with pytest.raises(PabulibError, match="missing section VOTES"):
        parse_pabulib_text("META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\n1;1\n")


def test_unterminated_quote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.pb"
    path.write_bytes(b'META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost;name\n1;1;"open\n')
    with pytest.raises(PabulibError):
        read_pabulib(path)


def test_invalid_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.pb"
    path.write_bytes(b"META\nkey;value\nbudget;1\n\xff\n")
    with pytest.raises(PabulibError, match="line 4"):
        read_pabulib(path)


def test_round_trip_keeps_everything_the_rules_use() -> None:
    e = parse_pabulib_text(TRICKY)
    again = parse_pabulib_text(dumps_pabulib(e))
    assert again.budget == e.budget
    assert again.projects == e.projects
    assert again.meta["description"] == e.meta["description"]
    assert again.voters is not None and e.voters is not None
    assert again.voters.voter_ids == e.voters.voter_ids
    for i in range(e.profile.num_distinct):
        assert again.profile.ballot(i) == e.profile.ballot(i)
        assert again.profile.ballot_points(i) == e.profile.ballot_points(i)
    assert again.profile.counts.tolist() == e.profile.counts.tolist()


@pytest.mark.parametrize("name", pb_files())
def test_every_shared_file_parses_like_pabutools_counts(name: str) -> None:
    shared = require_shared()
    e = read_pabulib(shared / name)
    ref = reference()[name]
    assert e.num_voters == ref["num_voters"]
    assert len(e.projects) == ref["num_projects"]
    assert e.budget == Fraction(str(ref["budget"]))
    if e.num_voters < 3000:
        again = parse_pabulib_text(dumps_pabulib(e))
        assert again.profile.counts.tolist() == e.profile.counts.tolist()
        assert again.projects == e.projects


def assert_same_election(a: Election, b: Election) -> None:
    assert (a.projects, a.budget, a.meta, a.vote_type, a.project_extra) == (
        b.projects,
        b.budget,
        b.meta,
        b.vote_type,
        b.project_extra,
    )
    pa, pb = a.profile, b.profile
    assert (pa.kind, pa.num_projects, pa.points_scale) == (
        pb.kind,
        pb.num_projects,
        pb.points_scale,
    )
    for name in ("indptr", "indices", "counts"):
        assert getattr(pa, name).tolist() == getattr(pb, name).tolist(), name
    assert (pa.points is None) == (pb.points is None)
    if pa.points is not None and pb.points is not None:
        assert pa.points.tolist() == pb.points.tolist()
    assert a.voters is not None and b.voters is not None
    assert a.voters.voter_ids == b.voters.voter_ids
    assert a.voters.ballot_of_voter.tolist() == b.voters.ballot_of_voter.tolist()
    assert a.voters.extra_columns == b.voters.extra_columns


@pytest.mark.parametrize("name", pb_files())
def test_fast_reader_gives_what_the_general_reader_gives(name: str) -> None:
    shared = require_shared()
    text = (shared / name).read_bytes().decode("utf-8-sig")
    fast = _parse_fast(text, "last")
    assert fast is not None  # real files take the fast path
    assert_same_election(fast, _parse_general(text, "last"))
    if fast.profile.kind == "cumulative":
        summed = _parse_fast(text, "sum")
        assert summed is not None
        assert_same_election(summed, _parse_general(text, "sum"))


@pytest.mark.parametrize(
    "text",
    [
        TRICKY,  # CRLF, repeated projects, an empty ballot; quotes outside VOTES
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n2;5\n"
        "VOTES\nvoter_id;vote;age\n1;1,2;30\n\n2;2,1;31\n;;\n3;;40\n4;2;50",
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvote\n1\n1\n\n",
        # lines of spaces, tabs and semicolons only are skipped, wherever they are
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n"
        " \n1;1\n \t\n2;1\n ; \n;\t\n3;\n\u00a0\n4;1",
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n",
    ],
)
def test_fast_reader_on_edge_cases(text: str) -> None:
    text = text.removeprefix("\ufeff")
    fast = _parse_fast(text, "last")
    assert fast is not None
    assert_same_election(fast, _parse_general(text, "last"))


@pytest.mark.parametrize(
    "text",
    [
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;1\n2;7\n",
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;1\n1;1\n",
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;1;x\n",
        'META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;"1"\n',
        "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;1\r2;1\n",
    ],
)
def test_fast_reader_leaves_the_unusual_to_the_general_reader(text: str) -> None:
    assert _parse_fast(text, "last") is None
