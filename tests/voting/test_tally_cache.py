"""The command line's cache of parsed Pabulib files (``voting/tally/cache.py``)."""

from __future__ import annotations

import copy
import io
import pickle
from pathlib import Path

import pytest
from tally_support import pb_files, require_shared
from test_tally_pabulib import assert_same_election

from voting.tally import VoterRecords, cache, read_pabulib
from voting.tally.cache import key, read_pabulib_cached
from voting.tally.cli import main

pytestmark = pytest.mark.own_db  # (the engine alone: no database)


@pytest.mark.parametrize("name", pb_files())
def test_a_cached_election_is_the_parsed_one(name: str, tmp_path: Path) -> None:
    path = require_shared() / name
    parsed = read_pabulib(path)
    first = read_pabulib_cached(path, directory=tmp_path)  # a miss: parsed and stored
    assert len(list(tmp_path.glob("*.pickle"))) == 1
    second = read_pabulib_cached(path, directory=tmp_path)  # a hit
    assert second is not first
    assert_same_election(first, parsed)
    assert_same_election(second, parsed)
    if parsed.profile.kind == "cumulative":
        summed = read_pabulib_cached(path, cumulative_duplicates="sum", directory=tmp_path)
        assert_same_election(summed, read_pabulib(path, cumulative_duplicates="sum"))
        assert len(list(tmp_path.glob("*.pickle"))) == 2


SMALL = "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\n2;5\nVOTES\nvoter_id;vote\n"


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    pb = tmp_path / "e.pb"
    cache = tmp_path / "cache"
    pb.write_text(SMALL + "1;1\n2;1\n")
    assert read_pabulib_cached(pb, directory=cache).profile.counts.tolist() == [2]
    pb.write_text(SMALL + "1;1\n2;2\n")
    assert read_pabulib_cached(pb, directory=cache).profile.counts.tolist() == [1, 1]
    assert len(list(cache.glob("*.pickle"))) == 2


def test_an_entry_that_would_run_code_is_refused(tmp_path: Path) -> None:
    pb = tmp_path / "e.pb"
    pb.write_text(SMALL + "1;1\n2;2\n")
    data = pb.read_bytes()
    entry = tmp_path / f"{key(data, 'last')}.pickle"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pwned",))

    entry.write_bytes(pickle.dumps(Evil()))
    e = read_pabulib_cached(pb, directory=tmp_path)
    assert e.profile.counts.tolist() == [1, 1]
    assert_same_election(read_pabulib_cached(pb, directory=tmp_path), e)  # rewritten
    entry.write_bytes(b"not a pickle")
    assert_same_election(read_pabulib_cached(pb, directory=tmp_path), e)


def test_voter_records_are_unpickled_on_first_use(tmp_path: Path) -> None:
    pb = tmp_path / "e.pb"
    pb.write_text(SMALL.replace("voter_id;vote", "voter_id;vote;age") + "a;1;30\nb;1,2;40\n")
    parsed = read_pabulib(pb)
    read_pabulib_cached(pb, directory=tmp_path)  # a miss: stored
    hit = read_pabulib_cached(pb, directory=tmp_path)
    assert hit.voters is not None and "voter_ids" not in vars(hit.voters)  # not yet
    assert hit.voters.extra_columns == {"age": ["30", "40"]}  # loaded on first use
    assert_same_election(hit, parsed)
    # copied or pickled as plain records
    again = read_pabulib_cached(pb, directory=tmp_path)
    for other in (pickle.loads(pickle.dumps(again)), copy.deepcopy(again)):  # noqa: S301
        assert type(other.voters) is VoterRecords
        assert_same_election(other, parsed)


def test_voter_records_that_would_run_code_are_refused(tmp_path: Path) -> None:
    pb = tmp_path / "e.pb"
    pb.write_text(SMALL + "1;1\n2;2\n")
    entry = tmp_path / f"{key(pb.read_bytes(), 'last')}.pickle"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pwned",))

    class EvilRecords(pickle.Pickler):
        def reducer_override(self, obj: object) -> object:
            if isinstance(obj, VoterRecords):  # (as the cache stores them, but evil)
                return (cache._lazy_voters, (pickle.dumps(Evil()),))
            return NotImplemented

    out = io.BytesIO()
    EvilRecords(out).dump(read_pabulib(pb))
    entry.write_bytes(out.getvalue())
    hit = read_pabulib_cached(pb, directory=tmp_path)
    assert hit.profile.counts.tolist() == [1, 1]
    with pytest.raises(pickle.UnpicklingError):
        hit.voters.voter_ids  # type: ignore[union-attr]  # noqa: B018


def test_an_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    pb = tmp_path / "e.pb"
    pb.write_text(SMALL + "1;1\n")
    blocker = tmp_path / "file"
    blocker.write_text("")
    e = read_pabulib_cached(pb, directory=blocker / "cache")
    assert e.profile.counts.tolist() == [1]


def test_the_command_uses_the_cache_unless_told_not_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pb = tmp_path / "e.pb"
    pb.write_text(SMALL + "1;1\n2;1,2\n")
    cache = tmp_path / "cache"
    monkeypatch.setenv("TALLY_CACHE_DIR", str(cache))
    monkeypatch.delenv("TALLY_NO_CACHE", raising=False)
    assert main([str(pb), "--no-cache"]) == 0
    assert not cache.exists()
    monkeypatch.setenv("TALLY_NO_CACHE", "1")
    assert main([str(pb)]) == 0
    assert not cache.exists()
    monkeypatch.delenv("TALLY_NO_CACHE")
    assert main([str(pb)]) == 0
    assert len(list(cache.glob("*.pickle"))) == 1
    assert main([str(pb)]) == 0
    assert capsys.readouterr().out.split() == ["1"] * 4
