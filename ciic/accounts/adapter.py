"""allauth adapter: sign-up must not tell which addresses have accounts.

allauth already answers a sign-up with an address that has an account like any
other sign-up (ACCOUNT_PREVENT_ENUMERATION, on by default): same redirect, and
the owner gets an "account already exists" email instead of a new account. Two
differences remained, both closed here and in `forms.SignupForm`:
- the "we sent you an email" message was missing when allauth's per-address
  rate limit held the email back, which happens for an address that was just
  mailed (so for a taken address probed twice); the message is now always given;
- a new account costs a password hash (about 0.3 s with production's hasher), a
  taken address cost nothing; the sign-up form now hashes in both cases.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

CONFIRMATION_SENT = "account/messages/email_confirmation_sent.txt"


class AccountAdapter(DefaultAccountAdapter):
    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template == CONFIRMATION_SENT:
            request._ciic_email_sent_announced = True  # type: ignore[attr-defined]
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def respond_email_verification_sent(self, request: HttpRequest, user: Any) -> HttpResponseBase:
        email = getattr(request, "_ciic_signup_email", None)
        if email and not getattr(request, "_ciic_email_sent_announced", False):
            self.add_message(
                request,
                messages.INFO,
                CONFIRMATION_SENT,
                {"email": email, "login": False, "signup": True},
            )
        return super().respond_email_verification_sent(request, user)

    def send_account_already_exists_mail(self, email: str) -> None:
        from allauth.account.internal import flows
        from allauth.core import context

        request = context.request
        self.send_mail(
            "account/email/account_already_exists",
            email,
            {
                "email": email,
                "login_url": request.build_absolute_uri(reverse("account_login")),
                "signup_url": flows.signup.get_signup_url(request),
                "password_reset_url": flows.password_reset.get_reset_password_url(request),
            },
        )
