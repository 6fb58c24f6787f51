"""Mail rendered at delivery (`notify(..., deferred=True)`, a receipt per
ballot): the request that queues it writes the template, the language and a
JSON context; the delivery renders it, sends it and keeps the text it sent.
A message whose templates fail stays pending with its error and does not
hold up the others."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from ciic.notifications.models import OutgoingEmail
from ciic.notifications.rendering import context_dump, context_load
from ciic.notifications.services import (
    email_deliver,
    emails_deliver_fresh,
    emails_redact_sent,
    notify,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RECEIPT = "voting/email/receipt"


def _context(code: str = "ABCD-EFGH-JKLM") -> dict:  # type: ignore[type-arg]
    return {
        "call": {"name": "Bugetare participativă 2026"},
        "code": code,
        "channel": "online",
        "changed": False,
        "closes": dt.datetime(2026, 6, 20, 20, 59, tzinfo=dt.UTC),
        "receipts_url": "https://example.org/results/x/receipts/",
    }


def test_context_keeps_dates_and_refuses_objects():  # type: ignore[no-untyped-def]
    when = dt.datetime(2026, 6, 20, 20, 59, tzinfo=dt.UTC)
    kept = context_dump({"a": [1, "x", None], "when": when, "day": when.date(), "d": {"n": 2}})
    assert context_load(kept) == {
        "a": [1, "x", None],
        "when": when,
        "day": when.date(),
        "d": {"n": 2},
    }
    with pytest.raises(TypeError):
        context_dump({"user": UserFactory.build()})
    with pytest.raises(TypeError):
        context_dump({"naive": dt.datetime(2026, 1, 1)})  # noqa: DTZ001


def test_a_deferred_message_is_rendered_at_delivery_and_keeps_what_was_sent(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = UserFactory(preferred_language="en")
    row = notify(user=user, template=RECEIPT, context=_context(), deferred=True)
    assert row is not None
    row.refresh_from_db()
    assert row.subject == row.body == row.html == "" and row.context["code"] == "ABCD-EFGH-JKLM"
    assert row.language == "en" and row.status == "pending"

    assert email_deliver(email_id=row.pk)
    row.refresh_from_db()
    assert row.status == "sent" and row.context is None
    assert "ABCD-EFGH-JKLM" in row.body and "Bugetare participativă 2026" in row.subject
    (sent,) = mail.outbox
    assert sent.to == [user.email] and sent.body == row.body
    assert "20 June 2026, 23:59" in sent.body  # the close, in Bucharest's time, formatted


def test_a_message_whose_templates_fail_stays_pending_and_the_others_go(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    good = notify(
        user=UserFactory(), template=RECEIPT, context=_context("GOOD-CODE-0001"), deferred=True
    )
    bad = notify(user=UserFactory(), template="no/such/template", context={}, deferred=True)
    later = notify(
        user=UserFactory(), template=RECEIPT, context=_context("GOOD-CODE-0002"), deferred=True
    )
    assert good and bad and later
    assert emails_deliver_fresh() == 2
    statuses = dict(OutgoingEmail.objects.values_list("pk", "status"))
    assert statuses == {good.pk: "sent", bad.pk: "pending", later.pk: "sent"}
    bad.refresh_from_db()
    assert bad.attempts == 1 and "rendering" in bad.last_error and bad.context == {}
    assert sorted(m.body.count("GOOD-CODE") for m in mail.outbox) == [1, 1]
    assert "no/such/template" in bad.last_error
    # The sweep's single delivery tries it again, and fails the same way.
    assert not email_deliver(email_id=bad.pk)
    bad.refresh_from_db()
    assert bad.status == "pending" and bad.attempts == 2 and bad.last_error


def test_old_sent_messages_lose_their_text_and_context(settings):  # type: ignore[no-untyped-def]
    settings.OUTBOX_RETENTION_DAYS = 30
    row = notify(user=UserFactory(), template=RECEIPT, context=_context(), deferred=True)
    assert row is not None
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status="sent", sent_at=timezone.now() - dt.timedelta(days=31)
    )
    assert emails_redact_sent() == 1
    row.refresh_from_db()
    assert row.context is None and row.body == ""


def test_a_rendering_error_never_quotes_the_context(settings, monkeypatch, caplog):  # type: ignore[no-untyped-def]
    settings.OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from ciic.notifications import services

    def broken(template, context, *, language):  # type: ignore[no-untyped-def]
        raise ValueError(f"cannot render {context}")

    monkeypatch.setattr(services, "email_render", broken)
    row = notify(
        user=UserFactory(), template=RECEIPT, context=_context("SECR-ETCO-DE00"), deferred=True
    )
    assert row is not None
    assert not email_deliver(email_id=row.pk)
    assert emails_deliver_fresh() == 0
    row.refresh_from_db()
    assert row.status == "pending" and "ValueError" in row.last_error
    assert "SECR-ETCO-DE00" not in row.last_error
    assert "SECR-ETCO-DE00" not in caplog.text and "ValueError" in caplog.text
