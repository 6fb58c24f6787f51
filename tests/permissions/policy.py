"""The vocabulary of the URL permission walk: who asks (identities), what they
may get (outcomes), and who may get what on a page (policies).

An expectation module (`tests/permissions/expectations/<app>.py`) maps each URL
name of its app to a `Rule`: which policy applies, and how to fill the URL's
arguments from the test world. See `expectations/__init__.py`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# --- identities -----------------------------------------------------------------------

ANONYMOUS = "anonymous"
UNCONFIRMED = "unconfirmed"  # signed up, email never confirmed: allauth refuses the log-in
RESIDENT = "resident"  # verified resident, author of the world's proposals
OTHER = "other"  # another verified resident
FACILITATOR = "facilitator"
ASSESSOR = "assessor"
ADMINISTRATOR = "administrator"  # superuser + Django staff + administrator role (as the demo)

ROLES = (ANONYMOUS, UNCONFIRMED, RESIDENT, OTHER, FACILITATOR, ASSESSOR, ADMINISTRATOR)
STAFF_ROLES = (FACILITATOR, ASSESSOR, ADMINISTRATOR)
ALL_STAFF = frozenset(STAFF_ROLES)


@dataclass(frozen=True)
class Identity:
    """Who makes the requests. `mfa`: the account has a TOTP authenticator and
    the session logged in with password and code; without it, staff log in with
    their password only (no authenticator yet, as a new staff member does)."""

    role: str
    mfa: bool

    @property
    def name(self) -> str:
        return f"{self.role}{'+mfa' if self.mfa else ''}"

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def logged_in(self) -> bool:
        return self.role not in (ANONYMOUS, UNCONFIRMED)


IDENTITIES = [Identity(ANONYMOUS, False)] + [
    Identity(role, mfa) for role in ROLES[1:] for mfa in (False, True)
]


# --- outcomes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a response must look like: one of `statuses`, and for redirects a
    Location starting with one of `locations`."""

    label: str
    statuses: frozenset[int]
    locations: tuple[str, ...] = ()

    def matches(self, status: int, location: str) -> bool:
        if status not in self.statuses:
            return False
        if status in (301, 302, 303, 307, 308) and self.locations:
            return location.startswith(self.locations)
        return True

    def __str__(self) -> str:
        return self.label


OK = Outcome("OK", frozenset({200}))
LOGIN = Outcome("LOGIN", frozenset({302}), ("/accounts/login/",))
# The code prompt (an authenticator exists) or the TOTP set-up (none yet).
MFA = Outcome(
    "MFA", frozenset({302}), ("/accounts/2fa/totp/activate/", "/accounts/2fa/reauthenticate/")
)
DENIED = Outcome("DENIED", frozenset({403}))
NOT_FOUND = Outcome("NOT_FOUND", frozenset({404}))
NOT_ALLOWED = Outcome("NOT_ALLOWED", frozenset({405}))  # the page answers POST only


def redirect(*prefixes: str) -> Outcome:
    return Outcome(f"REDIRECT{list(prefixes)}", frozenset({301, 302}), prefixes)


def status(*codes: int) -> Outcome:
    return Outcome(f"STATUS{sorted(codes)}", frozenset(codes))


# --- policies ------------------------------------------------------------------------------

Policy = Callable[[Identity], Outcome]


def public(outcome: Outcome = OK) -> Policy:
    """The same answer for everyone."""
    return lambda who: outcome


def logged_in(ok: Outcome = OK, visitors: Outcome = LOGIN) -> Policy:
    """Any logged-in account (staff without the second factor too: no staff power is used)."""
    return lambda who: ok if who.logged_in else visitors


def staff(
    roles: frozenset[str] | set[str] = ALL_STAFF, ok: Outcome | Mapping[str, Outcome] = OK
) -> Policy:
    """A staff page: visitors log in, residents are refused, staff without the
    second factor are led to it, then the roles in `roles` get `ok` (one
    outcome, or one per role)."""

    def expect(who: Identity) -> Outcome:
        if not who.logged_in:
            return LOGIN
        if not who.is_staff:
            return DENIED
        if not who.mfa:
            return MFA
        if who.role not in roles:
            return DENIED
        return ok if isinstance(ok, Outcome) else ok[who.role]

    return expect


def author(ok: Outcome = OK) -> Policy:
    """Private to the author (the world's RESIDENT): everyone else is refused,
    staff and superusers included (staff without the second factor are first
    led to it: a refused staff session is always asked to complete it)."""

    def expect(who: Identity) -> Outcome:
        if not who.logged_in:
            return LOGIN
        if who.role == RESIDENT:
            return ok
        return MFA if who.is_staff and not who.mfa else DENIED

    return expect


def by_role(
    table: Mapping[str | tuple[str, bool], Outcome], default: Outcome | None = None
) -> Policy:
    """Explicit answers: keys are a role, or (role, mfa) for one identity;
    UNCONFIRMED falls back to ANONYMOUS."""

    def expect(who: Identity) -> Outcome:
        for key in ((who.role, who.mfa), who.role):
            if key in table:
                return table[key]
        if who.role == UNCONFIRMED:
            return expect(Identity(ANONYMOUS, False))
        if default is None:
            raise KeyError(f"no expectation for {who.name}")
        return default

    return expect


# --- rules -----------------------------------------------------------------------------------

Args = Callable[[Any], Mapping[str, Any]]


@dataclass(frozen=True)
class Case:
    """One concrete request to a URL: its arguments (from the test world), an
    optional query string, and the policy it must follow."""

    policy: Policy
    kwargs: Args | None = None
    query: str = ""
    label: str = ""
    path: Callable[[Any], str] | None = None  # the URL itself, for patterns reverse() cannot fill


@dataclass(frozen=True)
class Rule:
    """The expectations for one URL name (or unnamed route): one or more cases.
    `path` builds the URL itself for patterns `reverse()` cannot reach."""

    cases: tuple[Case, ...]
    path: Callable[[Any], str] | None = None


def rule(
    policy: Policy,
    kwargs: Args | None = None,
    *,
    query: str = "",
    path: Callable[[Any], str] | None = None,
) -> Rule:
    return Rule((Case(policy, kwargs, query),), path=path)


def cases(*items: Case, path: Callable[[Any], str] | None = None) -> Rule:
    return Rule(tuple(items), path=path)


@dataclass(frozen=True)
class Area:
    """Every pattern under a URL prefix of an app we mount but did not write
    (Wagtail's admin): the entrance is the same for all of them, so the walk
    visits `paths` (its roots) instead of each pattern."""

    paths: Callable[[Any], list[str]]
    policy: Policy
    extra: dict[str, Policy] = field(default_factory=dict)  # path -> its own policy
