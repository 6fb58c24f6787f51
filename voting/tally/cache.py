"""A cache of parsed Pabulib files for the command line, keyed by the file's content.

Reading a large ``.pb`` file (Łódź 2022: 90,000 voters) costs more than counting
it.  ``python -m voting.tally`` therefore keeps each parsed election in
``$TALLY_CACHE_DIR`` (default ``$XDG_CACHE_HOME/ciic-tally``, else
``~/.cache/ciic-tally``) under the SHA-256 of the file's bytes, the reading
option and the source of the reader itself: a changed file, option or reader
version is a different key, so a cached election is always the one the reader
would return.  ``--no-cache`` (or ``TALLY_NO_CACHE=1``) reads the file without
the cache.  A cache that cannot be written or read is ignored (the file is then
parsed as usual).

Entries are pickles loaded by an unpickler that only builds the engine's own
data classes, fractions, NumPy arrays and built-in containers: an entry cannot
run code.  At most ``_KEEP`` entries are kept (the least recently used go).

The per-voter records (voter ids and extra columns, only kept to write a file
back) are stored as a pickle of their own inside the entry and unpickled on first
use (:class:`_LazyVoterRecords`, with the same unpickler): they are most of the
time spent loading an entry (Warszawa 2026: 45 of 46 ms), and counting never
reads them.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from typing import Any, Literal

from .model import Election, VoterRecords

_KEEP = 32
_VERSION = b"1"
_ALLOWED = {
    ("voting.tally.model", "Election"),
    ("voting.tally.model", "Profile"),
    ("voting.tally.model", "Project"),
    ("voting.tally.model", "VoterRecords"),
    ("voting.tally.cache", "_lazy_voters"),
    ("fractions", "Fraction"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.core.numeric", "_frombuffer"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}
_ALLOWED_PREFIX = ("numpy.dtypes",)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED or module.startswith(_ALLOWED_PREFIX):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a tally cache entry")


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is VoterRecords:
            # (a pickle of its own, unpickled on first use: :class:`_LazyVoterRecords`)
            return (_lazy_voters, (pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL),))
        return NotImplemented


def _lazy_voters(blob: bytes) -> VoterRecords:
    if not isinstance(blob, bytes):
        raise pickle.UnpicklingError("voter records are not bytes")
    return _LazyVoterRecords(blob)


class _LazyVoterRecords(VoterRecords):
    """:class:`VoterRecords` unpickled (with the cache's unpickler) from ``blob`` on
    first use of any of its fields; copied or pickled as the plain records."""

    def __init__(self, blob: bytes) -> None:  # (the fields come from the blob)
        object.__setattr__(self, "_blob", blob)

    def __getattr__(self, name: str) -> Any:
        # (only called for what is not set yet: the fields before their first use)
        blob = self.__dict__.get("_blob")
        if blob is None or name.startswith("__"):
            raise AttributeError(name)
        loaded = _Unpickler(io.BytesIO(blob)).load()
        if type(loaded) is not VoterRecords:
            raise pickle.UnpicklingError("not voter records")
        for key in ("voter_ids", "ballot_of_voter", "extra_columns"):
            object.__setattr__(self, key, getattr(loaded, key))
        object.__setattr__(self, "_blob", None)
        return getattr(self, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (VoterRecords, (self.voter_ids, self.ballot_of_voter, self.extra_columns))


# (paths with os.path: pathlib's import costs a command 5 ms)


def cache_dir() -> str:
    explicit = os.environ.get("TALLY_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "ciic-tally")


def _reader_version() -> bytes:
    here = os.path.dirname(os.path.realpath(__file__))
    digest = hashlib.sha256(_VERSION)
    for name in ("pabulib.py", "model.py", "cache.py"):
        with open(os.path.join(here, name), "rb") as fh:
            digest.update(fh.read())
    return digest.digest()


def key(data: bytes, cumulative_duplicates: str) -> str:
    digest = hashlib.sha256(_reader_version())
    digest.update(cumulative_duplicates.encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def read_pabulib_cached(
    path: str | os.PathLike[str],
    *,
    cumulative_duplicates: Literal["last", "sum"] = "last",
    directory: str | os.PathLike[str] | None = None,
) -> Election:
    """:func:`voting.tally.read_pabulib`, through the cache (the same election)."""
    from .pabulib import parse_bytes

    with open(path, "rb") as fh:
        data = fh.read()
    folder = os.fspath(directory) if directory is not None else cache_dir()
    entry = os.path.join(folder, f"{key(data, cumulative_duplicates)}.pickle")
    try:
        with open(entry, "rb") as fh:
            election = _Unpickler(fh).load()
        if isinstance(election, Election):
            os.utime(entry)
            return election
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        pass
    election = parse_bytes(data, cumulative_duplicates=cumulative_duplicates)
    try:
        import tempfile  # (only to write an entry: its import costs a hit 8 ms)

        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                _Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL).dump(election)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(folder)
    except OSError:
        pass
    return election


def _prune(folder: str) -> None:
    entries = [
        os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(".pickle")
    ]
    entries.sort(key=lambda p: os.stat(p).st_mtime, reverse=True)
    for old in entries[_KEEP:]:
        try:
            os.unlink(old)
        except OSError:
            pass
