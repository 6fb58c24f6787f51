"""Residents' eligibility: who may take part (18 or over, living in Sector 6).

Invariants kept by the database:

- one *open* verification per person: a partial unique index on `cnp_hash`
  among verifications that have not ended (`ended_at IS NULL`);
- one open verification per account: a partial unique index on `user`.

A verification ends by revocation (staff, with a reason) or when it is
superseded by a renewal of the same person on the same account. Expiry
(`valid_until` in the past) does *not* end it: an expired verification still
binds the person to that account, so a lapsed identity cannot move to a second
account without a person at the desk revoking it first. After a revocation
the person may be verified again, on this or on another account.

CNPs are never stored: only `cnp.cnp_hash` (keyed HMAC) values.

The residence zone (`ResidentProfile.residence_zone`, a planning zone of
`geo`) is set at verification: picked by desk staff, or derived from the
located address (a point) when one is given. A profile with a point is a
*located record* of `geo.registry`: when zones are re-imported, the bulk
re-assignment moves it to the zone that now covers its point. A profile whose
zone was picked keeps it while that zone exists (an import updates zones of
the same name in place); it becomes empty if the zone is removed. An empty
zone is a normal state (no zones loaded, verifications made before zones
existed): features that need a zone must say so, never guess.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ResidentProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="resident_profile",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    address = models.CharField(
        _("residence address"),
        max_length=255,
        help_text=_("Street, number, building, flat, as on your identity card or residence visa."),
    )
    phone = models.CharField(_("phone (optional)"), max_length=32, blank=True)
    residence_zone = models.ForeignKey(
        "geo.Area",
        verbose_name=_("planning zone of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "zone"},
    )
    # The located address, when desk staff gave one: only to keep the zone
    # right when zones change. Never shown publicly.
    residence_latitude = models.FloatField(_("residence latitude"), null=True, blank=True)
    residence_longitude = models.FloatField(_("residence longitude"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("resident profile")
        verbose_name_plural = _("resident profiles")
        indexes = [models.Index(fields=["full_name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(residence_latitude__isnull=True, residence_longitude__isnull=True)
                | Q(residence_latitude__isnull=False, residence_longitude__isnull=False),
                name="eligibility_profile_residence_point_whole",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class VerificationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person at the CIIC desk")
    REGISTER = "register", _("Eligible-residents register")


class DocumentType(models.TextChoices):
    IDENTITY_CARD = "identity_card", _("Identity card (domicile)")
    RESIDENCE_VISA = "residence_visa", _("Residence visa (viză de reședință)")
    OTHER = "other", _("Other document")


class EndKind(models.TextChoices):
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded by a renewal")


class Verification(models.Model):
    """One verification of one person (by CNP hash) on one account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    cnp_hash = models.CharField(_("CNP hash"), max_length=64, editable=False)
    birth_date = models.DateField(
        _("date of birth (from the CNP)"),
        help_text=_("Age is computed from this date on the day of each action."),
    )
    method = models.CharField(_("method"), max_length=16, choices=VerificationMethod.choices)
    document_type = models.CharField(
        _("document checked"), max_length=20, choices=DocumentType.choices, blank=True
    )
    sector6_resident = models.BooleanField(_("lives in Sector 6"), default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"))
    valid_until = models.DateField(_("valid until (inclusive)"))
    register_import = models.ForeignKey(
        "RegisterImport",
        verbose_name=_("register import"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expiry_recorded_at = models.DateTimeField(
        _("expiry recorded at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the expiry sweep wrote the audit event for this verification's expiry."),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_kind = models.CharField(_("ended by"), max_length=16, choices=EndKind.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by (person)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        ordering = ["-verified_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cnp_hash"],
                condition=Q(ended_at__isnull=True),
                name="eligibility_one_open_verification_per_person",
                violation_error_message=_("This person is already verified on another account."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(ended_at__isnull=True),
                name="eligibility_one_open_verification_per_account",
            ),
            models.CheckConstraint(
                condition=(Q(ended_at__isnull=True) & Q(end_kind=""))
                | (Q(ended_at__isnull=False) & ~Q(end_kind="")),
                name="eligibility_verification_end_consistent",
            ),
            models.CheckConstraint(
                condition=Q(method="register") | ~Q(document_type=""),
                name="eligibility_in_person_has_document",
            ),
        ]
        indexes = [models.Index(fields=["user", "-verified_at"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def is_revoked(self) -> bool:
        return self.end_kind == EndKind.REVOKED


class IdentityConflict(models.Model):
    """Someone tried to verify, on a second account, a person already verified."""

    cnp_hash = models.CharField(_("CNP hash"), max_length=64, editable=False, db_index=True)
    existing_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account already verified"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account attempting verification"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attempted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=16, choices=VerificationMethod.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution_note = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("identity conflict")
        verbose_name_plural = _("identity conflicts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{_('Identity conflict')} #{self.pk}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class RegisterImport(models.Model):
    """One CSV import of the eligible-residents register. An import replaces
    the whole register with the file's rows (the register is a snapshot)."""

    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255)
    row_count = models.PositiveIntegerField(_("rows"))

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count})"


class RegisterEntry(models.Model):
    cnp_hash = models.CharField(_("CNP hash"), max_length=64, unique=True, editable=False)
    register_import = models.ForeignKey(
        RegisterImport,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="entries",
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")

    def __str__(self) -> str:
        return f"{_('Register entry')} #{self.pk}"


class RetainedIdentity(models.Model):
    """The keyed CNP hash of a person whose account was deleted while a call
    they voted in still needed it (see `ciic.personal_data.identity_hold_until`):
    nothing else about the person, no link to any account or ballot. Deleted
    the day after `keep_until` (`services.retained_identities_purge`)."""

    cnp_hash = models.CharField(_("CNP hash"), max_length=64, editable=False, db_index=True)
    keep_until = models.DateField(_("kept until (inclusive)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity kept after an account's deletion")
        verbose_name_plural = _("identities kept after accounts' deletion")
        ordering = ["keep_until", "id"]

    def __str__(self) -> str:
        return f"{_('Kept identity')} #{self.pk}"
