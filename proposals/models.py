"""Calls for proposals (budget cycles) and residents' proposals.

Invariants kept by the database: a gapless, unique reference per call
(`ReferenceCounter` + `UniqueConstraint(call, number)`), ordered phases, a
positive cost, a location that is either a point or the whole sector. Business
rules (who may submit when, transitions) live in `services.py`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ciic.translated import in_language

LOCAL_TZ = ZoneInfo("Europe/Bucharest")


class Category(models.TextChoices):
    """The council's proposal categories (labels are the council's names in Romanian)."""

    MEDIU = "mediu", _("Environment")
    EDUCATIE = "educatie", _("Education")
    CULTURA = "cultura", _("Culture")
    SOCIAL = "social", _("Social")
    INFRASTRUCTURA = "infrastructura", _("Infrastructure (local)")
    SIGURANTA = "siguranta", _("Safety")
    SERVICII = "servicii", _("Services")
    ALTELE = "altele", _("Other")


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Not started yet")
    SUBMISSION = "submission", _("Submission of proposals")
    ASSESSMENT = "assessment", _("Assessment")
    VOTING = "voting", _("Voting")
    RESULTS = "results", _("Results")
    IMPLEMENTATION = "implementation", _("Implementation")
    INTERVAL = "interval", _("Between phases")


# (phase, start field, end field (inclusive) or None); ordered.
PHASE_FIELDS: tuple[tuple[str, str, str | None], ...] = (
    (Phase.SUBMISSION, "submission_start", "submission_end"),
    (Phase.ASSESSMENT, "assessment_start", "assessment_end"),
    (Phase.VOTING, "voting_start", "voting_end"),
    (Phase.RESULTS, "results_date", None),
    (Phase.IMPLEMENTATION, "implementation_start", None),
)


def local_day_start(day: dt.date) -> dt.datetime:
    """00:00:00 of `day` in Bucharest, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


class Call(models.Model):
    """A budget cycle. Phase dates are whole days in Europe/Bucharest, both ends
    inclusive: a phase ending on 31 May is open until 23:59:59.999 that day. The
    phase in force is derived from the dates (`phase_at`), never stored."""

    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(
        _("name in English"),
        max_length=160,
        blank=True,
        help_text=_("Shown on the English pages; when empty, they show the Romanian name."),
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    total_budget = models.DecimalField(
        _("total budget (RON)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    max_cost_per_proposal = models.DecimalField(
        _("maximum cost per proposal (RON)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_proposals_per_resident = models.PositiveSmallIntegerField(
        _("maximum proposals per resident"), default=5, validators=[MinValueValidator(1)]
    )
    submission_start = models.DateField(_("submission opens"))
    submission_end = models.DateField(_("submission closes (last day)"))
    assessment_start = models.DateField(_("assessment starts"))
    assessment_end = models.DateField(_("assessment ends (last day)"))
    voting_start = models.DateField(_("voting opens"))
    voting_end = models.DateField(_("voting closes (last day)"))
    results_date = models.DateField(_("results published"))
    implementation_start = models.DateField(_("implementation starts"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call for proposals")
        verbose_name_plural = _("calls for proposals")
        ordering = ["-year", "-submission_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submission_start__lte=F("submission_end"))
                & Q(submission_end__lt=F("assessment_start"))
                & Q(assessment_start__lte=F("assessment_end"))
                & Q(assessment_end__lt=F("voting_start"))
                & Q(voting_start__lte=F("voting_end"))
                & Q(voting_end__lt=F("results_date"))
                & Q(results_date__lte=F("implementation_start")),
                name="proposals_call_phases_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_cost_per_proposal__gt=0) & Q(total_budget__gte=0),
                name="proposals_call_amounts_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the page's language (English falls back to Romanian)."""
        return in_language(self.name, self.name_en)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        order = [
            ("submission_start", "submission_end", False),
            ("submission_end", "assessment_start", True),
            ("assessment_start", "assessment_end", False),
            ("assessment_end", "voting_start", True),
            ("voting_start", "voting_end", False),
            ("voting_end", "results_date", True),
            ("results_date", "implementation_start", False),
        ]
        for earlier, later, strict in order:
            a, b = getattr(self, earlier), getattr(self, later)
            if a is None or b is None or later in errors:
                continue
            if (strict and b <= a) or (not strict and b < a):
                msg = (
                    _("This date must be after %(other)s.")
                    if strict
                    else _("This date must not be before %(other)s.")
                )
                errors[later] = ValidationError(
                    msg,
                    code="phase_order",
                    params={"other": self._meta.get_field(earlier).verbose_name},
                )
        if (
            self.total_budget is not None
            and self.max_cost_per_proposal is not None
            and self.max_cost_per_proposal > self.total_budget
        ):
            errors["max_cost_per_proposal"] = ValidationError(
                _("The maximum cost per proposal cannot exceed the total budget."), code="max_cost"
            )
        if errors:
            raise ValidationError(errors)

    # --- phases ---------------------------------------------------------------

    def phase_windows(self) -> list[tuple[str, dt.datetime, dt.datetime | None]]:
        """[(phase, start, end exclusive or None)] as aware datetimes."""
        out = []
        for phase, start_f, end_f in PHASE_FIELDS:
            start = local_day_start(getattr(self, start_f))
            if end_f:
                end: dt.datetime | None = local_day_start(
                    getattr(self, end_f) + dt.timedelta(days=1)
                )
            elif phase == Phase.RESULTS:
                end = local_day_start(self.implementation_start)
            else:
                end = None
            out.append((str(phase), start, end))
        return out

    def phase_at(self, moment: dt.datetime | None = None) -> str:
        moment = moment or timezone.now()
        windows = self.phase_windows()
        if moment < windows[0][1]:
            return Phase.UPCOMING
        for phase, start, end in windows:
            if start <= moment and (end is None or moment < end):
                return phase
        return Phase.INTERVAL

    @property
    def phase(self) -> str:
        return self.phase_at()

    def submission_open_at(self, moment: dt.datetime | None = None) -> bool:
        return self.phase_at(moment) == Phase.SUBMISSION

    @property
    def submission_deadline(self) -> dt.datetime:
        """The first instant at which submission is closed."""
        return local_day_start(self.submission_end + dt.timedelta(days=1))

    def accepted_categories(self) -> list[str]:
        return [c.category for c in self.categories.all()]


class CallCategory(models.Model):
    """A category a call accepts, with what fits in it for this call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("what fits"), max_length=300, blank=True)
    description_en = models.CharField(
        _("what fits, in English"),
        max_length=300,
        blank=True,
        help_text=_("Shown on the English pages; when empty, they show the Romanian text."),
    )

    class Meta:
        verbose_name = _("accepted category")
        verbose_name_plural = _("accepted categories")
        ordering = ["call", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "category"], name="proposals_callcategory_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_category_display())

    @property
    def display_description(self) -> str:
        """What fits, in the page's language (English falls back to Romanian)."""
        return in_language(self.description, self.description_en)


class ZoneBudget(models.Model):
    """An optional budget reserved for one planning zone within a call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="zone_budgets")
    zone = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(
        _("budget (RON)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("zone budget")
        verbose_name_plural = _("zone budgets")
        constraints = [
            models.UniqueConstraint(fields=["call", "zone"], name="proposals_zonebudget_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="proposals_zonebudget_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.zone}: {self.amount}"


class ReferenceCounter(models.Model):
    """The last reference number allocated in a call. Submitting locks this row
    (`select_for_update`), so numbers are gapless and unique under concurrency,
    and a failed submission rolls its number back."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, primary_key=True, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.call_id}: {self.last_number}"


class ProposalQuerySet(models.QuerySet["Proposal"]):
    def public(self) -> ProposalQuerySet:
        return self.exclude(status=Proposal.Status.DRAFT)


class Proposal(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")
        ON_BALLOT = "on_ballot", _("On the ballot")
        SELECTED = "selected", _("Selected for funding")
        NOT_SELECTED = "not_selected", _("Not selected")
        IN_IMPLEMENTATION = "in_implementation", _("In implementation")
        COMPLETED = "completed", _("Completed")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="proposals"
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True, editable=False)
    reference = models.CharField(_("reference"), max_length=24, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # Empty once the author deleted their account: a public proposal stays,
    # under "a Sector 6 resident" (proposals.personal_data.erase). PROTECT: an
    # account is never deleted past its proposals by accident.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), validators=[MaxLengthValidator(500)])
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("Plain text or Markdown: *italic*, **bold**, lists, links."),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    cost_estimate = models.DecimalField(
        _("cost estimate (RON)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # Set by the council's assessment; what ballots and tallies use (see `ballot_cost`).
    assessed_cost = models.DecimalField(
        _("assessed cost (RON)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    whole_sector = models.BooleanField(_("whole sector"), default=False)
    zone = models.ForeignKey(
        "geo.Area",
        verbose_name=_("planning zone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    consent_publication = models.BooleanField(_("consent to publication"), default=False)
    consent_image_rights = models.BooleanField(_("consent on image rights"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    # Search (see proposals.search), written by the services that change the
    # text: the folded, stemmed words on every database, and on PostgreSQL the
    # weighted tsvector (GIN-indexed by a migration; NULL elsewhere).
    search_stems = models.TextField(editable=False, blank=True, default="")
    search_vector = SearchVectorField(editable=False, null=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "number"], name="proposals_proposal_call_number"
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="proposals_proposal_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(cost_estimate__isnull=True) | Q(cost_estimate__gt=0),
                name="proposals_proposal_cost_positive",
            ),
            models.CheckConstraint(
                condition=Q(assessed_cost__isnull=True) | Q(assessed_cost__gt=0),
                name="proposals_proposal_assessed_cost_positive",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False, whole_sector=False),
                name="proposals_proposal_point_or_sector",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(number__isnull=False, submitted_at__isnull=False, cost_estimate__isnull=False)
                    & ~Q(reference="")
                ),
                name="proposals_proposal_submitted_complete",
            ),
            models.CheckConstraint(
                condition=Q(author__isnull=False) | ~Q(status="draft"),
                name="proposals_proposal_draft_has_author",
            ),
        ]
        indexes = [
            models.Index(fields=["call", "status"]),
            models.Index(fields=["category"]),
            models.Index(fields=["author", "call"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}" if self.reference else self.title

    def get_absolute_url(self) -> str:
        if self.reference:
            return reverse("proposals:detail", kwargs={"reference": self.reference})
        return reverse("proposals:edit", kwargs={"pk": self.pk, "step": "review"})

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def ballot_cost(self) -> Decimal | None:
        """The cost a ballot and a tally use: the council's assessed cost once
        set, the author's estimate until then."""
        return self.assessed_cost if self.assessed_cost is not None else self.cost_estimate

    @property
    def storage_folder(self) -> str:
        return f"proposals/{self.reference or f'draft-{self.pk}'}"

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(self.status, "badge-info")

    def snapshot(self) -> dict[str, Any]:
        """The author-editable content, as kept in a version."""
        return {
            "title": self.title,
            "summary": self.summary,
            "description": self.description,
            "category": self.category,
            "cost_estimate": str(self.cost_estimate) if self.cost_estimate is not None else None,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "whole_sector": self.whole_sector,
            "zone": self.zone.name if self.zone_id and self.zone else None,
        }


S = Proposal.Status
STATUS_BADGES = {
    S.DRAFT: "",
    S.SUBMITTED: "badge-info",
    S.UNDER_ASSESSMENT: "badge-info",
    S.CHANGES_REQUESTED: "badge-warn",
    S.RESUBMITTED: "badge-info",
    S.ELIGIBLE: "badge-ok",
    S.INELIGIBLE: "badge-err",
    S.ON_BALLOT: "badge-ok",
    S.SELECTED: "badge-ok",
    S.NOT_SELECTED: "badge-err",
    S.IN_IMPLEMENTATION: "badge-ok",
    S.COMPLETED: "badge-ok",
}
ELIGIBLE_OR_LATER = (
    S.ELIGIBLE,
    S.ON_BALLOT,
    S.SELECTED,
    S.NOT_SELECTED,
    S.IN_IMPLEMENTATION,
    S.COMPLETED,
)


def _upload_to(instance: Any, filename: str) -> str:
    return f"{instance.proposal.storage_folder}/{filename}"


class ProposalImage(models.Model):
    """An image, re-encoded by the server (EXIF removed) before it is stored."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(_("image"), upload_to=_upload_to, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    alt_text = models.CharField(_("description of the image"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file.name


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("PDF document"), upload_to=_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ProposalVersion(models.Model):
    """The content of a proposal as submitted, and after each later edit."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status at the time"), max_length=20, choices=Proposal.Status.choices
    )
    data = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposals_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.proposal} v{self.number}"
