import datetime as dt
import itertools

import pytest
import time_machine

from ciic.accounts.models import Role
from proposals.models import LOCAL_TZ
from tests.factories import UserFactory, staff_user

NOW = dt.datetime(2026, 3, 15, 12, 0, tzinfo=LOCAL_TZ)
_serials = itertools.count(300)


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def facilitator(db):  # type: ignore[no-untyped-def]
    return staff_user(Role.FACILITATOR)


@pytest.fixture
def other_facilitator(db):  # type: ignore[no-untyped-def]
    return staff_user(Role.FACILITATOR)


@pytest.fixture
def administrator(db):  # type: ignore[no-untyped-def]
    return staff_user(Role.ADMINISTRATOR)


def make_programme(actor):  # type: ignore[no-untyped-def]
    from workshops.services import programme_create

    return programme_create(
        actor=actor,
        name="Programul CIIC 2026",
        slug="ciic-2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )


@pytest.fixture
def programme(db, facilitator):  # type: ignore[no-untyped-def]
    return make_programme(facilitator)


def make_workshop(programme, facilitator, *, days=7, capacity=20, **kwargs):  # type: ignore[no-untyped-def]
    from workshops.services import workshop_create

    start = NOW + dt.timedelta(days=days)
    params = dict(
        actor=facilitator,
        programme=programme,
        theme=kwargs.pop("theme", "Curți verzi"),
        venue_name=kwargs.pop("venue_name", f"Școala {next(_serials)}"),
        venue_address="Strada Brașov 21",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=capacity,
        facilitators=[facilitator],
        open_registration=True,
    )
    params.update(kwargs)
    return workshop_create(**params)


@pytest.fixture
def workshop(frozen, programme, facilitator):  # type: ignore[no-untyped-def]
    return make_workshop(programme, facilitator)


def person(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(**kwargs)


def move_workshop(workshop, facilitator, *, days):  # type: ignore[no-untyped-def]
    """Move `workshop` by `days` (same length) through the service; returns the new start."""
    from workshops.services import workshop_update

    new_start = workshop.starts_at + dt.timedelta(days=days)
    workshop_update(
        actor=facilitator,
        workshop=workshop,
        data={"starts_at": new_start, "ends_at": new_start + dt.timedelta(hours=2)},
    )
    return new_start
