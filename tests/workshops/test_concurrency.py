"""Races that only a real database shows: run on PostgreSQL (DATABASE_URL)."""

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import race
from tests.factories import UserFactory
from workshops.models import Registration, Workshop
from workshops.services import registration_create

from .conftest import make_workshop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_registrations_for_the_last_ten_places(frozen, programme, facilitator):
    workshop = make_workshop(programme, facilitator, capacity=30)
    for _ in range(20):
        registration_create(actor=UserFactory(), workshop=workshop)
    people = [UserFactory() for _ in range(50)]
    results = race([lambda p=p: registration_create(actor=p, workshop=workshop) for p in people])
    assert not [r for r in results if isinstance(r, Exception)], results
    regs = Registration.objects.filter(workshop=workshop)
    assert regs.filter(status=Registration.Status.CONFIRMED).count() == 30
    assert regs.filter(status=Registration.Status.WAITING).count() == 40
    assert regs.filter(user__in=people, status=Registration.Status.CONFIRMED).count() == 10
    assert Workshop.objects.get(pk=workshop.pk).status == Workshop.Status.FULL


def test_the_same_person_twice_at_once_is_registered_once(frozen, programme, facilitator):
    workshop = make_workshop(programme, facilitator, capacity=5)
    person = UserFactory()
    results = race([lambda: registration_create(actor=person, workshop=workshop)] * 6)
    ok = [r for r in results if isinstance(r, Registration)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(ok) == 1 and len(refused) == 5, results
    assert all(r.code == "already_registered" for r in refused)
    assert Registration.objects.filter(workshop=workshop, user=person).count() == 1
