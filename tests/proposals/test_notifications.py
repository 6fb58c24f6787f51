"""The author is emailed about every status change of their proposal, once, in
their language, through the one outbox (ciic.notifications)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from ciic.accounts.models import Role
from ciic.audit.models import Event
from ciic.notifications.models import OutgoingEmail
from ciic.notifications.services import email_deliver
from proposals.models import Proposal
from proposals.services import proposal_transition
from tests.factories import staff_user

from .conftest import make_submitted

pytestmark = pytest.mark.django_db


def test_email_in_authors_language(call, resident, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://buget.example.ro"
    resident.preferred_language = "en"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        p = make_submitted(author=resident, call=call)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert p.reference in message.subject and "Submitted" in message.subject
    assert f"https://buget.example.ro/proposals/{p.reference}/" in message.body
    assert message.alternatives and "<strong>" in message.alternatives[0][0]
    event = Event.objects.for_object(p).get(action="proposal.status_changed")
    row = OutgoingEmail.objects.get(key=f"proposal-status:{event.pk}")
    assert row.status == OutgoingEmail.Status.SENT and row.language == "en"
    assert row.template == "proposals/email/status_changed" and row.user == resident


def test_romanian_author_gets_romanian(call, resident, django_capture_on_commit_callbacks):
    resident.preferred_language = "ro"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        p = make_submitted(author=resident, call=call)
    (message,) = mail.outbox
    assert message.subject.startswith(f"[CIIC Sector 6] Propunerea dumneavoastră {p.reference}")
    assert "Bună ziua" in message.body and "Starea propunerii dumneavoastră" in message.body
    assert "Hello" not in message.body


def test_one_email_per_status_change_even_if_delivery_runs_twice(
    call, resident, django_capture_on_commit_callbacks
):
    assessor = staff_user(Role.ASSESSOR)
    with django_capture_on_commit_callbacks(execute=True):
        p = make_submitted(author=resident, call=call)
        proposal_transition(actor=assessor, proposal=p, to_status=Proposal.Status.UNDER_ASSESSMENT)
    rows = list(OutgoingEmail.objects.order_by("pk"))
    assert len(rows) == 2 and len({r.key for r in rows}) == 2
    for row in rows:  # the job runs again (a retry, a sweep racing a worker)
        assert email_deliver(email_id=row.pk) is False
    assert len(mail.outbox) == 2


def test_the_same_event_is_never_queued_twice(call, resident, django_capture_on_commit_callbacks):
    from proposals.services import _status_change_notify

    with django_capture_on_commit_callbacks(execute=True):
        p = make_submitted(author=resident, call=call)
        event = Event.objects.for_object(p).get(action="proposal.status_changed")
        _status_change_notify(proposal=p, event_id=event.pk, note="")
    assert OutgoingEmail.objects.count() == 1 and len(mail.outbox) == 1


def test_rolled_back_change_sends_nothing(call, resident, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            make_submitted(author=resident, call=call)
            raise RuntimeError("the request fails after the change")
    assert not OutgoingEmail.objects.exists() and not mail.outbox


def test_redis_down_submission_succeeds_and_sweep_delivers(
    call, resident, settings, frozen, django_capture_on_commit_callbacks
):
    settings.JOBS_IN_PROCESS = False
    settings.RQ_QUEUES = {
        "default": {
            "URL": "redis://127.0.0.1:1/3",
            "DEFAULT_TIMEOUT": 5,
            "SOCKET_CONNECT_TIMEOUT": 1,
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        p = make_submitted(author=resident, call=call)
    assert p.status == Proposal.Status.SUBMITTED and p.reference
    row = OutgoingEmail.objects.get()
    assert row.status == OutgoingEmail.Status.PENDING and not mail.outbox

    # Redis is back; the periodic sweep hands the pending work over again.
    settings.JOBS_IN_PROCESS = True
    frozen.shift(dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    row.refresh_from_db()
    assert row.status == OutgoingEmail.Status.SENT
    assert len(mail.outbox) == 1 and p.reference in mail.outbox[0].subject
