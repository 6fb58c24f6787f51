"""The role groups and what each may do in the Wagtail and Django admins.

Run after every migrate (post_migrate), so a fresh production database has the
groups with the right permissions without anyone clicking through the admin.
Idempotent: it only adds what is missing."""

from django.contrib.auth.models import Group, Permission

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
ADMIN_ACCESS = (Role.ADMINISTRATOR, Role.FACILITATOR)


def role_groups_sync() -> None:
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role in ADMIN_ACCESS and access_admin is not None:
            group.permissions.add(access_admin)
        if root_page is not None:
            for codename in PAGE_PERMISSIONS.get(role, []):
                perm = Permission.objects.filter(
                    content_type__app_label="wagtailcore", codename=codename
                ).first()
                if perm is not None:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root_page, permission=perm
                    )
        if root_collection is not None:
            for app_label, codename in COLLECTION_PERMISSIONS.get(role, []):
                perm = Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                if perm is not None:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=perm
                    )


def _on_post_migrate(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    # Run once, after the last app's permissions exist.
    from django.apps import apps

    if sender is not list(apps.get_app_configs())[-1]:
        return
    using = kwargs.get("using", "default")
    if using != "default":
        return
    role_groups_sync()
