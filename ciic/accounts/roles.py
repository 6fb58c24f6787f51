"""The role groups and what each may do in the Wagtail and Django admins.

Applied two ways, both idempotent (they only add what is missing):
- the data migration `accounts.0002_role_groups_permissions`, which runs after
  Wagtail's migrations on a new database (so `make run` and a first production
  `migrate` end with every role group holding its permissions);
- a `post_migrate` handler that runs for every app migrate reports on, in
  whatever order apps are listed, so a later migration that adds a permission
  or a root page is followed by the grants too (and a test database flushed
  between transactional tests gets its groups back).

Only grants listed here are added; nothing an administrator granted by hand is
removed."""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

from .models import Role

# Wagtail page permissions granted on the root page, by role.
PAGE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: [
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ],
    # Facilitators draft workshop and information pages; an administrator publishes.
    Role.FACILITATOR: ["add_page", "change_page"],
}
COLLECTION_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    Role.ADMINISTRATOR: [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "delete_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "delete_document"),
        ("wagtaildocs", "choose_document"),
    ],
    Role.FACILITATOR: [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "choose_document"),
    ],
}
# Model permissions held directly by the group, by role.
GROUP_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    Role.ADMINISTRATOR: [("wagtailadmin", "access_admin")],
    Role.FACILITATOR: [("wagtailadmin", "access_admin")],
}


def _needed() -> set[tuple[str, str]]:
    needed = {("wagtailcore", c) for codes in PAGE_PERMISSIONS.values() for c in codes}
    for grants in (COLLECTION_PERMISSIONS, GROUP_PERMISSIONS):
        needed.update(p for perms in grants.values() for p in perms)
    return needed


def role_groups_sync(*, apps: Any = global_apps, using: str = DEFAULT_DB_ALIAS) -> int:
    """Create the role groups and add their missing grants. `apps` may be a
    migration's historical registry. Returns how many grants were added (a
    permission that does not exist yet is skipped, and granted by a later run)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    try:
        Page = apps.get_model("wagtailcore", "Page")
        Collection = apps.get_model("wagtailcore", "Collection")
        GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
        GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    except LookupError:  # before Wagtail's models exist
        return 0

    existing = set(
        Group.objects.using(using).filter(name__in=Role.values).values_list("name", flat=True)
    )
    Group.objects.using(using).bulk_create(
        [Group(name=name) for name in Role.values if name not in existing]
    )
    groups = {g.name: g for g in Group.objects.using(using).filter(name__in=Role.values)}
    labels = {label for label, _ in _needed()}
    perms = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.using(using)
        .filter(content_type__app_label__in=labels)
        .select_related("content_type")
        if (p.content_type.app_label, p.codename) in _needed()
    }
    added = 0

    through = Group.permissions.through
    have = set(
        through.objects.using(using)
        .filter(group__in=groups.values())
        .values_list("group_id", "permission_id")
    )
    rows = []
    for role, grants in GROUP_PERMISSIONS.items():
        for key in grants:
            perm = perms.get(key)
            if perm is not None and (groups[role].pk, perm.pk) not in have:
                rows.append(through(group_id=groups[role].pk, permission_id=perm.pk))
    through.objects.using(using).bulk_create(rows)
    added += len(rows)

    root_page = Page.objects.using(using).filter(depth=1).order_by("path").first()
    if root_page is not None:
        have = set(
            GroupPagePermission.objects.using(using)
            .filter(page=root_page, group__in=groups.values())
            .values_list("group_id", "permission_id")
        )
        rows = []
        for role, codenames in PAGE_PERMISSIONS.items():
            for codename in codenames:
                perm = perms.get(("wagtailcore", codename))
                if perm is not None and (groups[role].pk, perm.pk) not in have:
                    rows.append(
                        GroupPagePermission(group=groups[role], page=root_page, permission=perm)
                    )
        GroupPagePermission.objects.using(using).bulk_create(rows)
        added += len(rows)

    root_collection = Collection.objects.using(using).filter(depth=1).order_by("path").first()
    if root_collection is not None:
        have = set(
            GroupCollectionPermission.objects.using(using)
            .filter(collection=root_collection, group__in=groups.values())
            .values_list("group_id", "permission_id")
        )
        rows = []
        for role, keys in COLLECTION_PERMISSIONS.items():
            for key in keys:
                perm = perms.get(key)
                if perm is not None and (groups[role].pk, perm.pk) not in have:
                    rows.append(
                        GroupCollectionPermission(
                            group=groups[role], collection=root_collection, permission=perm
                        )
                    )
        GroupCollectionPermission.objects.using(using).bulk_create(rows)
        added += len(rows)
    return added


def _on_post_migrate(sender: Any, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
    """Connected without a sender: runs after each app's post_migrate, whatever
    the order of INSTALLED_APPS; cheap when nothing is missing."""
    apps = kwargs.get("apps") or global_apps
    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return
    role_groups_sync(apps=apps, using=using)
