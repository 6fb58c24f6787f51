"""Every way to sign in goes through allauth, and a staff permission needs a
session that passed the second factor, wherever the page is mounted.

The attack of issue 8: `POST /_util/login/` (Wagtail's front-end log-in, a plain
Django LoginView) with a staff password gave a session that opened `/staff/`,
`/cms-admin/`, `/django-admin/` and `/django-rq/` without the TOTP step, without
rate limits and for accounts whose email was never confirmed."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import include, path, reverse
from wagtail.models import Page, PageViewRestriction

from ciic.accounts.models import Role
from ciic.accounts.services import user_roles_set
from ciic.accounts.views import StaffHomeView
from tests.auth import PASSWORD, add_totp, login, totp_code
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/staff/",
    "/staff/roles/",
    "/staff/register/import/",
    "/staff/proposals/",
    "/cms-admin/",
    "/cms-admin/pages/",
    "/django-admin/",
    "/django-admin/proposals/proposal/",
    "/django-rq/",
]


def _admin(**kwargs):  # type: ignore[no-untyped-def]
    """The demo administrator's shape: superuser, Django staff, administrator, TOTP."""
    user = UserFactory(is_superuser=True, is_staff=True, roles=[Role.ADMINISTRATOR], **kwargs)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return add_totp(user)


def _assert_no_staff_page_opens(client) -> None:  # type: ignore[no-untyped-def]
    for page in STAFF_PAGES:
        response = client.get(page)
        assert response.status_code != 200, page
        assert response.status_code in (302, 403), (page, response.status_code)
        if response.status_code == 302:
            location = response["Location"]
            assert location.startswith(("/accounts/login/", "/accounts/2fa/")), (page, location)


def _credentials(user, next_url="/staff/"):  # type: ignore[no-untyped-def]
    # Every field name a log-in form of Django, Wagtail or allauth reads.
    return {
        "username": user.email,
        "login": user.email,
        "email": user.email,
        "password": PASSWORD,
        "next": next_url,
    }


def _restricted_page(home_page):  # type: ignore[no-untyped-def]
    return PageViewRestriction.objects.create(
        page=home_page, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )


@pytest.mark.parametrize(
    "entry",
    [
        "/_util/login/",
        "/cms-admin/login/",
        "/django-admin/login/",
        "/cms-admin/password_reset/",
        "/django-admin/password_change/",
        "page-password",
        "document-password",
        "/accounts/login/",
    ],
)
def test_a_staff_password_alone_opens_no_staff_page(client, home_page, entry):
    admin = _admin()
    if entry == "page-password":
        restriction = _restricted_page(home_page)
        entry = f"/_util/authenticate_with_password/{restriction.pk}/{home_page.pk}/"
    elif entry == "document-password":
        entry = "/documents/authenticate_with_password/1/"
    response = client.get(entry)
    assert response.status_code in ((200,) if entry == "/accounts/login/" else (302, 403))
    response = client.post(entry, _credentials(admin))
    assert response.status_code in (302, 403, 405), response.status_code
    if response.status_code == 302:
        assert response["Location"].startswith(("/accounts/", "/django-admin/", "/cms-admin/"))
    assert client.session.get(SESSION_KEY) is None  # nobody is logged in
    _assert_no_staff_page_opens(client)


def test_foreign_log_in_pages_lead_to_allauth(client):
    for entry in ("/_util/login/", "/cms-admin/login/", "/django-admin/login/"):
        response = client.get(entry + "?next=/staff/")
        assert response.status_code == 302, entry
        assert response["Location"] == "/accounts/login/?next=%2Fstaff%2F", entry
    response = client.get("/cms-admin/password_reset/")
    assert response["Location"] == reverse("account_reset_password")
    # Wagtail's own redirects for visitors go to allauth too.
    response = client.get("/cms-admin/pages/")
    assert response["Location"].startswith("/accounts/login/?next=")
    response = client.get("/django-rq/")
    assert response["Location"].startswith("/accounts/login/?next=")


def test_allauth_password_step_alone_is_not_a_login(client):
    admin = _admin()
    response = client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.session.get(SESSION_KEY) is None
    _assert_no_staff_page_opens(client)


def test_unconfirmed_email_is_not_logged_in_anywhere(client):
    user = UserFactory(is_superuser=True, is_staff=True, roles=[Role.ADMINISTRATOR])
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    for entry in ("/_util/login/", "/django-admin/login/", "/accounts/login/"):
        client.post(entry, _credentials(user))
        assert client.session.get(SESSION_KEY) is None, entry
    _assert_no_staff_page_opens(client)


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "5/m/ip,5/5m/key"})
def test_rate_limit_has_no_way_around(client):
    admin = _admin()
    for _ in range(6):
        client.post(reverse("account_login"), {"login": admin.email, "password": "wrong-wrong"})
    response = client.post(reverse("account_login"), {"login": admin.email, "password": PASSWORD})
    assert response.status_code in (200, 429)  # refused, the right password too
    assert client.session.get(SESSION_KEY) is None
    for entry in ("/_util/login/", "/cms-admin/login/", "/django-admin/login/"):
        client.post(entry, _credentials(admin))
        assert client.session.get(SESSION_KEY) is None, entry


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ASSESSOR, Role.ADMINISTRATOR])
def test_password_only_session_is_refused_everywhere_then_full_session_passes(client, role):
    """A staff account without an authenticator can log in with its password
    (to set one up); such a session holds no staff power on any page."""
    user = UserFactory(roles=[role], is_staff=role == Role.ADMINISTRATOR)
    login(client, user)
    assert client.session.get(SESSION_KEY) == str(user.pk)
    _assert_no_staff_page_opens(client)
    assert client.get("/staff/")["Location"] == reverse("mfa_activate_totp")
    add_totp(user)
    login(client, user)  # password + code
    assert client.get("/staff/").status_code == 200


# A page mounted outside /staff/, as later features (facilitator desk, assessment
# console, voting desk) will be: the second factor is checked all the same.
urlpatterns = [
    path("desk/elsewhere/", StaffHomeView.as_view(), name="desk_elsewhere"),
    path("", include("ciic.urls")),
]


@pytest.mark.urls(__name__)
def test_staff_page_mounted_anywhere_needs_the_second_factor(client):
    user = UserFactory(roles=[Role.FACILITATOR])
    login(client, user)
    response = client.get("/desk/elsewhere/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    add_totp(user)
    login(client, user)
    assert client.get("/desk/elsewhere/").status_code == 200


def test_services_refuse_a_password_only_session_and_allow_jobs(rf):
    """The same predicates guard services: inside a request whose session did not
    pass the second factor, an administrator cannot assign roles; outside any
    request (a job, the shell), roles alone decide."""
    from django.core.exceptions import PermissionDenied
    from django.test import Client

    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    target = UserFactory()
    client = Client()
    login(client, admin)
    response = client.post(
        reverse("accounts:staff_roles_update", kwargs={"pk": target.pk}),
        {f"u{target.pk}-roles": ["facilitator"]},
    )
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert not target.groups.exists()

    from ciic.accounts.second_factor import bound_request

    request = rf.get("/")
    request.user = admin
    request.session = client.session
    with bound_request(request), pytest.raises(PermissionDenied):
        # A copy of the user re-read from the database is judged the same way.
        user_roles_set(
            actor=type(admin).objects.get(pk=admin.pk), user=target, roles=["facilitator"]
        )
    user_roles_set(actor=admin, user=target, roles=["facilitator"])  # outside a request
    assert target.groups.filter(name="facilitator").exists()


def test_totp_code_at_mfa_reauthenticate_completes_a_session(client):
    user = UserFactory(roles=[Role.ASSESSOR])
    login(client, user)
    add_totp(user)
    response = client.get("/staff/proposals/")
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(response["Location"], {"code": totp_code()})
    assert client.get("/staff/proposals/").status_code == 200


def test_pages_home_is_unaffected(client, home_page):
    assert client.get("/").status_code == 200
    assert Page.objects.filter(pk=home_page.pk).exists()
