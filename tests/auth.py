"""Logging in for real in tests: allauth's log-in form, then its TOTP step.

Staff permissions are honoured only in a session that passed the second
factor (ciic.accounts.second_factor); `client.force_login` makes a session
without any authentication record, so staff tests log in with `login()`."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import reverse

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The current code; near the end of its 30 s window, the next window's
    (after waiting for it), so that a slow browser step cannot send a code
    that has expired on its way (the server accepts no other window)."""
    import time

    left = 30 - time.time() % 30
    if left < 6:
        time.sleep(left + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def add_totp(user: Any, secret: str = TOTP_SECRET) -> Any:
    """Give `user` a TOTP authenticator with `secret` (as the set-up page does)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, secret)
    return user


def confirm_email(user: Any) -> Any:
    """Mark the account's email address as confirmed (as the link in allauth's
    email does), which allauth requires before any log-in."""
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def login(client: Any, user: Any, *, password: str = PASSWORD, secret: str = TOTP_SECRET) -> Any:
    """Log `user` in through allauth as a browser would: the password form, then
    the code from `secret` if the account has an authenticator. The account's
    email is confirmed first if it is not. Returns the last response; asserts
    the session is logged in as `user`."""
    confirm_email(user)
    client.logout()
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content[:2000]
    if response["Location"] == reverse("mfa_authenticate"):
        code = totp_code(secret)
        # allauth refuses a code used in the last 30 s (replay protection); a test
        # that logs the same account in twice needs it forgotten.
        cache.delete(f"allauth.mfa.totp.used?user={user.pk}&code={code}")
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.status_code == 302, response.content[:2000]
    assert client.session.get(SESSION_KEY) == str(user.pk), response.get("Location")
    return response
