"""Writes on workshops. Every function takes keyword arguments and an explicit
`actor`, checks the same rule as the pages (`workshops.<action>`), runs in one
transaction, validates with `full_clean()` and records an audit event.

Registration takes the workshop's row lock (`select_for_update`), so seats and
the waiting list stay right under concurrent requests: the number of confirmed
registrations never exceeds the capacity, and a freed seat goes to the first
person waiting, who is told by email."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ciic.accounts.models import Role, User
from ciic.audit import events
from ciic.audit.services import event_record
from ciic.cache import content_changed
from ciic.eligibility.models import Verification
from ciic.eligibility.services import verification_create_in_person
from ciic.jobs import enqueue_at, job_cancel
from ciic.links import site_url
from ciic.notifications.services import notify
from geo.models import Area
from proposals import files as proposal_files
from proposals.models import Call, Category, Phase, Proposal
from proposals.services import proposal_draft_create

from .models import (
    ACTIVE_STATUSES,
    REGISTRATION_STATUSES,
    Idea,
    Programme,
    Registration,
    Workshop,
    WorkshopPhoto,
    WorkshopVerification,
)

S = Workshop.Status
R = Registration.Status
REMINDER_BEFORE = dt.timedelta(days=1)
MAX_PHOTOS = 20

WORKSHOP_FIELDS = (
    "theme",
    "description",
    "zone",
    "venue_name",
    "venue_address",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "capacity",
    "accessibility_notes",
)
TIME_PLACE_FIELDS = ("starts_at", "ends_at", "venue_name", "venue_address")


def _require(actor: Any, perm: str, obj: Any = None, message: str | None = None) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_perm(perm, obj):
        raise PermissionDenied(message or _("You may not do this."))


def _locked(workshop: Workshop) -> Workshop:
    return Workshop.objects.select_for_update(of=("self",)).get(pk=workshop.pk)


def _state(workshop: Workshop) -> dict[str, Any]:
    """The editable details of a workshop, as audit events keep them."""
    out: dict[str, Any] = {}
    for field in WORKSHOP_FIELDS:
        value = getattr(workshop, field)
        if isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, Area):
            value = value.name
        out[field] = value
    out["status"] = workshop.status
    return out


def _changed() -> None:
    content_changed("workshops")


# --- programme -------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    actor: Any,
    name: str,
    slug: str,
    period_start: dt.date,
    period_end: dt.date,
    target_count: int = 44,
) -> Programme:
    _require(actor, "workshops.plan")
    programme = Programme(
        name=name.strip(),
        slug=slug,
        target_count=target_count,
        period_start=period_start,
        period_end=period_end,
    )
    programme.full_clean()
    programme.save()
    event_record(
        actor=actor,
        action=events.WORKSHOPS_PROGRAMME_CREATED,
        obj=programme,
        after={"name": programme.name, "target_count": target_count},
        public=True,
    )
    _changed()
    return programme


# --- workshops: planning -------------------------------------------------------------


def venue_clashes(
    *,
    venue_name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_pk: int | None = None,
) -> list[Workshop]:
    """Active workshops at the same venue whose time overlaps [starts_at, ends_at)."""
    qs = Workshop.objects.filter(
        venue_name__iexact=venue_name.strip(),
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
        status__in=(*ACTIVE_STATUSES, S.HELD),
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs)


def _clash_check(workshop: Workshop, *, allow_clash: bool) -> None:
    if allow_clash or not workshop.venue_name or not workshop.starts_at or not workshop.ends_at:
        return
    others = venue_clashes(
        venue_name=workshop.venue_name,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        exclude_pk=workshop.pk,
    )
    if others:
        message = _(
            "Workshop %(other)s is already at this venue at that time. Check the box to "
            "confirm that both take place there."
        ) % {"other": str(others[0])}
        raise ValidationError({"venue_name": ValidationError(message, code="venue_clash")})


def _validate(workshop: Workshop) -> None:
    if workshop.zone is not None and workshop.zone.kind != Area.Kind.ZONE:
        raise ValidationError({"zone": _("Choose a planning zone.")}, code="not_a_zone")
    workshop.full_clean(exclude=["programme"])


def _reminder_key(workshop: Workshop) -> str:
    return f"workshop-reminder:{workshop.pk}"


def _reminder_schedule(workshop: Workshop) -> None:
    """One scheduled job per workshop, a day before it starts (at once if that
    is already past); moved when the workshop moves, cancelled when it no
    longer takes place."""
    if workshop.status not in REGISTRATION_STATUSES or workshop.starts_at <= timezone.now():
        job_cancel(_reminder_key(workshop))
        return
    from .tasks import workshop_reminders_send

    when = max(workshop.starts_at - REMINDER_BEFORE, timezone.now())
    enqueue_at(when, workshop_reminders_send, workshop.pk, key=_reminder_key(workshop))


@transaction.atomic
def workshop_create(
    *,
    actor: Any,
    programme: Programme,
    theme: str,
    venue_name: str,
    venue_address: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    zone: Area | None = None,
    description: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    accessibility_notes: str = "",
    facilitators: Iterable[User] = (),
    open_registration: bool = False,
    allow_clash: bool = False,
) -> Workshop:
    """Plan a workshop in `programme` (it gets the next number). A second
    workshop at the same venue and time is refused unless `allow_clash`."""
    _require(actor, "workshops.plan")
    Programme.objects.select_for_update().get(pk=programme.pk)
    last = programme.workshops.order_by("-number").values_list("number", flat=True).first()
    workshop = Workshop(
        programme=programme,
        number=(last or 0) + 1,
        theme=theme.strip(),
        description=description.strip(),
        zone=zone,
        venue_name=venue_name.strip(),
        venue_address=venue_address.strip(),
        latitude=latitude,
        longitude=longitude,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        accessibility_notes=accessibility_notes.strip(),
        status=S.OPEN if open_registration else S.PLANNED,
    )
    _validate(workshop)
    _clash_check(workshop, allow_clash=allow_clash)
    workshop.save()
    people = list(facilitators)
    for person in people:
        if not person.has_role(Role.FACILITATOR):
            raise ValidationError(
                {"facilitators": _("%(name)s is not a facilitator.") % {"name": person}},
                code="not_facilitator",
            )
    workshop.facilitators.set(people)
    event_record(
        actor=actor,
        action=events.WORKSHOPS_WORKSHOP_CREATED,
        obj=workshop,
        after=_state(workshop),
        public=True,
    )
    _reminder_schedule(workshop)
    _changed()
    return workshop


def _registrations_notify(
    *, workshop: Workshop, template: str, key_prefix: str, extra: dict[str, Any]
) -> int:
    """Email everyone registered (confirmed or waiting), each in their language."""
    regs = (
        Registration.objects.filter(workshop=workshop)
        .exclude(status=R.CANCELLED)
        .select_related("user")
    )
    n = 0
    for reg in regs:
        notify(
            user=reg.user,
            template=template,
            context={
                "workshop": workshop,
                "url": site_url(workshop.get_absolute_url()),
                "waiting": reg.status == R.WAITING,
                **extra,
            },
            key=f"{key_prefix}:{reg.pk}",
        )
        n += 1
    return n


@transaction.atomic
def workshop_update(
    *, actor: Any, workshop: Workshop, data: dict[str, Any], allow_clash: bool = False
) -> Workshop:
    """Change a workshop's details. When its time or place changes, everyone
    registered is told and the reminder moves; lowering the capacity never
    removes anyone already confirmed. After a workshop is held, use the
    running actions (their changes are recorded as corrections)."""
    workshop = _locked(workshop)
    _require(actor, "workshops.change_workshop", workshop)
    unknown = set(data) - set(WORKSHOP_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = _state(workshop)
    for field, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(workshop, field, value)
    _validate(workshop)
    confirmed = workshop.registrations.filter(status=R.CONFIRMED).count()
    if workshop.capacity < confirmed:
        raise ValidationError(
            {
                "capacity": _("%(n)d people are already confirmed; the capacity cannot be lower.")
                % {"n": confirmed}
            },
            code="capacity_below_confirmed",
        )
    _clash_check(workshop, allow_clash=allow_clash)
    after = _state(workshop)
    changed = sorted(k for k in after if after[k] != before[k])
    if not changed:
        return workshop
    workshop.save()
    event = event_record(
        actor=actor,
        action=events.WORKSHOPS_WORKSHOP_CHANGED,
        obj=workshop,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        public=True,
    )
    if "capacity" in changed:
        _waiting_promote(workshop)
        _full_status_sync(workshop)
    if set(changed) & set(TIME_PLACE_FIELDS):
        _registrations_notify(
            workshop=workshop,
            template="workshops/email/moved",
            key_prefix=f"workshop-moved:{event.pk}",
            extra={},
        )
        _reminder_schedule(workshop)
    _changed()
    return workshop


def _status_set(
    *, actor: Any, workshop: Workshop, to: str, note: str = "", action: str
) -> Workshop:
    before = workshop.status
    workshop.status = to
    workshop.status_note = note
    workshop.full_clean(exclude=["programme"])
    workshop.save(update_fields=["status", "status_note", "held_at", "updated_at"])
    event_record(
        actor=actor,
        action=action,
        obj=workshop,
        before={"status": before},
        after={"status": to, "note": note},
        public=True,
    )
    _changed()
    return workshop


@transaction.atomic
def workshop_open(*, actor: Any, workshop: Workshop) -> Workshop:
    """Open registration (a planned or postponed workshop, not yet started)."""
    workshop = _locked(workshop)
    _require(actor, "workshops.change_workshop", workshop)
    if workshop.status not in (S.PLANNED, S.POSTPONED):
        raise ValidationError(_("Registration is already open."), code="already_open")
    if workshop.starts_at <= timezone.now():
        raise ValidationError(
            _("This workshop has already started; set a new date first."), code="past"
        )
    _status_set(
        actor=actor, workshop=workshop, to=S.OPEN, action=events.WORKSHOPS_REGISTRATION_OPENED
    )
    _waiting_promote(workshop)
    _full_status_sync(workshop)
    _reminder_schedule(workshop)
    return workshop


def _note_required(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            {"note": [_("Say why: everyone registered will read it.")]}, code="note_required"
        )
    if len(note) > 500:
        raise ValidationError({"note": [_("Keep the reason under 500 characters.")]})
    return note


@transaction.atomic
def workshop_postpone(*, actor: Any, workshop: Workshop, note: str) -> Workshop:
    """Postpone: registrations stay, everyone registered is told, the reminder
    is cancelled until a new date is set and registration opens again."""
    workshop = _locked(workshop)
    _require(actor, "workshops.change_workshop", workshop)
    note = _note_required(note)
    if workshop.status == S.POSTPONED:
        raise ValidationError(_("This workshop is already postponed."), code="already")
    _status_set(
        actor=actor, workshop=workshop, to=S.POSTPONED, note=note, action=events.WORKSHOPS_POSTPONED
    )
    job_cancel(_reminder_key(workshop))
    _registrations_notify(
        workshop=workshop,
        template="workshops/email/postponed",
        key_prefix=f"workshop-postponed:{workshop.pk}:{timezone.now().timestamp():.0f}",
        extra={"note": note},
    )
    return workshop


@transaction.atomic
def workshop_cancel(*, actor: Any, workshop: Workshop, note: str) -> Workshop:
    """Cancel: everyone registered is told, the reminder is cancelled."""
    workshop = _locked(workshop)
    _require(actor, "workshops.change_workshop", workshop)
    note = _note_required(note)
    _status_set(
        actor=actor, workshop=workshop, to=S.CANCELLED, note=note, action=events.WORKSHOPS_CANCELLED
    )
    job_cancel(_reminder_key(workshop))
    _registrations_notify(
        workshop=workshop,
        template="workshops/email/cancelled",
        key_prefix=f"workshop-cancelled:{workshop.pk}",
        extra={"note": note},
    )
    return workshop


@transaction.atomic
def workshop_mark_held(*, actor: Any, workshop: Workshop) -> Workshop:
    """The workshop took place: it closes (no more registration or
    cancellation); later changes to its records are audited corrections."""
    workshop = _locked(workshop)
    _require(actor, "workshops.mark_held", workshop)
    workshop.held_at = timezone.now()
    _status_set(actor=actor, workshop=workshop, to=S.HELD, action=events.WORKSHOPS_HELD)
    job_cancel(_reminder_key(workshop))
    return workshop


# --- registration --------------------------------------------------------------------


def _registration_error(workshop: Workshop, now: dt.datetime) -> ValidationError | None:
    if workshop.status == S.CANCELLED:
        return ValidationError(_("This workshop has been cancelled."), code="cancelled")
    if workshop.status == S.HELD or workshop.starts_at <= now:
        return ValidationError(_("This workshop has already taken place."), code="past")
    if workshop.status not in REGISTRATION_STATUSES:
        return ValidationError(
            _("Registration for this workshop is not open yet."), code="not_open"
        )
    return None


def _full_status_sync(workshop: Workshop, *, confirmed: int | None = None) -> None:
    """OPEN <-> FULL as seats fill and free (caller holds the lock).
    `confirmed`: the seats taken, when the caller knows it (counted if not)."""
    if workshop.status not in REGISTRATION_STATUSES:
        return
    if confirmed is None:
        confirmed = workshop.registrations.filter(status=R.CONFIRMED).count()
    status = S.FULL if confirmed >= workshop.capacity else S.OPEN
    if status != workshop.status:
        workshop.status = status
        workshop.save(update_fields=["status", "updated_at"])


def _waiting_promote(workshop: Workshop) -> list[Registration]:
    """Give free seats to the people waiting, first come first served, and tell
    each one (caller holds the workshop's lock)."""
    if workshop.status not in REGISTRATION_STATUSES or workshop.starts_at <= timezone.now():
        return []
    free = workshop.capacity - workshop.registrations.filter(status=R.CONFIRMED).count()
    if free <= 0:
        return []
    promoted = list(
        workshop.registrations.filter(status=R.WAITING)
        .select_related("user")
        .order_by("created_at", "id")[:free]
    )
    now = timezone.now()
    for reg in promoted:
        reg.status = R.CONFIRMED
        reg.promoted_at = now
        reg.save(update_fields=["status", "promoted_at"])
        event_record(
            actor=None,
            action=events.WORKSHOPS_REGISTRATION_PROMOTED,
            obj=workshop,
            after={"registration": reg.pk},
        )
        notify(
            user=reg.user,
            template="workshops/email/promoted",
            context={"workshop": workshop, "url": site_url(workshop.get_absolute_url())},
            key=f"workshop-promoted:{reg.pk}",
        )
    return promoted


def registration_create(
    *, actor: Any, workshop: Workshop, now: dt.datetime | None = None
) -> Registration:
    """Register `actor`: a seat if one is free, else a place on the waiting list.
    `now` is for recording registrations made on paper before the workshop."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to register for a workshop."))
    try:
        return _registration_create(actor=actor, workshop=workshop, now=now)
    except IntegrityError:  # the partial unique index: one live registration per person
        # Registrations are made under the workshop's row lock, after the check
        # below, so this only answers a registration written some other way.
        raise ValidationError(
            _("You are already registered for this workshop."), code="already_registered"
        ) from None


@transaction.atomic
def _registration_create(
    *, actor: Any, workshop: Workshop, now: dt.datetime | None
) -> Registration:
    workshop = _locked(workshop)
    error = _registration_error(workshop, now or timezone.now())
    if error is not None:
        raise error
    # One query for both: is this person registered already, and how many seats are taken.
    found = workshop.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=R.CONFIRMED)),
        mine=Count("pk", filter=Q(user=actor) & ~Q(status=R.CANCELLED)),
    )
    if found["mine"]:
        raise ValidationError(
            _("You are already registered for this workshop."), code="already_registered"
        )
    confirmed = found["confirmed"]
    reg = Registration(
        workshop=workshop,
        user=actor,
        status=R.CONFIRMED if confirmed < workshop.capacity else R.WAITING,
    )
    reg.save()
    event_record(
        actor=actor,
        action=events.WORKSHOPS_REGISTERED,
        obj=workshop,
        after={"registration": reg.pk, "status": reg.status},
    )
    _full_status_sync(workshop, confirmed=confirmed + (reg.status == R.CONFIRMED))
    _changed()
    return reg


@transaction.atomic
def registration_cancel(*, actor: Any, workshop: Workshop) -> Registration:
    """`actor` cancels their own registration; a freed seat goes to the first
    person waiting."""
    workshop = _locked(workshop)
    _require(
        actor,
        "workshops.cancel_registration",
        workshop,
        _("You have no registration to cancel for this workshop, or it has already started."),
    )
    reg = (
        Registration.objects.select_for_update()
        .filter(workshop=workshop, user=actor)
        .exclude(status=R.CANCELLED)
        .get()
    )
    before = reg.status
    reg.status = R.CANCELLED
    reg.cancelled_at = timezone.now()
    reg.save(update_fields=["status", "cancelled_at"])
    event_record(
        actor=actor,
        action=events.WORKSHOPS_REGISTRATION_CANCELLED,
        obj=workshop,
        before={"status": before},
        after={"registration": reg.pk},
    )
    _waiting_promote(workshop)
    _full_status_sync(workshop)
    _changed()
    return reg


# --- running the workshop ---------------------------------------------------------------


def _run_event(actor: Any, workshop: Workshop, action: str, **after: Any) -> None:
    """Record a running action; once the workshop is held it is a correction."""
    if workshop.status == S.HELD:
        after = {"correction_of": action, **after}
        action = events.WORKSHOPS_CORRECTED
    event_record(actor=actor, action=action, obj=workshop, after=after)


@transaction.atomic
def attendance_set(
    *, actor: Any, workshop: Workshop, registration: Registration, present: bool
) -> Registration:
    """Check a registered person in (or undo it)."""
    workshop = _locked(workshop)
    _require(actor, "workshops.run_workshop", workshop)
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.workshop_id != workshop.pk or reg.status == R.CANCELLED:
        raise ValidationError(
            _("This person is not registered for this workshop."), code="not_registered"
        )
    if bool(reg.checked_in_at) == present:
        return reg
    reg.checked_in_at = timezone.now() if present else None
    reg.save(update_fields=["checked_in_at"])
    _run_event(actor, workshop, events.WORKSHOPS_ATTENDANCE, registration=reg.pk, present=present)
    return reg


@transaction.atomic
def walk_ins_set(*, actor: Any, workshop: Workshop, count: int) -> Workshop:
    workshop = _locked(workshop)
    _require(actor, "workshops.run_workshop", workshop)
    if not isinstance(count, int) or count < 0 or count > 10000:
        raise ValidationError(
            {"walk_ins": _("Enter a whole number between 0 and 10000.")}, code="walk_ins"
        )
    if count == workshop.walk_ins:
        return workshop
    before = workshop.walk_ins
    workshop.walk_ins = count
    workshop.save(update_fields=["walk_ins", "updated_at"])
    _run_event(actor, workshop, events.WORKSHOPS_WALK_INS, before=before, count=count)
    return workshop


@transaction.atomic
def minutes_save(*, actor: Any, workshop: Workshop, public: str, internal: str) -> Workshop:
    """The minutes: a public summary (shown on the workshop's page) and
    internal notes (staff only)."""
    workshop = _locked(workshop)
    _require(actor, "workshops.run_workshop", workshop)
    public, internal = (public or "").strip(), (internal or "").strip()
    errors = {}
    for field, text in (("minutes_public", public), ("minutes_internal", internal)):
        if len(text) > 20000:
            errors[field] = [_("Keep the minutes under 20000 characters.")]
    if errors:
        raise ValidationError(errors)
    if (public, internal) == (workshop.minutes_public, workshop.minutes_internal):
        return workshop
    changed = []
    if public != workshop.minutes_public:
        changed.append("public")
    if internal != workshop.minutes_internal:
        changed.append("internal")
    workshop.minutes_public, workshop.minutes_internal = public, internal
    workshop.save(update_fields=["minutes_public", "minutes_internal", "updated_at"])
    _run_event(actor, workshop, events.WORKSHOPS_MINUTES_SAVED, parts=changed)
    _changed()
    return workshop


@transaction.atomic
def photo_add(
    *, actor: Any, workshop: Workshop, upload: UploadedFile, alt_text: str = ""
) -> WorkshopPhoto:
    """A photo after the event, re-encoded (EXIF and other metadata removed)."""
    workshop = _locked(workshop)
    _require(actor, "workshops.run_workshop", workshop)
    if workshop.photos.count() >= MAX_PHOTOS:
        raise ValidationError(
            _("A workshop can have at most %(n)d photos.") % {"n": MAX_PHOTOS},
            code="too_many_photos",
        )
    clean = proposal_files.image_clean(upload)
    photo = WorkshopPhoto(
        workshop=workshop,
        width=clean.width,
        height=clean.height,
        alt_text=(alt_text or "").strip()[:200],
    )
    photo.file.save(clean.name, clean.content, save=False)
    photo.save()
    _run_event(actor, workshop, events.WORKSHOPS_PHOTO_ADDED, photo=photo.pk)
    _changed()
    return photo


def workshop_verify_resident(
    *,
    actor: Any,
    workshop: Workshop,
    user: User,
    cnp: str,
    document_type: str,
    sector6_resident: bool,
    residence_zone: Area | None = None,
) -> Verification:
    """In-person identity verification at the venue, through the foundation's
    verification (`ciic.eligibility`), recorded as done at this workshop."""
    # The verification runs in its own transactions (an identity conflict is
    # recorded even though it is refused), then is linked to the workshop.
    _require(actor, "workshops.run_workshop", workshop)
    verification = verification_create_in_person(
        actor=actor,
        user=user,
        cnp=cnp,
        document_type=document_type,
        sector6_resident=sector6_resident,
        residence_zone=residence_zone,
    )
    with transaction.atomic():
        workshop = _locked(workshop)
        WorkshopVerification.objects.create(workshop=workshop, verification=verification)
        _run_event(
            actor, workshop, events.WORKSHOPS_RESIDENT_VERIFIED, verification=verification.pk
        )
    return verification


# --- ideas ---------------------------------------------------------------------------


@transaction.atomic
def idea_create(
    *,
    actor: Any,
    workshop: Workshop,
    title: str,
    description: str = "",
    category: str,
    zone: Area | None = None,
) -> Idea:
    workshop = _locked(workshop)
    _require(actor, "workshops.run_workshop", workshop)
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")}, code="category")
    idea = Idea(
        workshop=workshop,
        title=(title or "").strip(),
        description=(description or "").strip(),
        category=category,
        zone=zone if zone is not None else workshop.zone,
        created_by=actor,
    )
    idea.full_clean(exclude=["workshop", "zone", "resident", "proposal"])
    idea.save()
    _run_event(actor, workshop, events.WORKSHOPS_IDEA_ADDED, idea=idea.pk)
    _changed()
    return idea


def call_for_ideas() -> Call | None:
    """The call open for submissions now, where ideas become draft proposals."""
    now = timezone.now()
    for call in Call.objects.order_by("-submission_start"):
        if call.phase_at(now) == Phase.SUBMISSION:
            return call
    return None


@transaction.atomic
def idea_to_proposal(
    *, actor: Any, idea: Idea, resident: User, consent: bool, call: Call | None = None
) -> Proposal:
    """A consenting resident carries the idea as their own draft proposal in
    the call open for submissions. The facilitator prepares the draft on the
    resident's behalf; the resident reviews and submits it under their own
    account (they receive an email with the link). Refused without consent."""
    idea = Idea.objects.select_for_update().select_related("workshop").get(pk=idea.pk)
    _require(actor, "workshops.run_workshop", idea.workshop)
    if idea.proposal_id is not None:
        raise ValidationError(_("This idea is already a proposal."), code="already_proposal")
    if not consent:
        message = _(
            "The resident must agree to carry this idea as their own proposal before a "
            "draft is prepared."
        )
        raise ValidationError({"consent": ValidationError(message, code="no_consent")})
    call = call or call_for_ideas()
    if call is None:
        raise ValidationError(
            _("No call for proposals is open for submissions now."), code="no_call"
        )
    description = idea.description or idea.title
    try:
        proposal = proposal_draft_create(
            actor=resident,
            call=call,
            title=idea.title,
            summary=description[:500],
            description=description,
            category=idea.category,
        )
    except PermissionDenied as exc:
        raise ValidationError(
            str(exc) or _("This resident cannot propose."), code="resident"
        ) from None
    idea.resident = resident
    idea.consent_at = timezone.now()
    idea.consent_recorded_by = actor
    idea.proposal = proposal
    idea.full_clean(exclude=["workshop", "zone", "resident", "proposal"])
    idea.save()
    _run_event(
        actor, idea.workshop, events.WORKSHOPS_IDEA_TO_PROPOSAL, idea=idea.pk, proposal=proposal.pk
    )
    notify(
        user=resident,
        template="workshops/email/idea_draft",
        context={
            "workshop": idea.workshop,
            "idea": idea,
            "url": site_url(proposal.get_absolute_url()),
        },
        key=f"workshop-idea-draft:{idea.pk}",
    )
    _changed()
    return proposal
