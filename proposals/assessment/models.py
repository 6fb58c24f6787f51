"""The council's assessment of a proposal.

One `Assessment` per proposal (assignment, due date and the assessors'
findings, all internal); `Decision`s (eligible or ineligible with a public
explanation, pending until a second assessor confirms them when the call asks
for four eyes); `Appeal`s against an ineligibility; and the private `Message`
thread between the author and the assessors. What residents may read is the
decision's outcome, reason and explanation, and an appeal's outcome and
explanation; everything else stays on staff pages."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from proposals.models import Call, Category, Proposal


class Department(models.Model):
    """A council department proposals can be assigned to."""

    name = models.CharField(_("name"), max_length=160, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("council department")
        verbose_name_plural = _("council departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CallAssessmentSettings(models.Model):
    """How a call's proposals are assessed. Absent: the settings' defaults."""

    call = models.OneToOneField(
        Call, on_delete=models.CASCADE, related_name="assessment_settings", primary_key=True
    )
    four_eyes = models.BooleanField(
        _("four-eyes rule"),
        default=False,
        help_text=_("A decision takes effect only when a second assessor confirms it."),
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("days to appeal"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    due_working_days = models.PositiveSmallIntegerField(
        _("working days to assess"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("assessment settings")
        verbose_name_plural = _("assessment settings")

    def __str__(self) -> str:
        return str(self.call)


class CompetenceNote(models.Model):
    """What the council's competence covers in one category of a call (a guide for assessors)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="competence_notes")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    note = models.TextField(_("competence note"), max_length=2000)

    class Meta:
        verbose_name = _("competence note")
        verbose_name_plural = _("competence notes")
        ordering = ["call", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "category"], name="assessment_competencenote_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.call}: {self.get_category_display()}"


class LandControl(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Assessment(models.Model):
    """The assignment and the assessors' findings on one proposal (internal)."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="assessment", primary_key=True
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments_assigned",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True, db_index=True)

    competence = models.BooleanField(_("within the council's competence"), null=True, blank=True)
    competence_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    competence_notes = models.TextField(_("notes on competence"), blank=True, max_length=4000)
    land_controlled = models.CharField(
        _("land or asset controlled by the Sector 6 council"),
        max_length=8,
        choices=LandControl.choices,
        blank=True,
    )
    land_notes = models.TextField(_("notes on land"), blank=True, max_length=4000)
    legally_feasible = models.BooleanField(_("legally feasible"), null=True, blank=True)
    legal_notes = models.TextField(_("notes on legality"), blank=True, max_length=4000)
    technically_feasible = models.BooleanField(_("technically feasible"), null=True, blank=True)
    technical_notes = models.TextField(_("technical notes"), blank=True, max_length=4000)
    cost_estimate = models.DecimalField(
        _("council's cost estimate (RON)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    maintenance_cost = models.DecimalField(
        _("yearly maintenance (RON)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    cost_notes = models.TextField(_("notes on cost"), blank=True, max_length=4000)
    months = models.PositiveSmallIntegerField(
        _("implementation time (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    months_notes = models.TextField(_("notes on timing"), blank=True, max_length=4000)
    duplicate_of = models.ForeignKey(
        Proposal,
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    duplicate_notes = models.TextField(_("notes on the duplicate"), blank=True, max_length=4000)
    changes_deadline = models.DateTimeField(_("changes due by"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_estimate__isnull=True) | Q(cost_estimate__gt=0),
                name="assessment_cost_positive",
            ),
            models.CheckConstraint(
                condition=Q(maintenance_cost__isnull=True) | Q(maintenance_cost__gte=0),
                name="assessment_maintenance_nonnegative",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("proposal")),
                name="assessment_not_duplicate_of_itself",
            ),
        ]

    def __str__(self) -> str:
        return str(self.proposal)


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")


class Reason(models.TextChoices):
    """Why a proposal is ineligible (the fixed list residents read)."""

    COMPETENCE = "competence", _("Outside the council's competence")
    LAND = "land", _("Land not controlled by the council")
    OVER_MAX_COST = "over_max_cost", _("Over the call's maximum cost")
    NOT_FEASIBLE = "not_feasible", _("Not technically feasible")
    NOT_LEGAL = "not_legal", _("Not legal")
    DUPLICATE = "duplicate", _("Duplicate of another proposal")
    OTHER = "other", _("Other")


class Decision(models.Model):
    """An assessor's decision. With the four-eyes rule it stays pending until
    another assessor confirms it (then it takes effect) or sends it back."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("In effect")
        RETURNED = "returned", _("Sent back")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    explanation = models.TextField(_("public explanation"), max_length=2000, blank=True)
    duplicate_of = models.ForeignKey(
        Proposal,
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_decisions",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    review_note = models.TextField(_("internal note of the second assessor"), blank=True)
    effective_at = models.DateTimeField(_("in effect since"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["proposal", "proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(state="pending"),
                name="assessment_one_pending_decision",
            ),
            models.CheckConstraint(
                condition=Q(outcome="eligible", reason="")
                | (Q(outcome="ineligible") & ~Q(reason="") & ~Q(explanation="")),
                name="assessment_decision_reasoned",
            ),
            models.CheckConstraint(
                condition=Q(reason="duplicate", duplicate_of__isnull=False)
                | (~Q(reason="duplicate") & Q(duplicate_of__isnull=True)),
                name="assessment_decision_duplicate_target",
            ),
        ]
        indexes = [models.Index(fields=["proposal", "state"])]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_outcome_display()}"


class Appeal(models.Model):
    """The author's appeal against an ineligibility, decided by another assessor."""

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting a decision")
        UPHELD = "upheld", _("Upheld: the proposal is eligible")
        REJECTED = "rejected", _("Rejected: the decision stands")

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="appeal")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="appeals")
    argument = models.TextField(_("argument"), max_length=4000)
    lodged_at = models.DateTimeField(_("lodged"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    explanation = models.TextField(_("public explanation"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["lodged_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(state="open"), name="assessment_one_open_appeal"
            ),
            models.CheckConstraint(
                condition=Q(state="open") | ~Q(explanation=""), name="assessment_appeal_reasoned"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_state_display()}"


class Message(models.Model):
    """One message of the private thread between a proposal's author and the assessors."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assessment_messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_staff = models.BooleanField(_("from the council"))
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"])]

    def __str__(self) -> str:
        return f"{self.proposal} {self.created_at:%Y-%m-%d %H:%M}"
