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

Every email allauth sends (address confirmation, password reset, "account
already exists", "unknown account") goes through `send_mail` below into the
platform's one email path (`ciic.notifications.services.notify`): the durable
outbox, in the recipient's language (the account's preferred language; for an
address without an account, the language of the page), with links on
`SITE_URL` rather than on the host the request came in on. A new account's
preferred language is the language of the sign-up page.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import translation

from ciic.links import site_info, site_url

CONFIRMATION_SENT = "account/messages/email_confirmation_sent.txt"


def _account_for(email: str) -> Any:
    from allauth.account.models import EmailAddress

    from .models import User

    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    if address is not None:
        return address.user
    return User.objects.filter(email__iexact=email).first()


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        from ciic.notifications.services import notify

        user = context.get("user") or _account_for(email)
        ctx = {
            name: site_url(value) if name.endswith("_url") and isinstance(value, str) else value
            for name, value in context.items()
            if name != "request"
        }
        ctx["current_site"] = site_info()
        notify(
            template=template_prefix,
            context=ctx,
            user=user,
            email=email,
            language=None if user is not None else translation.get_language(),
        )

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        from ciic.notifications.rendering import supported_language

        language = supported_language(translation.get_language())
        if language:
            user.preferred_language = language
        return super().save_user(request, user, form, commit=commit)

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
                "login_url": site_url(reverse("account_login")),
                "signup_url": flows.signup.get_signup_url(request),
                "password_reset_url": flows.password_reset.get_reset_password_url(request),
            },
        )
