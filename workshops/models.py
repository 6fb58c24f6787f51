"""The CIIC's programme of neighbourhood workshops: workshops, registrations
(with a waiting list), what facilitators record at the venue (attendance,
walk-ins, minutes, photos, in-person verifications) and the ideas raised there.

Invariants kept by the database: one active registration per person and
workshop, a workshop ends after it starts and has at least one seat, numbers
are unique in a programme, an idea leads to at most one proposal. The link from
an idea to its proposal lives here, so `proposals` never imports `workshops`.
Business rules (who may do what, when) live in `services.py` and `rules.py`."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from proposals.models import Category


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    target_count = models.PositiveSmallIntegerField(
        _("target number of workshops"), default=44, validators=[MinValueValidator(1)]
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends (last day)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workshop programme")
        verbose_name_plural = _("workshop programmes")
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")),
                name="workshops_programme_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(target_count__gte=1), name="workshops_programme_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError(
                {"period_end": _("The programme cannot end before it starts.")},
                code="period_order",
            )


class Workshop(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open for registration")
        FULL = "full", _("Full")
        HELD = "held", _("Held")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="workshops",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    theme = models.CharField(_("theme"), max_length=200)
    description = models.TextField(_("what it is about"), blank=True)
    zone = models.ForeignKey(
        "geo.Area",
        verbose_name=_("planning zone"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    venue_name = models.CharField(_("venue"), max_length=160)
    venue_address = models.CharField(_("address"), max_length=300)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        related_name="facilitated_workshops",
        blank=True,
    )
    accessibility_notes = models.TextField(_("accessibility"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    status_note = models.CharField(_("reason"), max_length=500, blank=True)
    walk_ins = models.PositiveIntegerField(_("walk-ins (not registered)"), default=0)
    minutes_public = models.TextField(_("public summary"), blank=True)
    minutes_internal = models.TextField(_("internal notes"), blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["starts_at", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="workshops_workshop_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="workshops_workshop_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="workshops_workshop_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="workshops_workshop_point_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.theme}"

    def get_absolute_url(self) -> str:
        return reverse("workshops:detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {"ends_at": _("A workshop must end after it starts.")}, code="ends_before_start"
            )

    @property
    def is_active(self) -> bool:
        """Still ahead in the programme: planned, open, full or postponed."""
        return self.status in ACTIVE_STATUSES


ACTIVE_STATUSES = (
    Workshop.Status.PLANNED,
    Workshop.Status.OPEN,
    Workshop.Status.FULL,
    Workshop.Status.POSTPONED,
)
REGISTRATION_STATUSES = (Workshop.Status.OPEN, Workshop.Status.FULL)


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="workshop_registrations",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    promoted_at = models.DateTimeField(_("moved off the waiting list"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "user"],
                condition=~Q(status="cancelled"),
                name="workshops_one_active_registration",
                violation_error_message=_("You are already registered for this workshop."),
            ),
        ]
        indexes = [models.Index(fields=["workshop", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.workshop} · {self.user}"


def _photo_upload_to(instance: WorkshopPhoto, filename: str) -> str:
    return f"workshops/{instance.workshop_id}/{filename}"


class WorkshopPhoto(models.Model):
    """A photo after the event, re-encoded by the server (EXIF removed)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=_photo_upload_to, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file.name


class WorkshopVerification(models.Model):
    """An in-person identity verification done at a workshop (the
    verification itself belongs to `ciic.eligibility`)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="verifications")
    verification = models.OneToOneField(
        "eligibility.Verification", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verification at a workshop")
        verbose_name_plural = _("verifications at workshops")

    def __str__(self) -> str:
        return f"{self.workshop} · {self.verification_id}"


class Idea(models.Model):
    """An idea raised at a workshop. With the consent of a resident it becomes
    their draft proposal; `proposal` follows it to the ballot."""

    workshop = models.ForeignKey(
        Workshop, verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="ideas"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    zone = models.ForeignKey(
        "geo.Area",
        verbose_name=_("planning zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident who carries it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_ideas",
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposal = models.OneToOneField(
        "proposals.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workshop_idea",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(proposal__isnull=True) | Q(consent_at__isnull=False),
                name="workshops_idea_proposal_needs_consent",
            )
        ]

    def __str__(self) -> str:
        return self.title
