"""The one way services check a permission: by the name of its rule.

    require(actor, "proposals.decide", proposal)

`actor` is a user (logged in or not) or `None`, the platform itself (jobs,
management commands, one module acting on another's data): `None` passes
exactly the rules that allow `is_system`. A staff rule asked inside a request
also needs that session's second factor (see `ciic.accounts.second_factor`)."""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def allowed(actor: Any, perm: str, obj: Any = None) -> bool:
    """Does rule `perm` allow `actor` to act (on `obj`)?"""
    if actor is None:
        return bool(rules.has_perm(perm, None, obj))
    return bool(actor.has_perm(perm, obj))


def require(actor: Any, perm: str, obj: Any = None, *, message: str | None = None) -> None:
    """Raise PermissionDenied (with `message`) unless rule `perm` allows `actor`."""
    if not allowed(actor, perm, obj):
        raise PermissionDenied(message or _("You do not have permission to do this."))
