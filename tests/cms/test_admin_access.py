import pytest

from ciic.accounts.models import Role
from tests.auth import add_totp, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _with_totp(user):  # type: ignore[no-untyped-def]
    add_totp(user)
    return user


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.FACILITATOR])
def test_editors_open_the_home_page_in_wagtail(client, home_page, role):
    login(client, _with_totp(UserFactory(roles=[role])))
    response = client.get(f"/cms-admin/pages/{home_page.pk}/edit/")
    assert response.status_code == 200
    assert 'name="intro"' in response.content.decode()


def test_staff_without_two_factor_are_sent_to_set_it_up_first(client, home_page):
    login(client, UserFactory(roles=[Role.ADMINISTRATOR]))
    response = client.get(f"/cms-admin/pages/{home_page.pk}/edit/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response["Location"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.ASSESSOR])
def test_no_page_editing_for_residents_and_assessors(client, home_page, role):
    user = UserFactory(roles=[role])
    if role == Role.ASSESSOR:
        _with_totp(user)
    login(client, user)
    assert client.get(f"/cms-admin/pages/{home_page.pk}/edit/").status_code == 403
    assert client.get("/django-admin/").status_code == 403
    assert client.get("/django-rq/").status_code == 403
