import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from ciic.accounts.models import Role
from ciic.accounts.roles import role_groups_sync
from tests.auth import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_admin_permissions():
    role_groups_sync()
    role_groups_sync()  # idempotent
    assert set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True)) == set(
        Role.values
    )
    admin = Group.objects.get(name=Role.ADMINISTRATOR)
    facilitator = Group.objects.get(name=Role.FACILITATOR)
    assert admin.permissions.filter(codename="access_admin").exists()
    assert facilitator.permissions.filter(codename="access_admin").exists()
    assert not Group.objects.get(name=Role.RESIDENT).permissions.exists()
    assert not Group.objects.get(name=Role.ASSESSOR).permissions.exists()
    admin_page_perms = set(
        GroupPagePermission.objects.filter(group=admin).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_page", "change_page", "publish_page"} <= admin_page_perms
    facilitator_page_perms = set(
        GroupPagePermission.objects.filter(group=facilitator).values_list(
            "permission__codename", flat=True
        )
    )
    assert "publish_page" not in facilitator_page_perms
    assert "change_page" in facilitator_page_perms


def test_an_administrator_who_is_not_superuser_may_use_wagtail():
    role_groups_sync()
    user = UserFactory(roles=[Role.ADMINISTRATOR])
    assert user.has_perm("wagtailadmin.access_admin")
    resident = UserFactory(roles=[Role.RESIDENT])
    assert not resident.has_perm("wagtailadmin.access_admin")


@pytest.mark.parametrize("path", ["/cms-admin/", "/django-admin/", "/django-rq/"])
def test_residents_get_a_403_from_the_admin_areas(client, path):
    login(client, UserFactory(roles=[Role.RESIDENT]))
    response = client.get(path)
    assert response.status_code == 403
    assert "CIIC" in response.content.decode()
