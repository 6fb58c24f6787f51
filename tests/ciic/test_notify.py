"""`notify`, the one email path: rendered in the recipient's language, written
to the outbox in the caller's transaction, delivered after the commit."""

from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction

from ciic.links import site_url
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import email_deliver, notify, recipient_language
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = "eligibility/email/verification_expired"


def _context():  # type: ignore[no-untyped-def]
    import datetime as dt

    return {"valid_until": dt.date(2026, 1, 31), "url": site_url("/me/")}


def test_rendered_in_the_accounts_language_and_delivered_after_commit(
    django_capture_on_commit_callbacks,
):
    ro, en = UserFactory(preferred_language="ro"), UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(user=ro, template=TEMPLATE, context=_context())
        notify(user=en, template=TEMPLATE, context=_context())
        assert not mail.outbox  # nothing leaves before the commit
    assert len(callbacks) == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[en.email].subject == "[CIIC Sector 6] Your residence verification has expired"
    assert "31 January 2026" in by_address[en.email].body
    assert "31 ianuarie 2026" in by_address[ro.email].body.lower()
    assert "Hello" not in by_address[ro.email].body
    rows = {r.language: r for r in OutgoingEmail.objects.all()}
    assert set(rows) == {"ro", "en"} and rows["ro"].user == ro and rows["ro"].template == TEMPLATE


def test_language_explicit_then_account_then_default(settings):
    settings.LANGUAGE_CODE = "ro"
    user = UserFactory(preferred_language="en")
    assert recipient_language(user=user) == "en"
    assert recipient_language(user=user, language="ro") == "ro"
    assert recipient_language(user=None, language="de") == "ro"  # not a site language
    assert recipient_language(user=None) == "ro"
    assert recipient_language(user=None, language="en-gb") == "en"


def test_an_address_without_account(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = notify(
            email="nobody@example.org",
            template="account/email/unknown_account",
            context={"signup_url": site_url("/accounts/signup/")},
            language="en",
        )
    assert row is not None and row.user is None
    assert mail.outbox[0].to == ["nobody@example.org"]


def test_no_address_no_email():
    user = UserFactory(email="")
    assert notify(user=user, template=TEMPLATE, context=_context()) is None
    assert not OutgoingEmail.objects.exists()


def test_a_key_queues_one_message(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(user=user, template=TEMPLATE, context=_context(), key="expiry:1")
        again = notify(user=user, template=TEMPLATE, context=_context(), key="expiry:1")
    assert first is not None and again is not None and first.pk == again.pk
    assert len(mail.outbox) == 1
    assert email_deliver(email_id=first.pk) is False  # a second delivery job sends nothing
    assert len(mail.outbox) == 1


def test_rollback_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            notify(user=user, template=TEMPLATE, context=_context())
            1 / 0  # noqa: B018
    assert not OutgoingEmail.objects.exists() and not mail.outbox


def test_links_use_site_url_and_text_is_not_html_escaped(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://buget.example.ro"
    user = UserFactory()
    proposal = {"reference": "S6-2026-0007", "title": "Bănci & coșuri <noi>"}
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=user,
            template="proposals/email/status_changed",
            context={
                "proposal": proposal,
                "status_label": "Submitted",
                "note": "Tom & Jerry",
                "url": site_url("/proposals/S6-2026-0007/"),
            },
        )
    (message,) = mail.outbox
    assert "“Bănci & coșuri <noi>”" in message.body and "Tom & Jerry" in message.body
    assert "https://buget.example.ro/proposals/S6-2026-0007/" in message.body
    html = message.alternatives[0][0]
    assert "Bănci &amp; coșuri &lt;noi&gt;" in html  # the HTML part is escaped


def test_site_url():
    from django.test import override_settings

    with override_settings(SITE_URL="https://buget.example.ro"):
        assert site_url("/me/") == "https://buget.example.ro/me/"
        assert (
            site_url("http://testserver:8100/a/b/?k=1#x") == "https://buget.example.ro/a/b/?k=1#x"
        )
    with override_settings(SITE_URL="https://example.ro/pb/"):
        assert site_url("/me/") == "https://example.ro/pb/me/"
        assert site_url("http://10.0.0.5/pb/me/") == "https://example.ro/pb/me/"


def test_one_email_path_in_the_code():
    """Only ciic.notifications builds or sends email messages; everything else
    calls notify (or goes through the outbox backend)."""
    offenders = []
    for folder in ("ciic", "geo", "proposals", "voting", "workshops", "cms"):
        for path in (REPO / folder).rglob("*.py"):
            if "migrations" in path.parts or path.is_relative_to(REPO / "ciic" / "notifications"):
                continue
            text = path.read_text(encoding="utf-8")
            for needle in ("send_mail(", "EmailMessage", "EmailMultiAlternatives", "mail_admins("):
                if needle in text and not (
                    needle == "send_mail("
                    and path.name == "adapter.py"
                    and "def send_mail(" in text
                ):
                    offenders.append(f"{path.relative_to(REPO)}: {needle}")
    assert offenders == [], "send email with ciic.notifications.services.notify"
