"""Workshop services against the database: registration with a waiting list,
cancellation and promotion, reminders, cancellation and moves, running the
workshop, ideas becoming proposals. Bad input is refused, clearly, with
nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ciic.audit.models import Event
from ciic.jobs.models import ScheduledJob
from ciic.notifications.models import OutgoingEmail
from workshops import services
from workshops.models import Idea, Registration, Workshop

from .conftest import NOW, make_workshop, move_workshop, person

pytestmark = pytest.mark.django_db
R = Registration.Status
S = Workshop.Status


def _emails(template: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(template=template))


def test_registration_fills_seats_then_the_waiting_list(frozen, programme, facilitator):
    w = make_workshop(programme, facilitator, capacity=2)
    a, b, c = person(), person(), person()
    assert services.registration_create(actor=a, workshop=w).status == R.CONFIRMED
    assert services.registration_create(actor=b, workshop=w).status == R.CONFIRMED
    w.refresh_from_db()
    assert w.status == S.FULL
    assert services.registration_create(actor=c, workshop=w).status == R.WAITING
    assert Event.objects.filter(action="workshops.registered").count() == 3


def test_cancelling_promotes_the_first_waiting_and_tells_them(frozen, programme, facilitator):
    w = make_workshop(programme, facilitator, capacity=1)
    a, b, c = person(), person(), person()
    for p in (a, b, c):
        services.registration_create(actor=p, workshop=w)
    services.registration_cancel(actor=a, workshop=w)
    assert Registration.objects.get(workshop=w, user=b).status == R.CONFIRMED
    assert Registration.objects.get(workshop=w, user=c).status == R.WAITING
    (promoted,) = _emails("workshops/email/promoted")
    assert promoted.to == [b.email]
    w.refresh_from_db()
    assert w.status == S.FULL


def test_cancelling_without_a_waiting_list_reopens(frozen, programme, facilitator):
    w = make_workshop(programme, facilitator, capacity=1)
    a = person()
    services.registration_create(actor=a, workshop=w)
    services.registration_cancel(actor=a, workshop=w)
    w.refresh_from_db()
    assert w.status == S.OPEN
    # and may register again
    assert services.registration_create(actor=a, workshop=w).status == R.CONFIRMED


@pytest.mark.parametrize(
    "setup, code",
    [
        ("twice", "already_registered"),
        ("cancelled", "cancelled"),
        ("past", "past"),
        ("planned", "not_open"),
    ],
)
def test_bad_registrations_are_refused_with_nothing_changed(
    frozen, programme, facilitator, setup, code
):
    w = make_workshop(programme, facilitator, capacity=5)
    p = person()
    if setup == "twice":
        services.registration_create(actor=p, workshop=w)
    elif setup == "cancelled":
        services.workshop_cancel(actor=facilitator, workshop=w, note="Sala indisponibilă")
    elif setup == "past":
        frozen.move_to(NOW + dt.timedelta(days=8))
    elif setup == "planned":
        w = make_workshop(programme, facilitator, open_registration=False)
    before = Registration.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.registration_create(actor=p, workshop=w)
    assert exc.value.code == code
    assert exc.value.messages[0]
    assert Registration.objects.count() == before


def test_a_full_workshop_puts_you_on_the_waiting_list_not_in_a_seat(frozen, programme, facilitator):
    w = make_workshop(programme, facilitator, capacity=1)
    services.registration_create(actor=person(), workshop=w)
    reg = services.registration_create(actor=person(), workshop=w)
    assert reg.status == R.WAITING
    assert Registration.objects.filter(workshop=w, status=R.CONFIRMED).count() == 1


def test_anonymous_cannot_register(frozen, workshop):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.registration_create(actor=AnonymousUser(), workshop=workshop)


def test_cancelling_without_registration_is_refused(frozen, workshop):
    with pytest.raises(PermissionDenied):
        services.registration_cancel(actor=person(), workshop=workshop)


def test_a_workshop_ending_before_it_starts_is_refused(frozen, programme, facilitator):
    count = Workshop.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_workshop(programme, facilitator, ends_at=NOW + dt.timedelta(days=7, hours=-1))
    assert "ends_at" in exc.value.message_dict
    assert Workshop.objects.count() == count


def test_same_venue_and_time_is_warned_then_allowed_on_confirmation(frozen, programme, facilitator):
    make_workshop(programme, facilitator, venue_name="Biblioteca Militari")
    with pytest.raises(ValidationError) as exc:
        make_workshop(programme, facilitator, venue_name="biblioteca militari ")
    assert exc.value.error_dict["venue_name"][0].code == "venue_clash"
    assert Workshop.objects.count() == 1
    make_workshop(programme, facilitator, venue_name="Biblioteca Militari", allow_clash=True)
    assert Workshop.objects.count() == 2


def test_only_facilitators_plan(frozen, programme):
    with pytest.raises(PermissionDenied):
        make_workshop(programme, person())


def test_reminder_is_scheduled_a_day_before_and_sent_to_confirmed(frozen, programme, facilitator):
    from workshops.tasks import workshop_reminders_send

    w = make_workshop(programme, facilitator, capacity=1)
    job = ScheduledJob.objects.get(key=f"workshop-reminder:{w.pk}")
    assert job.run_at == w.starts_at - dt.timedelta(days=1)
    a, b = person(), person()
    services.registration_create(actor=a, workshop=w)
    services.registration_create(actor=b, workshop=w)  # waiting: no reminder
    assert workshop_reminders_send(w.pk) == 1
    assert workshop_reminders_send(w.pk) == 1  # idempotent: same outbox key
    (mail,) = _emails("workshops/email/reminder")
    assert mail.to == [a.email]


def test_moving_a_workshop_moves_the_reminder_and_tells_everyone(frozen, programme, facilitator):
    w = make_workshop(programme, facilitator, capacity=1)
    a, b = person(), person()
    services.registration_create(actor=a, workshop=w)
    services.registration_create(actor=b, workshop=w)
    new_start = move_workshop(w, facilitator, days=3)
    job = ScheduledJob.objects.get(key=f"workshop-reminder:{w.pk}")
    assert job.run_at == new_start - dt.timedelta(days=1)
    assert job.status == ScheduledJob.Status.PENDING
    assert sorted(m.to[0] for m in _emails("workshops/email/moved")) == sorted([a.email, b.email])
    ev = Event.objects.get(action="workshops.workshop_changed")
    assert set(ev.after) == {"starts_at", "ends_at"}


def test_cancelling_a_workshop_cancels_the_reminder_and_tells_everyone(
    frozen, programme, facilitator
):
    w = make_workshop(programme, facilitator)
    a = person()
    services.registration_create(actor=a, workshop=w)
    with pytest.raises(ValidationError):
        services.workshop_cancel(actor=facilitator, workshop=w, note="  ")
    services.workshop_cancel(actor=facilitator, workshop=w, note="Sala indisponibilă")
    job = ScheduledJob.objects.get(key=f"workshop-reminder:{w.pk}")
    assert job.status == ScheduledJob.Status.CANCELLED
    (mail,) = _emails("workshops/email/cancelled")
    assert mail.to == [a.email]


def test_another_facilitator_cannot_run_or_change_the_workshop(frozen, workshop, other_facilitator):
    with pytest.raises(PermissionDenied):
        services.walk_ins_set(actor=other_facilitator, workshop=workshop, count=3)
    with pytest.raises(PermissionDenied):
        services.workshop_cancel(actor=other_facilitator, workshop=workshop, note="x")
    with pytest.raises(PermissionDenied):
        services.minutes_save(actor=person(), workshop=workshop, public="x", internal="")
    workshop.refresh_from_db()
    assert workshop.walk_ins == 0 and workshop.status == S.OPEN


def test_check_in_walk_ins_minutes_then_held_then_corrections_audited(
    frozen, workshop, facilitator
):
    a = person()
    reg = services.registration_create(actor=a, workshop=workshop)
    with pytest.raises(PermissionDenied):
        services.workshop_mark_held(actor=facilitator, workshop=workshop)  # not started
    frozen.move_to(workshop.starts_at + dt.timedelta(minutes=5))
    services.attendance_set(actor=facilitator, workshop=workshop, registration=reg, present=True)
    services.walk_ins_set(actor=facilitator, workshop=workshop, count=4)
    with pytest.raises(ValidationError):
        services.walk_ins_set(actor=facilitator, workshop=workshop, count=-1)
    services.minutes_save(
        actor=facilitator, workshop=workshop, public="Am discutat curțile.", internal="Nota"
    )
    services.workshop_mark_held(actor=facilitator, workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.status == S.HELD and workshop.walk_ins == 4
    assert ScheduledJob.objects.get(key=f"workshop-reminder:{workshop.pk}").status == "cancelled"
    # closed: no more registrations or cancellations
    with pytest.raises(ValidationError):
        services.registration_create(actor=person(), workshop=workshop)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(actor=a, workshop=workshop)
    services.walk_ins_set(actor=facilitator, workshop=workshop, count=5)
    ev = Event.objects.filter(action="workshops.corrected").get()
    assert ev.after["correction_of"] == "workshops.walk_ins"
    assert ev.after["before"] == 4


def test_capacity_cannot_go_below_confirmed(frozen, programme, facilitator):
    w = make_workshop(programme, facilitator, capacity=3)
    for _ in range(2):
        services.registration_create(actor=person(), workshop=w)
    with pytest.raises(ValidationError) as exc:
        services.workshop_update(actor=facilitator, workshop=w, data={"capacity": 1})
    assert "capacity" in exc.value.message_dict
    w.refresh_from_db()
    assert w.capacity == 3


def test_raising_capacity_promotes_the_waiting(frozen, programme, facilitator):
    w = make_workshop(programme, facilitator, capacity=1)
    services.registration_create(actor=person(), workshop=w)
    waiting = services.registration_create(actor=person(), workshop=w)
    services.workshop_update(actor=facilitator, workshop=w, data={"capacity": 2})
    waiting.refresh_from_db()
    assert waiting.status == R.CONFIRMED


# --- ideas ---------------------------------------------------------------------------


@pytest.fixture
def open_call(db, frozen, areas):  # type: ignore[no-untyped-def]
    from proposals.services import call_create
    from tests.proposals.conftest import call_kwargs

    return call_create(actor=None, **call_kwargs())


@pytest.fixture
def resident(db, frozen, areas):  # type: ignore[no-untyped-def]
    from tests.factories import verified_resident

    frozen.shift(dt.timedelta(days=-365))
    user, _v, _c = verified_resident(serial=777)
    frozen.shift(dt.timedelta(days=365))
    return user


def test_idea_becomes_a_draft_only_with_consent(frozen, workshop, facilitator, resident, open_call):
    idea = services.idea_create(
        actor=facilitator,
        workshop=workshop,
        title="Bănci în curtea blocului",
        description="Umbră și bănci pentru vârstnici.",
        category="mediu",
    )
    with pytest.raises(ValidationError) as exc:
        services.idea_to_proposal(actor=facilitator, idea=idea, resident=resident, consent=False)
    assert exc.value.error_dict["consent"][0].code == "no_consent"
    idea.refresh_from_db()
    assert idea.proposal_id is None and idea.resident_id is None
    proposal = services.idea_to_proposal(
        actor=facilitator, idea=idea, resident=resident, consent=True
    )
    assert proposal.author == resident and proposal.status == "draft"
    idea.refresh_from_db()
    assert idea.proposal == proposal and idea.consent_recorded_by == facilitator
    (mail,) = _emails("workshops/email/idea_draft")
    assert mail.to == [resident.email]
    with pytest.raises(ValidationError) as exc:
        services.idea_to_proposal(actor=facilitator, idea=idea, resident=resident, consent=True)
    assert exc.value.code == "already_proposal"
    # the resident submits it under their own account
    from proposals.services import proposal_update

    proposal_update(
        actor=resident,
        proposal=proposal,
        data={"cost_estimate": "20000", "whole_sector": True, "consent_publication": True},
    )
    from proposals.services import proposal_submit

    submitted = proposal_submit(actor=resident, proposal=proposal)
    assert submitted.reference
    from workshops.selectors import workshop_for_proposal

    assert workshop_for_proposal(proposal=submitted) == workshop


def test_idea_for_an_unverified_person_is_refused(frozen, workshop, facilitator, open_call):
    idea = services.idea_create(
        actor=facilitator, workshop=workshop, title="Idee", category="mediu"
    )
    with pytest.raises(ValidationError):
        services.idea_to_proposal(actor=facilitator, idea=idea, resident=person(), consent=True)
    assert Idea.objects.get(pk=idea.pk).proposal_id is None


def test_idea_with_a_bad_category_is_refused(frozen, workshop, facilitator):
    with pytest.raises(ValidationError):
        services.idea_create(actor=facilitator, workshop=workshop, title="X", category="nope")
    with pytest.raises(ValidationError):
        services.idea_create(actor=facilitator, workshop=workshop, title="", category="mediu")
    assert Idea.objects.count() == 0


def test_in_person_verification_at_the_workshop(frozen, workshop, facilitator, areas):
    from ciic.eligibility.models import ResidentProfile
    from tests.factories import ResidentProfileFactory, make_cnp

    profile = ResidentProfileFactory(date_of_birth=dt.date(1980, 2, 3))
    v = services.workshop_verify_resident(
        actor=facilitator,
        workshop=workshop,
        user=profile.user,
        cnp=make_cnp(dt.date(1980, 2, 3), serial=555),
        document_type="identity_card",
        sector6_resident=True,
        residence_zone=next(iter(areas["zones"].values())),
    )
    assert workshop.verifications.get().verification == v
    assert ResidentProfile.objects.get(pk=profile.pk).residence_zone is not None


def test_photos_lose_their_metadata_and_bad_files_are_refused(
    frozen, workshop, facilitator, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.e2e.test_proposal_journey import _photo_with_gps

    _photo_with_gps(tmp_path / "atelier.jpg")

    photo = services.photo_add(
        actor=facilitator,
        workshop=workshop,
        upload=SimpleUploadedFile("atelier.jpg", (tmp_path / "atelier.jpg").read_bytes()),
        alt_text="Participanți",
    )
    with photo.file.open("rb") as fh:
        assert not Image.open(fh).getexif()
    with pytest.raises(ValidationError):
        services.photo_add(
            actor=facilitator,
            workshop=workshop,
            upload=SimpleUploadedFile("nu.jpg", b"not an image"),
        )
    assert workshop.photos.count() == 1


def test_personal_data_section_exports_and_erases(frozen, workshop, facilitator):
    from ciic import personal_data

    section = next(s for s in personal_data.sections() if s.key == "workshops")
    p = person()
    services.registration_create(actor=p, workshop=workshop)
    data = section.exporter()(p)
    assert data["registrations"][0]["status"] == "confirmed"
    eraser = section.eraser()
    assert eraser is not None
    eraser(p)
    assert not Registration.objects.filter(user=p).exists()
