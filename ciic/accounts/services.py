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


@transaction.atomic
def account_delete(*, actor: Any, user: User) -> list[str]:
    """The person deletes their own account: every section of
    `ciic.personal_data` erases or anonymises what it holds (public proposals
    stay under "a Sector 6 resident"; the identity hash stays apart only as
    long as a call they voted in needs it), then the account goes. The audit
    log records the deletion without any personal data. Staff accounts are
    refused: an administrator removes their roles first (accountability)."""
    from ciic import personal_data
    from ciic.audit.services import event_record_anonymous

    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise PermissionDenied(_("Only the account's owner can delete it."))
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_staff_member or user.is_superuser:
        raise ValidationError(
            _(
                "Staff accounts are not deleted here: ask an administrator to remove your roles first."
            ),
            code="staff_account",
        )
    pk = user.pk
    erased = personal_data.erase_all(user)
    event_record_anonymous(
        action="account.deleted",
        object_type=user._meta.label_lower,
        object_id=str(pk),
        after={"sections": erased},
    )
    user.delete()
    return erased
