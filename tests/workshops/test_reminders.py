"""Reminders a day before: scheduled jobs that survive a Redis outage (the
sweep runs them), follow a moved workshop and stop for a cancelled one."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import time_machine
from django.core.management import call_command

from ciic.jobs.models import ScheduledJob
from ciic.notifications.models import OutgoingEmail
from tests.factories import UserFactory
from tests.workers import use_fake_redis
from workshops import services

from .conftest import NOW, make_programme, make_workshop, move_workshop

pytestmark = pytest.mark.django_db(transaction=True)


def _sweep() -> None:
    call_command("jobs_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _reminders() -> list[str]:
    return sorted(
        m.to[0] for m in OutgoingEmail.objects.filter(template="workshops/email/reminder")
    )


@pytest.fixture
def redis_down(monkeypatch, settings):  # type: ignore[no-untyped-def]
    server = use_fake_redis(monkeypatch, settings)
    server.connected = False
    settings.JOBS_IN_PROCESS = False
    settings.SCHEDULED_JOBS_GRACE_SECONDS = 120
    return server


def test_reminder_runs_through_a_redis_outage_at_the_moved_time(redis_down, facilitator):
    with time_machine.travel(NOW, tick=False) as clock:
        programme = make_programme(facilitator)
        w = make_workshop(programme, facilitator, days=7)
        a, b = UserFactory(), UserFactory()
        services.registration_create(actor=a, workshop=w)
        services.registration_create(actor=b, workshop=w)
        new_start = move_workshop(w, facilitator, days=2)
        # the old reminder time passes: nothing is sent
        clock.move_to(NOW + dt.timedelta(days=6, minutes=10))
        _sweep()
        assert _reminders() == []
        # the new one, with Redis still down: the sweep sends it, once
        clock.move_to(new_start - dt.timedelta(days=1) + dt.timedelta(minutes=5))
        _sweep()
        _sweep()
    assert _reminders() == sorted([a.email, b.email])
    assert ScheduledJob.objects.get(key=f"workshop-reminder:{w.pk}").status == "done"


def test_no_reminder_for_a_cancelled_workshop(redis_down, facilitator):
    with time_machine.travel(NOW, tick=False) as clock:
        programme = make_programme(facilitator)
        w = make_workshop(programme, facilitator, days=3)
        services.registration_create(actor=UserFactory(), workshop=w)
        services.workshop_cancel(actor=facilitator, workshop=w, note="Sala indisponibilă")
        clock.move_to(w.starts_at - dt.timedelta(hours=12))
        _sweep()
    assert _reminders() == []
    assert OutgoingEmail.objects.filter(template="workshops/email/cancelled").count() == 1
