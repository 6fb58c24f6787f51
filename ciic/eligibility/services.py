"""Writes for eligibility: profiles, verifications, conflicts, the register.

Every state change writes an audit event. Audit events never contain a CNP or
its hash. Permission is checked in the views *and* here (defence in depth):
services refuse an actor who may not act.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ciic.accounts.models import User
from ciic.accounts.permissions import require
from ciic.audit import events
from ciic.audit.models import Event
from ciic.audit.services import event_record
from ciic.links import site_url
from ciic.notifications.services import notify
from geo.models import Area
from geo.services import area_locate_point

from .cnp import ParsedCNP, cnp_hash, cnp_validate
from .models import (
    DocumentType,
    EndKind,
    IdentityConflict,
    RegisterEntry,
    RegisterImport,
    ResidentProfile,
    Verification,
    VerificationMethod,
)
from .selectors import default_valid_until, verifications_due_for_expiry

logger = logging.getLogger(__name__)

REGISTER_IMPORT_MAX_ROWS = 1_000_000
REGISTER_IMPORT_MAX_ERRORS = 50


class IdentityConflictError(Exception):
    """The person (CNP) is already verified on another account."""

    def __init__(self, conflict: IdentityConflict) -> None:
        self.conflict = conflict
        super().__init__("identity already verified on another account")

    @property
    def message(self) -> str:
        return gettext(
            "This person is already verified on another account. Please contact the CIIC "
            "desk: staff will check your identity card and sort it out."
        )


class _Conflict(Exception):
    def __init__(self, existing_user: User | None) -> None:
        self.existing_user = existing_user


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    """Eligibility acts only for a person: the system (`None`) is refused too."""
    if actor is None:
        raise PermissionDenied
    require(actor, perm, obj)


def _verification_state(v: Verification | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "method": v.method,
        "document_type": v.document_type,
        "sector6_resident": v.sector6_resident,
        "valid_until": v.valid_until,
        "ended": v.end_kind or None,
        "reason": v.end_reason or None,
    }


# --- profile ---------------------------------------------------------------------


PROFILE_FIELDS = ("full_name", "date_of_birth", "address", "phone")


@transaction.atomic
def profile_update(
    *,
    actor: Any,
    user: User,
    full_name: str,
    date_of_birth: date,
    address: str,
    phone: str = "",
) -> ResidentProfile:
    """Create or update a resident's profile (the resident, or desk staff).

    While a verification is open, the date of birth is the one in the verified
    CNP and cannot be changed here."""
    _require(actor, "eligibility.change_profile", user)
    profile = ResidentProfile.objects.select_for_update().filter(user=user).first()
    before = {f: getattr(profile, f) for f in PROFILE_FIELDS} if profile else None
    if profile is None:
        profile = ResidentProfile(user=user)
    open_v = Verification.objects.filter(user=user, ended_at__isnull=True).first()
    if open_v is not None and date_of_birth != open_v.birth_date:
        raise ValidationError(
            {
                "date_of_birth": _(
                    "Your date of birth was verified from your CNP and cannot be changed "
                    "here. Please contact the CIIC desk."
                )
            }
        )
    if date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("The date of birth cannot be in the future.")})
    profile.full_name = full_name.strip()
    profile.date_of_birth = date_of_birth
    profile.address = address.strip()
    profile.phone = phone.strip()
    profile.full_clean()
    after = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    if after == before:
        return profile
    profile.save()
    event_record(
        actor=actor,
        action=events.ELIGIBILITY_PROFILE_CREATED
        if before is None
        else events.ELIGIBILITY_PROFILE_UPDATED,
        obj=profile,
        before=before,
        after=after,
    )
    return profile


# --- residence zone ----------------------------------------------------------------


@dataclass(frozen=True)
class Residence:
    """Where a resident lives, as far as the platform needs it: the planning
    zone, and the located address (a point) when one was given."""

    zone: Area | None
    latitude: float | None = None
    longitude: float | None = None

    def state(self) -> dict[str, Any]:
        """For audit events: the zone, and whether it came from a point (never
        the coordinates themselves)."""
        return {
            "zone": self.zone.slug if self.zone else None,
            "zone_name": self.zone.name if self.zone else None,
            "located": self.latitude is not None,
        }


def _residence_of(profile: ResidentProfile) -> Residence:
    return Residence(
        zone=profile.residence_zone,
        latitude=profile.residence_latitude,
        longitude=profile.residence_longitude,
    )


def residence_resolve(
    *,
    zone: Area | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Residence | None:
    """Check a residence given by desk staff or a resident, and complete it.

    With a point, the zone is the planning zone that covers it (and a zone
    chosen as well must be that one). Without a point, the chosen zone.
    Without either: None while no planning zones are loaded, otherwise an
    error (the zone is required). Errors are keyed by the form fields
    `residence_zone` and `residence_latitude`."""
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            {"residence_latitude": _("Give both the latitude and the longitude, or neither.")},
            code="point_incomplete",
        )
    if latitude is not None and longitude is not None:
        try:
            located = area_locate_point(latitude=latitude, longitude=longitude)
        except ValidationError as exc:
            raise ValidationError({"residence_latitude": exc.messages}, code=exc.code) from None
        if located is None:
            raise ValidationError(
                {"residence_latitude": _("No planning zone covers this point. Choose the zone.")},
                code="no_zone_at_point",
            )
        if zone is not None and zone.pk != located.pk:
            raise ValidationError(
                {
                    "residence_zone": _(
                        "The address is in the zone “%(located)s”, not in “%(chosen)s”. "
                        "Choose the zone again or correct the address."
                    )
                    % {"located": located.name, "chosen": zone.name}
                },
                code="zone_mismatch",
            )
        return Residence(zone=located, latitude=float(latitude), longitude=float(longitude))
    if zone is not None:
        if zone.kind != Area.Kind.ZONE:
            raise ValidationError(
                {"residence_zone": _("Choose one of the planning zones.")}, code="not_a_zone"
            )
        return Residence(zone=zone)
    if Area.objects.filter(kind=Area.Kind.ZONE).exists():
        raise ValidationError(
            {"residence_zone": _("Choose the planning zone of residence.")},
            code="zone_required",
        )
    return None


def _residence_apply(*, actor: Any, profile: ResidentProfile, residence: Residence) -> bool:
    """Write a resolved residence on the (locked) profile, with an audit
    event; False if nothing changed."""
    before = _residence_of(profile)
    if before == residence:
        return False
    profile.residence_zone = residence.zone
    profile.residence_latitude = residence.latitude
    profile.residence_longitude = residence.longitude
    profile.full_clean()
    profile.save(
        update_fields=["residence_zone", "residence_latitude", "residence_longitude", "updated_at"]
    )
    event_record(
        actor=actor,
        action=events.ELIGIBILITY_RESIDENCE_CHANGED,
        obj=profile,
        before=before.state(),
        after=residence.state(),
    )
    return True


@transaction.atomic
def residence_set(
    *,
    actor: Any,
    user: User,
    zone: Area | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> ResidentProfile:
    """Desk staff set (or correct) where a resident lives: a planning zone, or
    a located address from which the zone is derived. Audited."""
    _require(actor, "eligibility.verify_residents")
    residence = residence_resolve(zone=zone, latitude=latitude, longitude=longitude)
    profile = ResidentProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise ValidationError(
            _("The resident must fill in their profile (name, date of birth, address) first."),
            code="no_profile",
        )
    if residence is not None:
        _residence_apply(actor=actor, profile=profile, residence=residence)
    return profile


# --- verifications ---------------------------------------------------------------


def _profile_birth_date(user: User) -> date:
    profile = ResidentProfile.objects.filter(user=user).first()
    if profile is None:
        raise ValidationError(
            _("The resident must fill in their profile (name, date of birth, address) first."),
            code="no_profile",
        )
    return profile.date_of_birth


def _conflict_record(
    *, actor: Any, user: User, existing_user: User | None, hashed: str, method: str
) -> IdentityConflict:
    with transaction.atomic():
        conflict = IdentityConflict.objects.create(
            cnp_hash=hashed,
            existing_user=existing_user,
            attempting_user=user,
            attempted_by=actor if getattr(actor, "is_authenticated", False) else None,
            method=method,
        )
        event_record(
            actor=actor,
            action=events.ELIGIBILITY_IDENTITY_CONFLICT_RECORDED,
            obj=conflict,
            after={
                "existing_user": existing_user.pk if existing_user else None,
                "attempting_user": user.pk,
                "method": method,
            },
        )
    logger.info(
        "identity conflict %s recorded (accounts %s / %s)",
        conflict.pk,
        existing_user.pk if existing_user else None,
        user.pk,
    )
    return conflict


def _verification_open(
    *,
    actor: Any,
    user: User,
    parsed: ParsedCNP,
    hashed: str,
    method: str,
    document_type: str,
    sector6_resident: bool,
    valid_until: date | None,
    register_import: RegisterImport | None = None,
    residence: Residence | None = None,
) -> Verification:
    """Open a verification; ends (supersedes) the account's current one when it
    is the same person (a renewal). Raises IdentityConflictError, after
    recording the conflict, when the person is verified on another account.
    `residence`, when given, is written on the profile in the same transaction."""
    now = timezone.now()
    today = timezone.localdate(now)
    default_until = default_valid_until(verified_on=today)
    until = min(valid_until, default_until) if valid_until else default_until
    if until < today:
        raise ValidationError(
            {"valid_until": _("The document has already expired.")}, code="expired_document"
        )
    try:
        with transaction.atomic():
            # Serialise changes to one account; the person-level invariant is
            # the partial unique index, which holds across accounts.
            User.objects.select_for_update().filter(pk=user.pk).first()
            other = (
                Verification.objects.filter(cnp_hash=hashed, ended_at__isnull=True)
                .exclude(user=user)
                .select_related("user")
                .first()
            )
            if other is not None:
                raise _Conflict(other.user)
            current = Verification.objects.filter(user=user, ended_at__isnull=True).first()
            if current is not None and current.cnp_hash != hashed:
                raise ValidationError(
                    _(
                        "This account is already verified for a different person. Revoke that "
                        "verification first."
                    ),
                    code="other_person",
                )
            before = _verification_state(current)
            if current is not None:
                current.ended_at = now
                current.end_kind = EndKind.SUPERSEDED
                current.ended_by = actor if getattr(actor, "is_authenticated", False) else None
                current.end_reason = "renewal"
                current.save(update_fields=["ended_at", "end_kind", "ended_by", "end_reason"])
                event_record(
                    actor=actor,
                    action=events.ELIGIBILITY_VERIFICATION_SUPERSEDED,
                    obj=current,
                    before=before,
                    after=_verification_state(current),
                )
            verification = Verification(
                user=user,
                cnp_hash=hashed,
                birth_date=parsed.birth_date,
                method=method,
                document_type=document_type,
                sector6_resident=sector6_resident,
                verified_by=actor if method == VerificationMethod.IN_PERSON else None,
                verified_at=now,
                valid_until=until,
                register_import=register_import,
            )
            # Constraints are checked by the database itself (race-proof).
            verification.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():
                    verification.save()
            except IntegrityError:
                winner = (
                    Verification.objects.filter(cnp_hash=hashed, ended_at__isnull=True)
                    .exclude(user=user)
                    .select_related("user")
                    .first()
                )
                if winner is None:
                    raise
                raise _Conflict(winner.user) from None
            event_record(
                actor=actor,
                action=events.ELIGIBILITY_VERIFICATION_CREATED,
                obj=verification,
                after=_verification_state(verification),
            )
            if residence is not None:
                profile = ResidentProfile.objects.select_for_update().get(user=user)
                _residence_apply(actor=actor, profile=profile, residence=residence)
            return verification
    except _Conflict as exc:
        conflict = _conflict_record(
            actor=actor, user=user, existing_user=exc.existing_user, hashed=hashed, method=method
        )
        raise IdentityConflictError(conflict) from None


def verification_create_in_person(
    *,
    actor: Any,
    user: User,
    cnp: str,
    document_type: str,
    sector6_resident: bool,
    valid_until: date | None = None,
    residence_zone: Area | None = None,
    residence_latitude: float | None = None,
    residence_longitude: float | None = None,
) -> Verification:
    """Desk staff checked the identity document in person.

    `sector6_resident`: the document shows a domicile or residence in Sector 6.
    `valid_until`: the document's own expiry, when it has one (a residence
    visa); the verification never outlasts it nor VERIFICATION_VALIDITY_DAYS.
    `residence_*`: where the resident lives (see `residence_resolve`): the
    planning zone staff picked, or the located address the zone is derived
    from; required once planning zones are loaded."""
    _require(actor, "eligibility.verify_residents")
    if document_type not in DocumentType.values:
        raise ValidationError({"document_type": _("Choose the document you checked.")})
    residence = residence_resolve(
        zone=residence_zone, latitude=residence_latitude, longitude=residence_longitude
    )
    birth_date = _profile_birth_date(user)
    try:
        parsed = cnp_validate(cnp, birth_date=birth_date)
    except ValidationError as exc:
        raise ValidationError({"cnp": exc.error_list}) from None
    return _verification_open(
        actor=actor,
        user=user,
        parsed=parsed,
        hashed=cnp_hash(cnp),
        method=VerificationMethod.IN_PERSON,
        document_type=document_type,
        sector6_resident=sector6_resident,
        valid_until=valid_until,
        residence=residence,
    )


def register_match_failures_today(*, user: User) -> int:
    since = timezone.now() - timedelta(days=1)
    return Event.objects.filter(
        object_type=user._meta.label_lower,
        object_id=str(user.pk),
        action=events.ELIGIBILITY_REGISTER_MATCH_FAILED,
        created_at__gte=since,
    ).count()


def verification_match_register(
    *,
    actor: Any,
    user: User,
    cnp: str,
    residence_zone: Area | None = None,
    residence_latitude: float | None = None,
    residence_longitude: float | None = None,
) -> Verification:
    """Self-service: the resident enters their CNP and it is matched against
    the eligible-residents register. Failed matches are counted (audit events
    on the account) and limited per day, so the register cannot be probed.
    The resident says which planning zone they live in (`residence_*`, as
    for `verification_create_in_person`; the register does not know zones).

    The count, the look-up and the recording of a failure happen in one
    transaction holding the account's row lock, so parallel requests queue
    and never make more look-ups than the limit allows."""
    _require(actor, "eligibility.verify_self", user)
    limit = int(getattr(settings, "REGISTER_MATCH_MAX_FAILURES_PER_DAY", 5))
    if register_match_failures_today(user=user) >= limit:
        raise _register_match_limited()
    residence = residence_resolve(
        zone=residence_zone, latitude=residence_latitude, longitude=residence_longitude
    )
    birth_date = _profile_birth_date(user)
    try:
        parsed = cnp_validate(cnp, birth_date=birth_date)
    except ValidationError as exc:
        raise ValidationError({"cnp": exc.error_list}) from None
    hashed = cnp_hash(cnp)
    with transaction.atomic():
        # Again, under the lock: another request may have used the last try.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if register_match_failures_today(user=user) >= limit:
            raise _register_match_limited()
        entry = (
            RegisterEntry.objects.filter(cnp_hash=hashed).select_related("register_import").first()
        )
        if entry is None:
            event_record(actor=actor, action=events.ELIGIBILITY_REGISTER_MATCH_FAILED, obj=user)
    if entry is None:
        raise ValidationError(
            {
                "cnp": ValidationError(
                    _(
                        "We could not find this CNP in the residents' register. Please come to "
                        "the CIIC desk with your identity card or residence visa."
                    ),
                    code="not_in_register",
                )
            }
        )
    return _verification_open(
        actor=actor,
        user=user,
        parsed=parsed,
        hashed=hashed,
        method=VerificationMethod.REGISTER,
        document_type="",
        sector6_resident=True,
        valid_until=None,
        register_import=entry.register_import,
        residence=residence,
    )


def _register_match_limited() -> ValidationError:
    return ValidationError(
        _(
            "Too many unsuccessful checks today. Try again tomorrow or come to the CIIC "
            "desk with your identity card."
        ),
        code="rate_limited",
    )


@transaction.atomic
def verification_revoke(*, actor: Any, verification: Verification, reason: str) -> Verification:
    _require(actor, "eligibility.verify_residents")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the revocation.")})
    v = Verification.objects.select_for_update().get(pk=verification.pk)
    if v.ended_at is not None:
        raise ValidationError(_("This verification has already ended."), code="ended")
    before = _verification_state(v)
    v.ended_at = timezone.now()
    v.end_kind = EndKind.REVOKED
    v.ended_by = actor
    v.end_reason = reason
    v.full_clean(validate_constraints=False)
    v.save(update_fields=["ended_at", "end_kind", "ended_by", "end_reason"])
    event_record(
        actor=actor,
        action=events.ELIGIBILITY_VERIFICATION_REVOKED,
        obj=v,
        before=before,
        after=_verification_state(v),
    )
    return v


def verification_expiry_sweep(*, today: date | None = None) -> int:
    """Write one audit event (and one email) per verification that has expired.

    Correctness never depends on this: `participation_check` compares
    `valid_until` with the date of the action. Safe to run concurrently and
    repeatedly (each expiry is claimed with a conditional UPDATE)."""
    today = today or timezone.localdate()
    count = 0
    for v in verifications_due_for_expiry(today=today):
        with transaction.atomic():
            claimed = Verification.objects.filter(pk=v.pk, expiry_recorded_at__isnull=True).update(
                expiry_recorded_at=timezone.now()
            )
            if not claimed:
                continue
            event_record(
                actor=None,
                action=events.ELIGIBILITY_VERIFICATION_EXPIRED,
                obj=v,
                before={"valid_until": v.valid_until},
            )
            notify(
                user=v.user,
                template="eligibility/email/verification_expired",
                context={
                    "valid_until": v.valid_until,
                    "url": site_url(reverse("accounts:dashboard")),
                },
                key=f"verification-expired:{v.pk}",
            )
            count += 1
    return count


# --- conflicts ---------------------------------------------------------------------


@transaction.atomic
def identity_conflict_resolve(
    *, actor: Any, conflict: IdentityConflict, note: str
) -> IdentityConflict:
    _require(actor, "eligibility.verify_residents")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Describe how the conflict was resolved.")})
    c = IdentityConflict.objects.select_for_update().get(pk=conflict.pk)
    if c.resolved_at is not None:
        raise ValidationError(_("This conflict is already resolved."), code="resolved")
    c.resolved_at = timezone.now()
    c.resolved_by = actor
    c.resolution_note = note
    c.full_clean()
    c.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    event_record(
        actor=actor,
        action=events.ELIGIBILITY_IDENTITY_CONFLICT_RESOLVED,
        obj=c,
        before={"resolved": False},
        after={"resolved": True, "note": note},
    )
    return c


# --- register import -------------------------------------------------------------


@dataclass
class ImportReport:
    file_name: str
    row_count: int = 0
    errors: list[str] = field(default_factory=list)
    register_import: RegisterImport | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and self.register_import is not None


def _read_text(file: IO[Any]) -> str:
    raw = file.read()
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again."),
            code="encoding",
        ) from None


def _parse_iso_date(value: str) -> date:
    return datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a plain date


def register_import(*, actor: Any, file: IO[Any], file_name: str = "") -> ImportReport:
    """Replace the eligible-residents register with the rows of a CSV file.

    The header names the columns: `cnp` (required), `birth_date` (YYYY-MM-DD,
    optional: must match the CNP) and `address` (optional). `,` or `;`
    separated, UTF-8. Every row is validated first; any error is reported as
    "line N: ..." and nothing is imported. CNPs are hashed; never stored."""
    _require(actor, "eligibility.import_register")
    name = (file_name or getattr(file, "name", "") or "register.csv")[:255]
    report = ImportReport(file_name=name)
    try:
        text = _read_text(file)
    except ValidationError as exc:
        report.errors.append(str(exc.messages[0]))
        return report
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        report.errors.append(gettext("The file is empty."))
        return report
    except csv.Error:
        report.errors.append(gettext("line 1: the header cannot be read as CSV."))
        return report
    columns = [h.strip().lower() for h in header]
    if "cnp" not in columns:
        report.errors.append(gettext("line 1: the header must have a “cnp” column."))
        return report
    unknown = [c for c in columns if c not in {"cnp", "birth_date", "address"}]
    if unknown:
        report.errors.append(
            gettext("line 1: unknown column(s): %(columns)s. Allowed: cnp, birth_date, address.")
            % {"columns": ", ".join(unknown)}
        )
        return report
    i_cnp = columns.index("cnp")
    i_birth = columns.index("birth_date") if "birth_date" in columns else None
    i_addr = columns.index("address") if "address" in columns else None

    rows: list[tuple[str, date | None, str]] = []
    seen: dict[str, int] = {}

    def error(line: int, message: str) -> None:
        report.errors.append(
            gettext("line %(line)d: %(message)s") % {"line": line, "message": message}
        )

    try:
        for row in reader:
            line = reader.line_num
            if len(report.errors) >= REGISTER_IMPORT_MAX_ERRORS:
                break
            if not any(cell.strip() for cell in row):
                continue  # blank line
            if len(row) != len(columns):
                error(
                    line,
                    gettext("expected %(expected)d columns, found %(found)d.")
                    % {"expected": len(columns), "found": len(row)},
                )
                continue
            birth: date | None = None
            if i_birth is not None and row[i_birth].strip():
                try:
                    birth = _parse_iso_date(row[i_birth].strip())
                except ValueError:
                    error(line, gettext("the birth date must be written YYYY-MM-DD."))
                    continue
            try:
                cnp_validate(row[i_cnp], birth_date=birth)
            except ValidationError as exc:
                error(line, str(exc.messages[0]))
                continue
            hashed = cnp_hash(row[i_cnp])
            if hashed in seen:
                error(
                    line,
                    gettext("the same CNP is already on line %(line)d.") % {"line": seen[hashed]},
                )
                continue
            seen[hashed] = line
            address = row[i_addr].strip() if i_addr is not None else ""
            if len(address) > 255:
                error(line, gettext("the address is longer than 255 characters."))
                continue
            rows.append((hashed, birth, address))
            if len(rows) > REGISTER_IMPORT_MAX_ROWS:
                error(line, gettext("the file has too many rows."))
                break
    except csv.Error:
        error(reader.line_num, gettext("this line cannot be read as CSV."))
    if len(report.errors) >= REGISTER_IMPORT_MAX_ERRORS:
        report.errors.append(gettext("Too many errors; the rest of the file was not checked."))
    if not report.errors and not rows:
        report.errors.append(gettext("The file has no rows after the header."))
    if report.errors:
        return report

    with transaction.atomic():
        previous = RegisterEntry.objects.count()
        batch = RegisterImport(imported_by=actor, file_name=name, row_count=len(rows))
        batch.full_clean()
        batch.save()
        RegisterEntry.objects.all().delete()
        RegisterEntry.objects.bulk_create(
            [
                RegisterEntry(cnp_hash=h, register_import=batch, birth_date=b, address=a)
                for h, b, a in rows
            ],
            batch_size=2000,
        )
        event_record(
            actor=actor,
            action=events.ELIGIBILITY_REGISTER_IMPORTED,
            obj=batch,
            before={"rows": previous},
            after={"rows": len(rows), "file_name": name},
        )
    report.row_count = len(rows)
    report.register_import = batch
    return report
