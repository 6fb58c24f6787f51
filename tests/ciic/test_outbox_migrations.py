"""Upgrading an installation loses no email: messages queued as pickles are
unpacked into the outbox's fields, and status emails the old
ProposalNotification table still owed move to the outbox (with the same
one-email-per-event key) before that table goes."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
import time_machine
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from ciic.audit.models import Event
from ciic.notifications.models import OutgoingEmail
from proposals.models import LOCAL_TZ
from proposals.services import call_create
from tests.factories import verified_resident
from tests.proposals.conftest import call_kwargs, make_submitted

BEFORE = [
    ("notifications", "0001_initial"),
    ("proposals", "0002_unaccent_extension"),
]


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_every_pending_email(settings, areas):
    settings.SITE_URL = "https://buget.example.ro"
    with time_machine.travel(dt.datetime(2026, 3, 15, 12, tzinfo=LOCAL_TZ), tick=False):
        call = call_create(actor=None, **call_kwargs())
        author, _v, _cnp = verified_resident(born=dt.date(1980, 1, 1))
        author.preferred_language = "ro"
        author.save()
        proposal = make_submitted(author=author, call=call)
    event = Event.objects.for_object(proposal).get(action="proposal.status_changed")
    OutgoingEmail.objects.all().delete()  # as if the status email had never been queued
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old_apps = _migrate(BEFORE)
    OldEmail = old_apps.get_model("notifications", "OutgoingEmail")
    OldNotification = old_apps.get_model("proposals", "ProposalNotification")
    message = EmailMultiAlternatives(
        "Vechi", "text vechi", "ciic@example.org", ["a@example.org"], bcc=["b@example.org"]
    )
    message.attach_alternative("<p>html vechi</p>", "text/html")
    OldEmail.objects.create(to=["a@example.org"], subject="Vechi", message=pickle.dumps(message))
    OldNotification.objects.create(
        proposal_id=proposal.pk, event_id=event.pk, to_status="submitted"
    )

    new_apps = _migrate(leaf)
    Email = new_apps.get_model("notifications", "OutgoingEmail")
    old = Email.objects.get(subject="Vechi")
    assert (old.body, old.html, old.to, old.bcc) == (
        "text vechi",
        "<p>html vechi</p>",
        ["a@example.org"],
        ["b@example.org"],
    )
    assert old.from_email == "ciic@example.org" and old.status == "pending"
    owed = Email.objects.get(key=f"proposal-status:{event.pk}")
    assert owed.to == [author.email] and owed.language == "ro" and owed.status == "pending"
    assert proposal.reference in owed.subject and "Depusă" in owed.subject
    assert f"https://buget.example.ro/proposals/{proposal.reference}/" in owed.body
