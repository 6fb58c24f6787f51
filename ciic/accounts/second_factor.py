"""Staff powers need a session that completed the second factor.

How an "MFA-completed session" is represented
---------------------------------------------
allauth keeps, in the session, a list of every authentication step of the
session's user (`allauth.account.authentication.get_authentication_records`):
`{"method": "password", ...}` after the password, `{"method": "mfa", "type":
"totp" | "recovery_codes", ...}` after a TOTP or recovery code at log-in or at
re-authentication. A session *completed the second factor* when that list has
an "mfa" record for the logged-in user (`session_completed_mfa`). We add one
record ourselves: when a staff member activates TOTP in this session (they just
typed a valid code), see `record_totp_activation`.

How it is checked
-----------------
`StaffSessionMiddleware` binds the current request to a context variable for
the duration of the request (`bound_request`). `staff_session_ok(user)` is the
one question every staff permission asks (the role predicates in
`ciic.accounts.predicates`, Django's model/group permissions through
`StaffSessionModelBackend`, and the superuser short-cut in `User.has_perm`):

- inside a request, for the account logged in on that request (compared by
  primary key, so a copy of the user re-read from the database is judged the
  same way): True only if this session completed the second factor;
- inside a request, for another account (e.g. "what may this person do?"):
  True - their own sessions are judged when they make requests;
- outside any request (rq jobs, management commands, the shell, services
  called directly from tests): True - roles alone decide. Jobs act for the
  system or for an actor whose request was already checked, and shell access
  to the server is more than any staff role.

Residents need no second factor: a resident's permissions come from being the
author or a verified resident, never from a staff predicate, so they are not
affected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

_current_request: ContextVar[HttpRequest | None] = ContextVar("ciic_current_request", default=None)

MFA_METHOD = "mfa"


@contextlib.contextmanager
def bound_request(request: HttpRequest) -> Iterator[None]:
    """Make `request` the one whose session staff permissions are judged by."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def session_completed_mfa(request: HttpRequest) -> bool:
    """Did the user logged in on `request` pass the second factor in this session?"""
    from allauth.account.authentication import get_authentication_records

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return False
    records = get_authentication_records(request, user)
    return any(record.get("method") == MFA_METHOD for record in records)


def staff_session_ok(user: Any) -> bool:
    """May a staff permission of `user` be honoured here? (See the module docstring.)"""
    request = _current_request.get()
    if request is None:
        return True
    session_user = getattr(request, "user", None)
    if session_user is None or not session_user.is_authenticated:
        return True
    if getattr(user, "pk", None) is None or user.pk != session_user.pk:
        return True
    return session_completed_mfa(request)


def requires_second_factor(user: Any) -> bool:
    """Would this account hold any staff power with a completed second factor?
    (Its roles and flags, whatever the session.)"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff or user.is_staff_member:
        return True
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    return Permission.objects.filter(Q(user=user) | Q(group__user=user)).exists()


def has_authenticator(user: Any) -> bool:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    return bool(is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]))


def second_factor_url(request: HttpRequest, next_url: str | None = None) -> str | None:
    """Where a logged-in staff member whose session lacks the second factor
    goes next: the code prompt (then back to `next_url`) if they have an
    authenticator, else the TOTP set-up. None when nothing is missing."""
    user = request.user
    if not user.is_authenticated or session_completed_mfa(request):
        return None
    if not requires_second_factor(user):
        return None
    if has_authenticator(user):
        url = reverse("mfa_reauthenticate")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            url += "?" + urlencode({"next": next_url})
        return url
    return reverse("mfa_activate_totp")


def record_totp_activation(
    sender: Any, request: HttpRequest, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    """allauth's `authenticator_added` signal: activating TOTP means the user
    typed a valid code in this session (after their password and a
    re-authentication), so the session has completed the second factor."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    if request is None or authenticator.type != Authenticator.Type.TOTP:
        return
    if getattr(request, "user", None) is None or request.user.pk != user.pk:
        return
    record_authentication(
        request, user, MFA_METHOD, id=authenticator.pk, type=authenticator.type, activated=True
    )
