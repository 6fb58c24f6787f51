"""Writes for accounts: role assignment by administrators."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ciic.audit import events
from ciic.audit.services import event_record

from .models import Role, User
from .permissions import require


@transaction.atomic
def user_roles_set(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    """Give `user` exactly `roles` (Role values). Administrators only; an
    administrator cannot remove their own administrator role (no lock-out)."""
    if actor is None:
        raise PermissionDenied
    require(actor, "accounts.manage_roles")
    wanted = set(roles)
    invalid = wanted - set(Role.values)
    if invalid:
        raise ValidationError({"roles": _("Unknown role.")})
    if actor.pk == user.pk and Role.ADMINISTRATOR not in wanted and not user.is_superuser:
        raise ValidationError(
            {
                "roles": _(
                    "You cannot remove your own administrator role. Ask another administrator."
                )
            }
        )
    User.objects.select_for_update().filter(pk=user.pk).first()
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    if current == wanted:
        return user
    for name in wanted - current:
        group, _created = Group.objects.get_or_create(name=name)
        user.groups.add(group)
    remove = current - wanted
    if remove:
        user.groups.remove(*Group.objects.filter(name__in=remove))
    if hasattr(user, "_role_cache"):
        del user._role_cache
    event_record(
        actor=actor,
        action=events.ACCOUNTS_ROLES_CHANGED,
        obj=user,
        before={"roles": sorted(current)},
        after={"roles": sorted(wanted)},
    )
    return user
