"""Two-factor authentication is required for every staff role, in every session."""

import pytest
from django.urls import reverse

from ciic.accounts.models import STAFF_ROLES, Role
from tests.auth import add_totp

from .conftest import PASSWORD, login, make_account, totp_code

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("path", ["/staff/", "/staff/residents/", "/cms-admin/", "/django-admin/"])
def test_staff_without_totp_are_sent_to_activate_it(client, role, path):
    login(client, make_account(role=role))  # password only: no authenticator yet
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


# Transactional, as in production: allauth announces the new authenticator when
# the transaction commits, inside the request.
@pytest.mark.django_db(transaction=True)
def test_totp_activation_page_renders_qr_inline(client):
    user = make_account(role=Role.FACILITATOR)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get("/staff/")
    assert response["Location"] == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    # allauth asks for the password again before changing two-factor settings.
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code is inline: works offline
    assert 'class="site-header"' in html
    # Activate with a code from the secret shown on the page: typing a valid code
    # completes the second factor of this session, so staff pages open.
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_staff_with_totp_must_enter_code_at_login_then_get_through(client):
    user = make_account(role=Role.ASSESSOR, totp=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Password alone is not a login.
    assert client.get("/staff/").status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200


def test_session_from_before_the_authenticator_must_enter_the_code(client):
    """A session logged in by password before TOTP was set up elsewhere: staff
    pages ask for the code (then carry on), they do not open on the old session."""
    user = make_account(role=Role.ADMINISTRATOR)
    login(client, user)
    add_totp(user)  # e.g. set up on another device
    response = client.get("/staff/roles/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fstaff%2Froles%2F"
    response = client.post(response["Location"], {"code": totp_code()})
    assert response.status_code == 302 and response["Location"] == "/staff/roles/"
    assert client.get("/staff/roles/").status_code == 200


def test_residents_are_not_asked_for_totp(client):
    login(client, make_account(role=Role.RESIDENT))
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert client.get("/staff/").status_code == 403
