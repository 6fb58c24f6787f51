"""A double click on "Creați cont": two sign-ups for the same address at the
same moment give one account and two ordinary answers, never an error page."""

import pytest
from django.test import Client
from django.urls import reverse

from ciic.accounts.models import User
from tests.concurrency import race

from .conftest import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(3))
def test_two_signups_for_one_address_at_once(attempt):
    email = f"dublu{attempt}@example.org"
    data = {"email": email, "password1": PASSWORD + "x", "password2": PASSWORD + "x"}

    def sign_up():  # type: ignore[no-untyped-def]
        return Client(raise_request_exception=False).post(reverse("account_signup"), data)

    results = race([sign_up, sign_up])
    assert all(not isinstance(r, Exception) for r in results), results
    assert [r.status_code for r in results] == [302, 302], results  # type: ignore[union-attr]
    assert all("confirm-email" in r["Location"] for r in results)  # type: ignore[index]
    assert User.objects.filter(email__iexact=email).count() == 1
