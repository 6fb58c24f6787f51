import pytest
from django.urls import reverse

from ciic.accounts.models import Role
from ciic.audit.models import Event
from tests.auth import login

from .conftest import make_account

pytestmark = pytest.mark.django_db


def test_administrator_assigns_roles(client):
    admin = make_account(role=Role.ADMINISTRATOR, totp=True)
    user = make_account(role=Role.RESIDENT)
    login(client, admin)
    response = client.post(
        reverse("accounts:staff_roles_update", kwargs={"pk": user.pk}),
        {f"u{user.pk}-roles": ["resident", "facilitator"]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {"resident", "facilitator"}
    event = Event.objects.get(action="accounts.roles_changed")
    assert event.before == {"roles": ["resident"]}
    assert event.after == {"roles": ["facilitator", "resident"]}
    page = client.get(response["Location"])
    assert user.email in page.content.decode()


def test_unknown_role_is_an_error_next_to_the_field(client):
    admin = make_account(role=Role.ADMINISTRATOR, totp=True)
    user = make_account()
    login(client, admin)
    response = client.post(
        reverse("accounts:staff_roles_update", kwargs={"pk": user.pk}),
        {f"u{user.pk}-roles": ["king"]},
    )
    assert response.status_code == 200
    assert "Unknown role." in response.content.decode()
    assert not user.groups.exists() and not Event.objects.exists()


def test_administrator_cannot_remove_own_administrator_role(client):
    admin = make_account(role=Role.ADMINISTRATOR, totp=True)
    login(client, admin)
    response = client.post(
        reverse("accounts:staff_roles_update", kwargs={"pk": admin.pk}), {f"u{admin.pk}-roles": []}
    )
    assert response.status_code == 200
    assert "cannot remove your own administrator role" in response.content.decode()
    assert admin.groups.filter(name="administrator").exists()


def test_roles_page_query_count_is_bounded(client, django_assert_max_num_queries):
    admin = make_account(role=Role.ADMINISTRATOR, totp=True)
    for _ in range(10):
        make_account(role=Role.FACILITATOR)
    login(client, admin)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("accounts:staff_roles")).status_code == 200
