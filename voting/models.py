"""Voting: the ballot rules of a call, the ballots, and the results.

Secrecy. A `Ballot` row points at its voter only to enforce "one ballot per
resident per call" (the `UniqueConstraint` below) and to let the resident change
it until the close. Nothing shows that link: no page, export or staff screen
lists who chose what, the audit log records only *that* a resident voted, and
the published ballots (`Result.units[...]["pb"]`) carry no voter identifier and
are shuffled. The receipt code is never stored, only its SHA-256 hash. When an
account is deleted the ballot stays counted and the link is cut (`voter=None`).

Invariants kept by the database: one ballot per (call, voter); one choice per
(ballot, proposal); positive points; one rule and one result per call."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BallotKind(models.TextChoices):
    APPROVAL = "approval", _("Approval: choose up to k projects")
    KNAPSACK = "knapsack", _("Budget: choose projects that fit in the budget")
    CUMULATIVE = "cumulative", _("Points: share N points between projects")


class CountingRule(models.TextChoices):
    GREEDY = "greedy", _("Most votes first (greedy)")
    MES = "mes", _("Method of Equal Shares")


class Completion(models.TextChoices):
    NONE = "none", _("none")
    GREEDY = "greedy", _("greedy on the money left")
    ADD1 = "add1", _("add one (raise every share step by step)")
    ADD1_GREEDY = "add1-greedy", _("add one, then greedy on the money left")


# Pabulib's META `rule` for each (rule, completion).
PABULIB_RULE = {
    ("greedy", "none"): "greedy",
    ("mes", "none"): "equalshares",
    ("mes", "greedy"): "equalshares/greedy",
    ("mes", "add1"): "equalshares/add1",
    ("mes", "add1-greedy"): "equalshares/add1-greedy",
}


class BallotRule(models.Model):
    """How residents vote in a call and how votes are counted. Chosen before
    voting opens; `opened_at` set means voting has opened and the rule is locked."""

    call = models.OneToOneField(
        "proposals.Call", on_delete=models.CASCADE, related_name="ballot_rule"
    )
    kind = models.CharField(_("ballot"), max_length=12, choices=BallotKind.choices)
    max_choices = models.PositiveSmallIntegerField(
        _("maximum number of projects (k)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Approval ballots: how many projects a resident may choose."),
    )
    min_share_spent = models.DecimalField(
        _("minimum share of the budget to spend (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Budget ballots: a ballot must use at least this share of the budget."),
    )
    points = models.PositiveSmallIntegerField(
        _("points per resident (N)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_points_per_project = models.PositiveSmallIntegerField(
        _("maximum points per project"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    counting_rule = models.CharField(
        _("counting rule"), max_length=8, choices=CountingRule.choices, default=CountingRule.MES
    )
    completion = models.CharField(
        _("completion"), max_length=12, choices=Completion.choices, default=Completion.ADD1
    )
    opened_at = models.DateTimeField(_("voting opened"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ballot rule")
        verbose_name_plural = _("ballot rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="approval") | Q(max_choices__isnull=False),
                name="voting_rule_approval_has_k",
            ),
            models.CheckConstraint(
                condition=~Q(kind="cumulative")
                | Q(points__isnull=False, max_points_per_project__isnull=False),
                name="voting_rule_cumulative_has_points",
            ),
            models.CheckConstraint(
                condition=Q(counting_rule="mes") | Q(completion="none"),
                name="voting_rule_completion_mes_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call}: {self.get_kind_display()}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.kind == BallotKind.APPROVAL and not self.max_choices:
            errors["max_choices"] = ValidationError(
                _("Say how many projects a resident may choose."), code="required"
            )
        if self.kind == BallotKind.CUMULATIVE:
            if not self.points:
                errors["points"] = ValidationError(
                    _("Say how many points each resident has."), code="required"
                )
            if not self.max_points_per_project:
                errors["max_points_per_project"] = ValidationError(
                    _("Say how many points one project may receive."), code="required"
                )
            elif self.points and self.max_points_per_project > self.points:
                errors["max_points_per_project"] = ValidationError(
                    _("This cannot exceed the points per resident."), code="too_many"
                )
        if self.counting_rule == CountingRule.GREEDY and self.completion != Completion.NONE:
            errors["completion"] = ValidationError(
                _("A completion applies to the Method of Equal Shares only."), code="completion"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def locked(self) -> bool:
        return self.opened_at is not None

    @property
    def sat(self) -> str:
        """The tally engine's satisfaction measure for this ballot."""
        return "points" if self.kind == BallotKind.CUMULATIVE else "cost"

    @property
    def pabulib_rule(self) -> str:
        return PABULIB_RULE[(self.counting_rule, self.completion)]


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper, at the CIIC desk")


class Ballot(models.Model):
    """One resident's ballot in one call. See the module docstring on secrecy."""

    call = models.ForeignKey("proposals.Call", on_delete=models.PROTECT, related_name="ballots")
    # Only to enforce one ballot per resident and to let them change it; never shown.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # The voter's planning zone when the ballot was cast (decides the zone budget).
    zone = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    age_band = models.CharField(_("age band"), max_length=8, blank=True)
    receipt_hash = models.CharField(max_length=64, unique=True)
    revision = models.PositiveIntegerField(default=1)
    first_cast_at = models.DateTimeField(_("first cast"))
    cast_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["call", "voter"], name="voting_ballot_one_per_voter"),
        ]
        indexes = [models.Index(fields=["call", "first_cast_at"])]

    def __str__(self) -> str:
        return f"ballot {self.pk}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="voting_choice_unique"),
            models.CheckConstraint(condition=Q(points__gt=0), name="voting_choice_points"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.proposal_id} x{self.points}"


class Result(models.Model):
    """The computed outcome of a call, one entry per budget unit (the
    sector-wide budget and each zone budget) in `units`, kept as computed so
    the published page and downloads never change after publication."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed, awaiting review")
        PUBLISHED = "published", _("Published")

    call = models.OneToOneField("proposals.Call", on_delete=models.CASCADE, related_name="result")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.COMPUTED)
    units = models.JSONField(default=list)
    # Turnout figures for the charts: by day, zone, age band and channel.
    stats = models.JSONField(default=dict)
    ballots_count = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return f"{self.call}: {self.get_status_display()}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def unit(self, key: str) -> dict | None:
        return next((u for u in self.units if u["key"] == key), None)
