"""Role x page matrix: anonymous -> log in, resident -> 403, staff -> what the role may see."""

import pytest
from django.urls import reverse

from ciic.accounts.models import Role
from tests.auth import login
from tests.factories import ResidentProfileFactory

from .conftest import make_account

pytestmark = pytest.mark.django_db

F, A, ADM = Role.FACILITATOR, Role.ASSESSOR, Role.ADMINISTRATOR
STAFF = {F, A, ADM}

# page -> roles that may see it (GET)
PAGES = {
    "/staff/": STAFF,
    "/staff/residents/": STAFF,
    "/staff/residents/{resident}/": STAFF,
    "/staff/conflicts/": STAFF,
    "/staff/register/import/": {ADM},
    "/staff/roles/": {ADM},
}


@pytest.fixture
def resident_pk() -> int:
    return ResidentProfileFactory().user_id


@pytest.mark.parametrize("path", list(PAGES))
def test_anonymous_is_sent_to_log_in(client, path, resident_pk):
    url = path.format(resident=resident_pk)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("path", list(PAGES))
@pytest.mark.parametrize("role", [None, Role.RESIDENT, F, A, ADM])
def test_role_page_matrix(client, path, role, resident_pk):
    login(client, make_account(role=role, totp=role in STAFF))
    response = client.get(path.format(resident=resident_pk))
    expected = 200 if role in PAGES[path] else 403
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("eligibility:staff_verify", True),
        ("eligibility:staff_resident_profile", True),
        ("eligibility:staff_revoke", True),
        ("eligibility:staff_conflict_resolve", True),
        ("eligibility:staff_register_import", False),
        ("accounts:staff_roles_update", True),
    ],
)
def test_resident_posts_are_refused(client, name, kwargs, resident_pk):
    login(client, make_account(role=Role.RESIDENT))
    url = reverse(name, kwargs={"pk": resident_pk} if kwargs else None)
    assert client.post(url, {}).status_code == 403


def test_unknown_objects_are_404_for_staff(client):
    login(client, make_account(role=F, totp=True))
    assert client.get("/staff/residents/999999/").status_code == 404
    assert client.post("/staff/verifications/999999/revoke/", {"reason": "x"}).status_code == 404


def test_perms():
    resident = make_account(role=Role.RESIDENT)
    facilitator = make_account(role=F)
    admin = make_account(role=ADM)
    assert not resident.has_perm("eligibility.verify_residents")
    assert facilitator.has_perm("eligibility.verify_residents")
    assert not facilitator.has_perm("eligibility.import_register")
    assert admin.has_perm("eligibility.import_register") and admin.has_perm("accounts.manage_roles")
    assert not facilitator.has_perm("accounts.manage_roles")
