"""Role groups get their permissions the way production gets them: `manage.py
migrate` on a new database, in a separate process (no test shortcut)."""

import json
import os
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.db.models.signals import post_migrate
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from ciic.accounts.models import Role
from ciic.accounts.roles import role_groups_sync
from tests.conftest import REPO_ROOT
from tests.factories import UserFactory

from .conftest import login

# What each role must hold after a plain `migrate` (the README promises that
# facilitators and administrators edit pages in Wagtail).
EXPECTED = {
    Role.ADMINISTRATOR: {
        "group": {"wagtailadmin.access_admin"},
        "page": {
            "add_page",
            "change_page",
            "publish_page",
            "bulk_delete_page",
            "lock_page",
            "unlock_page",
        },
        "collection": {
            "wagtailimages.add_image",
            "wagtailimages.change_image",
            "wagtailimages.delete_image",
            "wagtailimages.choose_image",
            "wagtaildocs.add_document",
            "wagtaildocs.change_document",
            "wagtaildocs.delete_document",
            "wagtaildocs.choose_document",
        },
    },
    Role.FACILITATOR: {
        "group": {"wagtailadmin.access_admin"},
        "page": {"add_page", "change_page"},
        "collection": {
            "wagtailimages.add_image",
            "wagtailimages.choose_image",
            "wagtaildocs.add_document",
            "wagtaildocs.choose_document",
        },
    },
    Role.ASSESSOR: {"group": set(), "page": set(), "collection": set()},
    Role.RESIDENT: {"group": set(), "page": set(), "collection": set()},
}

GRANTS_SQL = {
    "group": """
        SELECT g.name, ct.app_label || '.' || p.codename
        FROM auth_group g
        JOIN auth_group_permissions gp ON gp.group_id = g.id
        JOIN auth_permission p ON p.id = gp.permission_id
        JOIN django_content_type ct ON ct.id = p.content_type_id""",
    "page": """
        SELECT g.name, p.codename
        FROM wagtailcore_grouppagepermission gpp
        JOIN auth_group g ON g.id = gpp.group_id
        JOIN auth_permission p ON p.id = gpp.permission_id
        JOIN wagtailcore_page pg ON pg.id = gpp.page_id AND pg.depth = 1""",
    "collection": """
        SELECT g.name, ct.app_label || '.' || p.codename
        FROM wagtailcore_groupcollectionpermission gcp
        JOIN auth_group g ON g.id = gcp.group_id
        JOIN auth_permission p ON p.id = gcp.permission_id
        JOIN django_content_type ct ON ct.id = p.content_type_id
        JOIN wagtailcore_collection c ON c.id = gcp.collection_id AND c.depth = 1""",
}


def _migrate_in_subprocess(database_url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "ciic.settings.test",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _grants(cursor) -> dict[str, dict[str, set[str]]]:  # type: ignore[no-untyped-def]
    out: dict[str, dict[str, set[str]]] = {
        role: {kind: set() for kind in GRANTS_SQL} for role in Role.values
    }
    cursor.execute("SELECT name FROM auth_group")
    groups = {row[0] for row in cursor.fetchall()}
    assert set(Role.values) <= groups, groups
    for kind, sql in GRANTS_SQL.items():
        cursor.execute(sql)
        for group, perm in cursor.fetchall():
            if group in out:
                out[group][kind].add(perm)
    return out


def _assert_expected(grants) -> None:  # type: ignore[no-untyped-def]
    for role, kinds in EXPECTED.items():
        assert grants[role] == kinds, json.dumps(
            {k: sorted(v) for k, v in grants[role].items()}, indent=1
        )


@pytest.mark.slow
@pytest.mark.own_db
def test_fresh_sqlite_database_gets_role_permissions_from_migrate(sqlite_template):
    # sqlite_template: a new SQLite file migrated by `manage.py migrate` in a
    # subprocess, as `make run` migrates it (made once per test process, read here)
    with sqlite3.connect(f"file:{sqlite_template}?mode=ro", uri=True) as conn:
        _assert_expected(_grants(conn.cursor()))


@pytest.mark.slow
@pytest.mark.postgres
def test_fresh_postgresql_database_gets_role_permissions_from_migrate(settings):
    import psycopg

    db = settings.DATABASES["default"]
    name = f"{db['NAME']}_fresh_{uuid.uuid4().hex[:8]}"
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = params["user"] + (f":{params['password']}" if params["password"] else "")
        _migrate_in_subprocess(f"postgres://{auth}@{params['host']}:{params['port']}/{name}")
        with psycopg.connect(dbname=name, **params) as conn:
            _assert_expected(_grants(conn.cursor()))
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_post_migrate_handler_restores_grants_whatever_the_sender():
    """The handler does not wait for a particular app: a post_migrate from the
    first app in INSTALLED_APPS, or from any other, puts missing grants back."""
    GroupPagePermission.objects.all().delete()
    GroupCollectionPermission.objects.all().delete()
    Group.objects.filter(name__in=Role.values).delete()
    for app_config in (
        list(global_apps.get_app_configs())[0],
        global_apps.get_app_config("wagtailimages"),
    ):
        post_migrate.send(
            sender=app_config, app_config=app_config, using="default", apps=global_apps
        )
        admin = Group.objects.get(name=Role.ADMINISTRATOR)
        assert admin.permissions.filter(codename="access_admin").exists()
        assert GroupPagePermission.objects.filter(
            group=admin, permission__codename="publish_page"
        ).exists()
        assert role_groups_sync() == 0  # nothing left to add: idempotent


@pytest.mark.django_db
def test_sync_adds_only_what_is_missing_and_keeps_manual_grants():
    from django.contrib.auth.models import Permission

    facilitator = Group.objects.get(name=Role.FACILITATOR)
    extra = Permission.objects.get(codename="delete_image")
    facilitator.permissions.add(extra)  # granted by hand in the admin
    GroupPagePermission.objects.filter(group=facilitator).delete()
    assert role_groups_sync() == 2  # add_page and change_page back
    assert facilitator.permissions.filter(pk=extra.pk).exists()
    assert role_groups_sync() == 0


@pytest.mark.django_db
def test_an_administrator_who_is_not_superuser_may_use_wagtail(client):
    # No sync call: the test database was built by the migrations.
    user = UserFactory(roles=[Role.ADMINISTRATOR])
    assert user.has_perm("wagtailadmin.access_admin")  # outside a request: roles decide
    resident = UserFactory(roles=[Role.RESIDENT])
    assert not resident.has_perm("wagtailadmin.access_admin")
    login(client, resident)
    assert client.get("/cms-admin/").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cms-admin/", "/django-admin/", "/django-rq/"])
def test_residents_get_a_403_from_the_admin_areas(client, path):
    login(client, UserFactory(roles=[Role.RESIDENT]))
    response = client.get(path)
    assert response.status_code == 403
    assert "CIIC" in response.content.decode()
