"""What each app holds about a person, for the resident's own copy of their
data and for the deletion of their account (GDPR articles 15, 17 and 20).

The bottom layer cannot know the models of the apps above it, so every app
that stores personal data registers a *section* here, usually from its
`AppConfig.ready()`:

    personal_data.register(
        "proposals",
        title=_("Proposals"),
        export="proposals.personal_data.export",
        erase="proposals.personal_data.erase",
    )

- `export(user) -> Any` returns JSON-serialisable data (dicts, lists, strings,
  numbers, booleans, None; dates as ISO strings) about `user`. It never
  includes secrets (password hashes, the CNP or its hash, TOTP secrets) nor
  what would break another person's privacy or the secrecy of the vote.
- `erase(user) -> None` runs inside the deletion transaction, before the
  account row is deleted: it deletes what is private to the person and
  detaches, anonymises or keeps what must stay (a public proposal stays under
  "a Sector 6 resident"; a cast ballot stays counted and anonymous). It must
  leave nothing that still points at the account with a protecting foreign key.

Sections run in registration order for export and in reverse order for erase
(higher apps first, so their rows go before the rows they point at)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]


@dataclass(frozen=True)
class Section:
    key: str
    title: Any  # a lazy translated string
    export: str | Exporter
    erase: str | Eraser | None = None

    def exporter(self) -> Exporter:
        return import_string(self.export) if isinstance(self.export, str) else self.export

    def eraser(self) -> Eraser | None:
        if self.erase is None:
            return None
        return import_string(self.erase) if isinstance(self.erase, str) else self.erase


_sections: dict[str, Section] = {}


def register(
    key: str, *, title: Any, export: str | Exporter, erase: str | Eraser | None = None
) -> None:
    """Register (or replace) the section `key`. Idempotent, so `ready()` may run twice."""
    _sections[key] = Section(key=key, title=title, export=export, erase=erase)


def sections() -> list[Section]:
    return list(_sections.values())


# --- how long a deleted account's verified identity must be kept -------------------------
#
# When a person who voted deletes their account, the keyed hash of their CNP
# (never the CNP) must outlive the account for as long as the call they voted
# in requires, so the same person cannot vote again with a new account. An app
# that knows about such a need (voting) registers a function
# `hold(user) -> datetime.date | None`: the last day the hash must be kept for
# it, or None. `ciic.eligibility` keeps the hash apart, until the latest of
# these days, and deletes it then.

IdentityHold = Callable[[Any], Any]
_identity_holds: dict[str, str | IdentityHold] = {}


def register_identity_hold(key: str, hold: str | IdentityHold) -> None:
    _identity_holds[key] = hold


def identity_hold_until(user: Any) -> Any:
    """The last day (a date) the person's identity hash must be kept, or None.
    During `erase_all` the answer decided before any section erased is used
    (a higher app's eraser cuts the very links a hold looks at)."""
    if hasattr(user, "_identity_hold_until"):
        return user._identity_hold_until
    days = []
    for hold in _identity_holds.values():
        func = import_string(hold) if isinstance(hold, str) else hold
        day = func(user)
        if day is not None:
            days.append(day)
    return max(days) if days else None


def export_all(user: Any) -> list[tuple[Section, Any]]:
    """Every section's data about `user`, in registration order."""
    return [(section, section.exporter()(user)) for section in sections()]


def erase_all(user: Any) -> list[str]:
    """Run every section's eraser, higher apps first; the keys of those that ran."""
    user._identity_hold_until = identity_hold_until(user)
    done = []
    for section in reversed(sections()):
        eraser = section.eraser()
        if eraser is not None:
            eraser(user)
            done.append(section.key)
    return done
