"""Sign-up does not reveal which addresses have accounts: the same answer (page,
message, one email) and the same work (one password hash) for a new address
and a taken one; the owner of a taken address is told by email instead."""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from ciic.accounts.models import User

from .conftest import PASSWORD, make_account

pytestmark = pytest.mark.django_db

HASHES: list[str] = []


class CountingHasher(MD5PasswordHasher):
    """Counts how many passwords are hashed (the slow step of a sign-up)."""

    def encode(self, password, salt):  # type: ignore[no-untyped-def]
        HASHES.append(password)
        return super().encode(password, salt)


RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}


def _sign_up(client, email):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    mail.outbox.clear()
    HASHES.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):  # mail leaves after the commit
        response = client.post(
            reverse("account_signup"),
            {"email": email, "password1": PASSWORD + "x", "password2": PASSWORD + "x"},
            follow=True,
        )
    html = response.content.decode().replace(email, "EMAIL")
    messages = [str(m).replace(email, "EMAIL") for m in response.context["messages"]]
    return {
        "chain": response.redirect_chain,
        "status": response.status_code,
        "messages": messages,
        "main": re.search(r"<main.*</main>", html, re.S).group(0),  # type: ignore[union-attr]
        "mails_to": [m.to for m in mail.outbox],
        "hashes": len(HASHES),
        "mails": list(mail.outbox),
    }


@override_settings(
    ACCOUNT_RATE_LIMITS=RATE_LIMITS,
    PASSWORD_HASHERS=["tests.accounts.test_signup_enumeration.CountingHasher"],
)
def test_new_and_taken_addresses_get_the_same_answer(client):
    make_account(email="taken@example.org")
    new = _sign_up(client, "new@example.org")
    taken = _sign_up(client, "taken@example.org")
    for key in ("chain", "status", "messages", "main", "hashes"):
        assert new[key] == taken[key], key
    assert new["messages"] == [
        "We have sent an email to EMAIL. Please follow the instructions in it to continue."
    ]
    assert new["hashes"] == 1  # the same slow step for both
    assert new["mails_to"] == [["new@example.org"]] and taken["mails_to"] == [["taken@example.org"]]
    assert User.objects.filter(email="taken@example.org").count() == 1
    # The owner of the taken address learns about it, with the way back in.
    owner_mail = taken["mails"][0]
    assert "already" in owner_mail.subject
    assert "/accounts/login/" in owner_mail.body and "/accounts/password/reset/" in owner_mail.body


@override_settings(ACCOUNT_RATE_LIMITS=RATE_LIMITS)
def test_probing_twice_answers_the_same(client):
    """allauth mails an address at most once in 3 minutes; a second probe of a
    taken address must still answer like a first probe of a new one."""
    make_account(email="taken@example.org")
    first = _sign_up(client, "taken@example.org")
    second = _sign_up(client, "taken@example.org")
    fresh = _sign_up(client, "fresh@example.org")
    assert second["mails_to"] == []  # not mailed again so soon
    assert first["messages"] == second["messages"] == fresh["messages"] != []
    assert first["main"] == second["main"] == fresh["main"]


def test_messages_and_emails_are_in_romanian(client, settings):
    settings.LANGUAGE_CODE = "ro"
    make_account(email="taken@example.org", language="ro")
    with translation.override("ro"):
        new = _sign_up(client, "nou@example.org")
        taken = _sign_up(client, "taken@example.org")
    assert new["messages"] == [
        "Am trimis un e-mail la EMAIL. Vă rugăm să urmați instrucțiunile din el pentru a continua."
    ]
    assert new["messages"] == taken["messages"]
    assert "Verificați-vă e-mailul" in new["main"] and new["main"] == taken["main"]
    confirmation, owner = new["mails"][0], taken["mails"][0]
    assert "Vă rugăm să confirmați adresa de e-mail" in confirmation.subject
    assert "Bună ziua" in confirmation.body and "Echipa CIIC Sector 6" in confirmation.body
    assert "Aveți deja un cont" in owner.subject
    assert "Există deja un cont" in owner.body
    for message in (confirmation, owner):
        assert "Hello" not in message.body and "account" not in message.body.replace(
            "/accounts/", ""
        )
