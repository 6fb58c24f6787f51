import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from ciic.notifications.models import OutgoingEmail
from proposals.models import Proposal, ProposalNotification
from proposals.services import proposal_notification_send

from .conftest import make_submitted

pytestmark = pytest.mark.django_db


def test_email_in_authors_language(call, resident, django_capture_on_commit_callbacks):
    resident.preferred_language = "en"
    resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        p = make_submitted(author=resident, call=call)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    assert p.reference in message.subject and "Submitted" in message.subject
    assert f"/proposals/{p.reference}/" in message.body
    assert message.alternatives and "<strong>" in message.alternatives[0][0]
    assert ProposalNotification.objects.get(proposal=p).sent_at is not None


def test_sending_twice_sends_once(call, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        p = make_submitted(author=resident, call=call)
    event_id = ProposalNotification.objects.get(proposal=p).event_id
    with django_capture_on_commit_callbacks(execute=True):
        assert proposal_notification_send(event_id=event_id) is False
    assert len(mail.outbox) == 1


def test_redis_down_submission_succeeds_and_sweep_delivers(
    call, resident, settings, frozen, django_capture_on_commit_callbacks
):
    settings.JOBS_IN_PROCESS = False
    # ciic.jobs already waits for the commit; let django-rq enqueue at once.
    settings.RQ = {"COMMIT_MODE": "auto"}
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
    row = ProposalNotification.objects.get(proposal=p)
    assert row.sent_at is None and not mail.outbox and not OutgoingEmail.objects.exists()

    # Redis is back; the periodic sweep hands the pending work over again.
    settings.JOBS_IN_PROCESS = True
    frozen.shift(dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    row.refresh_from_db()
    assert row.sent_at is not None
    # The email went through the outbox and was delivered.
    frozen.shift(dt.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1 and p.reference in mail.outbox[0].subject
