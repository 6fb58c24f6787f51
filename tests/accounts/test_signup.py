"""Sign-up by email, mandatory verification, log-in, password reset (allauth)."""

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from ciic.accounts.models import User

from .conftest import PASSWORD, make_account

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-9"


def _link(message) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _delivered():  # type: ignore[no-untyped-def]
    """Mail is queued in the outbox and delivered after the commit."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def test_signup_confirm_email_then_log_in(client, settings):
    settings.SITE_URL = "https://buget.example.ro"
    with _delivered():
        response = client.post(
            reverse("account_signup"),
            {"email": "ana@example.org", "password1": PASSWORD + "x", "password2": PASSWORD + "x"},
        )
    assert response.status_code == 302
    user = User.objects.get(email="ana@example.org")
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.org"]
    # Not verified yet: the session is not logged in.
    assert client.get(reverse("accounts:dashboard")).status_code == 302

    # The link is on the public site, not on the host the request came in on.
    assert "https://buget.example.ro/accounts/confirm-email/" in mail.outbox[0].body
    assert "testserver" not in mail.outbox[0].body
    confirm_url = _link(mail.outbox[0])
    assert "/accounts/confirm-email/" in confirm_url
    assert client.get(confirm_url).status_code == 200  # a page with a button, no GET side effect
    assert not user.emailaddress_set.get().verified
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert user.emailaddress_set.get().verified
    assert client.get(reverse("accounts:dashboard")).status_code == 200  # logged in on confirmation

    client.post(reverse("account_logout"))
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    response = client.post(
        reverse("account_login"), {"login": "ana@example.org", "password": PASSWORD + "x"}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_unverified_email_cannot_log_in(client):
    client.post(
        reverse("account_signup"),
        {"email": "bob@example.org", "password1": PASSWORD + "x", "password2": PASSWORD + "x"},
    )
    client.logout()
    mail.outbox.clear()
    with _delivered():
        response = client.post(
            reverse("account_login"), {"login": "bob@example.org", "password": PASSWORD + "x"}
        )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    assert len(mail.outbox) == 1  # a fresh confirmation email


def test_signup_errors_are_shown_next_to_fields_and_create_nothing(client):
    make_account(email="taken@example.org")
    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-email", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    html = response.content.decode()
    assert 'class="field field-error"' in html and "errorlist" in html
    with _delivered():
        response = client.post(
            reverse("account_signup"),
            {
                "email": "taken@example.org",
                "password1": PASSWORD + "x",
                "password2": PASSWORD + "x",
            },
        )
    # allauth prevents account enumeration: the page looks like success, the
    # owner of the address gets an "account already exists" email instead.
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert User.objects.count() == 1
    assert mail.outbox[-1].to == ["taken@example.org"]


def test_wrong_password_is_refused(client):
    user = make_account()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope-nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert client.get(reverse("accounts:dashboard")).status_code == 302


def test_password_reset(client):
    user = make_account()
    with _delivered():
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    reset_url = _link(mail.outbox[0])
    response = client.get(reset_url)
    assert response.status_code == 302  # allauth moves the key into the session
    set_url = response["Location"]
    response = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_allauth_pages_use_the_site_layout(client):
    html = client.get(reverse("account_login")).content.decode()
    assert 'class="site-header"' in html and "allauth-entrance" in html
    assert "http://" not in html.replace("http://testserver", "") or "https://" not in html


def test_allauth_emails_in_the_recipients_language_on_site_url(client, settings):
    """The page is Romanian; the account prefers English: its email is English.
    An address without an account gets the language of the page."""
    settings.LANGUAGE_CODE = "ro"
    settings.SITE_URL = "https://buget.example.ro"
    user = make_account(language="en")
    with _delivered():
        client.post(reverse("account_reset_password"), {"email": user.email})
        client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    reset, unknown = sorted(mail.outbox, key=lambda m: m.to[0] != user.email)
    assert reset.to == [user.email] and reset.subject == "[CIIC Sector 6] Choose a new password"
    assert "https://buget.example.ro/accounts/password/reset/key/" in reset.body
    assert unknown.to == ["nobody@example.org"]
    assert unknown.subject == "[CIIC Sector 6] Niciun cont cu această adresă"
    assert "https://buget.example.ro/accounts/signup/" in unknown.body
