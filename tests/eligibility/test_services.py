import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ciic.accounts.models import Role
from ciic.audit.models import Event
from ciic.eligibility.cnp import cnp_hash
from ciic.eligibility.models import (
    EndKind,
    IdentityConflict,
    RegisterEntry,
    RegisterImport,
    ResidentProfile,
    Verification,
)
from ciic.eligibility.selectors import participation_check
from ciic.eligibility.services import (
    IdentityConflictError,
    identity_conflict_resolve,
    profile_update,
    register_import,
    verification_create_in_person,
    verification_expiry_sweep,
    verification_match_register,
    verification_revoke,
)
from tests.factories import (
    ResidentProfileFactory,
    UserFactory,
    make_cnp,
    staff_user,
    verified_resident,
)

pytestmark = pytest.mark.django_db
BUCHAREST = ZoneInfo("Europe/Bucharest")


def _csv(text: str, name: str = "register.csv") -> io.BytesIO:
    f = io.BytesIO(text.encode("utf-8"))
    f.name = name
    return f


def _events(action: str) -> list[Event]:
    return list(Event.objects.filter(action=action))


def _all_text_in_database() -> str:
    """Every value of every row of every table in the database, as text."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                chunks.extend(
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                    if v is not None
                )
    return "\n".join(chunks)


# --- profile -------------------------------------------------------------------------


def test_profile_create_and_update_write_events():
    user = UserFactory()
    p = profile_update(
        actor=user,
        user=user,
        full_name=" Ana Ionescu ",
        date_of_birth=date(1990, 1, 1),
        address="Str. Valea Cascadelor 2",
        phone="",
    )
    assert p.full_name == "Ana Ionescu"
    profile_update(
        actor=user,
        user=user,
        full_name="Ana Ionescu",
        date_of_birth=date(1990, 1, 1),
        address="Str. Valea Cascadelor 4",
    )
    created, updated = (
        _events("eligibility.profile_created"),
        _events("eligibility.profile_updated"),
    )
    assert len(created) == 1 and len(updated) == 1
    assert updated[0].before["address"] == "Str. Valea Cascadelor 2"
    assert updated[0].after["address"] == "Str. Valea Cascadelor 4"


def test_profile_update_without_change_writes_nothing():
    user = UserFactory()
    kwargs = dict(full_name="A B", date_of_birth=date(1990, 1, 1), address="X 1")
    profile_update(actor=user, user=user, **kwargs)
    profile_update(actor=user, user=user, **kwargs)
    assert Event.objects.count() == 1


def test_profile_of_another_account_is_refused_for_residents():
    user, other = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        profile_update(
            actor=other, user=user, full_name="A B", date_of_birth=date(1990, 1, 1), address="X"
        )
    assert not ResidentProfile.objects.exists()


def test_profile_date_of_birth_locked_while_verified():
    user, _, _ = verified_resident(born=date(1990, 5, 17))
    with pytest.raises(ValidationError) as exc:
        profile_update(
            actor=user, user=user, full_name="A B", date_of_birth=date(1990, 5, 18), address="X"
        )
    assert "date_of_birth" in exc.value.message_dict
    assert ResidentProfile.objects.get(user=user).date_of_birth == date(1990, 5, 17)


def test_profile_future_birth_date_refused():
    user = UserFactory()
    with pytest.raises(ValidationError) as exc:
        profile_update(
            actor=user, user=user, full_name="A", date_of_birth=date(2999, 1, 1), address="X"
        )
    assert "date_of_birth" in exc.value.message_dict
    assert not ResidentProfile.objects.exists()


# --- in-person verification ----------------------------------------------------------------


def test_in_person_verification_records_who_when_document_and_audit():
    desk = staff_user(Role.FACILITATOR)
    profile = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    cnp = make_cnp(date(1990, 5, 17))
    with time_machine.travel(datetime(2025, 3, 3, 11, tzinfo=BUCHAREST), tick=False):
        v = verification_create_in_person(
            actor=desk,
            user=profile.user,
            cnp=cnp,
            document_type="residence_visa",
            sector6_resident=True,
            valid_until=date(2025, 12, 31),
        )
    assert v.verified_by == desk and v.document_type == "residence_visa"
    assert v.verified_at == datetime(2025, 3, 3, 11, tzinfo=BUCHAREST)
    assert v.valid_until == date(2025, 12, 31)  # the visa's own expiry
    assert v.cnp_hash == cnp_hash(cnp) and v.birth_date == date(1990, 5, 17)
    (event,) = _events("eligibility.verification_created")
    assert event.actor == desk and event.object_id == str(v.pk)
    assert cnp not in str(event.after) and v.cnp_hash not in str(event.after)


def test_residents_cannot_verify():
    resident = UserFactory(roles=[Role.RESIDENT])
    profile = ResidentProfileFactory()
    with pytest.raises(PermissionDenied):
        verification_create_in_person(
            actor=resident,
            user=profile.user,
            cnp=make_cnp(profile.date_of_birth),
            document_type="identity_card",
            sector6_resident=True,
        )
    assert not Verification.objects.exists()


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.ASSESSOR, Role.ADMINISTRATOR])
def test_desk_roles_may_verify(role):
    user, v, _ = verified_resident(actor=staff_user(role))
    assert v.pk


def test_bad_cnp_changes_nothing():
    profile = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    desk = staff_user(Role.FACILITATOR)
    for bad in ["123", make_cnp(date(1990, 5, 18)), make_cnp(date(1990, 5, 17), county=60)]:
        with pytest.raises(ValidationError) as exc:
            verification_create_in_person(
                actor=desk,
                user=profile.user,
                cnp=bad,
                document_type="identity_card",
                sector6_resident=True,
            )
        assert "cnp" in exc.value.message_dict
    assert not Verification.objects.exists() and not Event.objects.exists()


def test_verification_requires_profile():
    with pytest.raises(ValidationError):
        verification_create_in_person(
            actor=staff_user(Role.FACILITATOR),
            user=UserFactory(),
            cnp=make_cnp(date(1990, 1, 1)),
            document_type="identity_card",
            sector6_resident=True,
        )


def test_renewal_supersedes_previous_verification():
    user, first, cnp = verified_resident()
    second = verification_create_in_person(
        actor=staff_user(Role.ASSESSOR),
        user=user,
        cnp=cnp,
        document_type="identity_card",
        sector6_resident=True,
    )
    first.refresh_from_db()
    assert first.end_kind == EndKind.SUPERSEDED and second.ended_at is None
    assert len(_events("eligibility.verification_superseded")) == 1


def test_different_person_on_verified_account_is_refused():
    user, _, _ = verified_resident(born=date(1990, 5, 17))
    with pytest.raises(ValidationError):
        verification_create_in_person(
            actor=staff_user(Role.FACILITATOR),
            user=user,
            cnp=make_cnp(date(1990, 5, 17), serial=9),
            document_type="identity_card",
            sector6_resident=True,
        )
    assert Verification.objects.filter(user=user).count() == 1


# --- conflicts -------------------------------------------------------------------------


def test_same_cnp_on_second_account_is_a_conflict():
    first_user, _, cnp = verified_resident(born=date(1990, 5, 17))
    second = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    desk = staff_user(Role.FACILITATOR)
    with pytest.raises(IdentityConflictError) as exc:
        verification_create_in_person(
            actor=desk,
            user=second.user,
            cnp=cnp,
            document_type="identity_card",
            sector6_resident=True,
        )
    assert "CIIC desk" in exc.value.message
    conflict = IdentityConflict.objects.get()
    assert conflict.existing_user == first_user and conflict.attempting_user == second.user
    assert conflict.attempted_by == desk
    assert not Verification.objects.filter(user=second.user).exists()
    assert len(_events("eligibility.identity_conflict_recorded")) == 1

    identity_conflict_resolve(actor=desk, conflict=conflict, note="Same person, old account kept.")
    conflict.refresh_from_db()
    assert conflict.is_resolved and conflict.resolved_by == desk
    with pytest.raises(ValidationError):
        identity_conflict_resolve(actor=desk, conflict=conflict, note="again")


def test_expired_verification_still_binds_the_person(settings):
    settings.VERIFICATION_VALIDITY_DAYS = 10
    with time_machine.travel(datetime(2025, 1, 1, 10, tzinfo=BUCHAREST), tick=False):
        _, _, cnp = verified_resident()
    second = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    with time_machine.travel(datetime(2025, 3, 1, 10, tzinfo=BUCHAREST), tick=False):
        with pytest.raises(IdentityConflictError):
            verification_create_in_person(
                actor=staff_user(Role.FACILITATOR),
                user=second.user,
                cnp=cnp,
                document_type="identity_card",
                sector6_resident=True,
            )


def test_after_revocation_the_person_may_verify_another_account():
    _, v, cnp = verified_resident()
    desk = staff_user(Role.FACILITATOR)
    verification_revoke(actor=desk, verification=v, reason="Account lost; new account")
    second = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    v2 = verification_create_in_person(
        actor=desk, user=second.user, cnp=cnp, document_type="identity_card", sector6_resident=True
    )
    assert v2.ended_at is None


def test_revoke_requires_reason_and_writes_event():
    user, v, _ = verified_resident()
    desk = staff_user(Role.ASSESSOR)
    with pytest.raises(ValidationError):
        verification_revoke(actor=desk, verification=v, reason="  ")
    v.refresh_from_db()
    assert v.ended_at is None
    verification_revoke(actor=desk, verification=v, reason="Document forged")
    v.refresh_from_db()
    assert v.is_revoked and v.ended_by == desk and v.end_reason == "Document forged"
    (event,) = _events("eligibility.verification_revoked")
    assert event.before["ended"] is None and event.after["ended"] == "revoked"
    with pytest.raises(ValidationError):
        verification_revoke(actor=desk, verification=v, reason="twice")
    with pytest.raises(PermissionDenied):
        verification_revoke(actor=user, verification=v, reason="x")


# --- expiry ------------------------------------------------------------------------------


def test_expiry_sweep_writes_one_event_and_one_email(settings, django_capture_on_commit_callbacks):
    settings.VERIFICATION_VALIDITY_DAYS = 30
    settings.SITE_URL = "https://buget.example.ro"
    with time_machine.travel(datetime(2025, 1, 1, 10, tzinfo=BUCHAREST), tick=False):
        user, v, _ = verified_resident()
    assert verification_expiry_sweep(today=date(2025, 1, 31)) == 0  # still valid that day
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert verification_expiry_sweep(today=date(2025, 2, 1)) == 1
        assert verification_expiry_sweep(today=date(2025, 2, 2)) == 0  # idempotent
    (event,) = _events("eligibility.verification_expired")
    assert event.object_id == str(v.pk) and event.actor is None
    assert [m.to for m in mail.outbox] == [[user.email]]
    (message,) = mail.outbox
    assert "expired" in message.subject and "31 January 2025" in message.body
    assert "https://buget.example.ro/me/" in message.body
    assert participation_check(user=user, on_date=date(2025, 2, 1)).reason == "expired"


# --- register ------------------------------------------------------------------------------


def test_register_import_good_file_then_self_service_match():
    admin = staff_user(Role.ADMINISTRATOR)
    c1, c2 = make_cnp(date(1990, 5, 17), serial=11), make_cnp(date(1985, 1, 2), serial=12)
    report = register_import(
        actor=admin,
        file=_csv(f"cnp;birth_date;address\n{c1};1990-05-17;Str. Brasov 1\n\n{c2};;\n"),
    )
    assert report.ok, report.errors
    assert report.row_count == 2 and RegisterEntry.objects.count() == 2
    assert RegisterImport.objects.get().imported_by == admin
    assert len(_events("eligibility.register_imported")) == 1

    profile = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    v = verification_match_register(actor=profile.user, user=profile.user, cnp=c1)
    assert v.method == "register" and v.sector6_resident and v.verified_by is None
    assert participation_check(user=profile.user, on_date=date.today()).allowed


def test_register_import_replaces_previous_register():
    admin = staff_user(Role.ADMINISTRATOR)
    c1, c2 = make_cnp(date(1990, 5, 17), serial=11), make_cnp(date(1985, 1, 2), serial=12)
    assert register_import(actor=admin, file=_csv(f"cnp\n{c1}\n")).ok
    assert register_import(actor=admin, file=_csv(f"cnp\n{c2}\n")).ok
    assert list(RegisterEntry.objects.values_list("cnp_hash", flat=True)) == [cnp_hash(c2)]


def test_register_import_bad_rows_reported_with_line_numbers_and_nothing_saved():
    admin = staff_user(Role.ADMINISTRATOR)
    good = make_cnp(date(1990, 5, 17), serial=11)
    bad_check = good[:12] + str((int(good[12]) + 1) % 10)
    text = (
        "cnp,birth_date,address\n"  # line 1
        f"{good},1990-05-17,Str. A\n"  # line 2
        f"{bad_check},,\n"  # line 3
        f"{make_cnp(date(1990, 5, 17), serial=12)},1991-01-01,\n"  # line 4: mismatch
        f"{good},,\n"  # line 5: duplicate
        f"{make_cnp(date(1980, 1, 1), serial=3)},01/01/1980,\n"  # line 6: date format
        "12ab,,\n"  # line 7
        f"{make_cnp(date(1980, 1, 1), serial=4)},\n"  # line 8: column count
    )
    report = register_import(actor=admin, file=_csv(text))
    assert not report.ok
    joined = "\n".join(report.errors)
    for line in (3, 4, 5, 6, 7, 8):
        assert f"line {line}:" in joined, joined
    assert "line 2:" not in joined
    assert "line 2" in report.errors[2]  # "the same CNP is already on line 2"
    assert good not in joined and bad_check not in joined
    assert not RegisterEntry.objects.exists() and not RegisterImport.objects.exists()
    assert not Event.objects.filter(action="eligibility.register_imported").exists()


def test_register_import_failed_file_keeps_existing_register():
    admin = staff_user(Role.ADMINISTRATOR)
    c1 = make_cnp(date(1990, 5, 17), serial=11)
    register_import(actor=admin, file=_csv(f"cnp\n{c1}\n"))
    report = register_import(actor=admin, file=_csv("cnp\n123\n"))
    assert report.errors == ["line 2: The CNP has exactly 13 digits; you entered 3."]
    assert RegisterEntry.objects.get().cnp_hash == cnp_hash(c1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The file is empty."),
        ("name,street\nx,y\n", "line 1: the header must have a “cnp” column."),
        ("cnp,name\n", "line 1: unknown column(s): name"),
        ("cnp\n\n", "The file has no rows after the header."),
    ],
)
def test_register_import_bad_files(text, expected):
    report = register_import(actor=staff_user(Role.ADMINISTRATOR), file=_csv(text))
    assert report.errors and report.errors[0].startswith(expected)
    assert not RegisterImport.objects.exists()


def test_register_import_non_utf8():
    f = io.BytesIO("cnp\nș\n".encode("utf-16"))
    report = register_import(actor=staff_user(Role.ADMINISTRATOR), file=f)
    assert "UTF-8" in report.errors[0]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.FACILITATOR, Role.ASSESSOR])
def test_register_import_is_for_administrators_only(role):
    with pytest.raises(PermissionDenied):
        register_import(actor=staff_user(role), file=_csv("cnp\n"))


def test_register_match_not_found_is_counted_and_limited(settings):
    settings.REGISTER_MATCH_MAX_FAILURES_PER_DAY = 2
    profile = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    user = profile.user
    for serial in (1, 2):
        with pytest.raises(ValidationError) as exc:
            verification_match_register(
                actor=user, user=user, cnp=make_cnp(date(1990, 5, 17), serial=serial)
            )
        assert exc.value.error_dict["cnp"][0].code == "not_in_register"
    register_import(
        actor=staff_user(Role.ADMINISTRATOR),
        file=_csv(f"cnp\n{make_cnp(date(1990, 5, 17), serial=3)}\n"),
    )
    with pytest.raises(ValidationError) as exc:
        verification_match_register(
            actor=user, user=user, cnp=make_cnp(date(1990, 5, 17), serial=3)
        )
    assert exc.value.code == "rate_limited"
    assert not Verification.objects.exists()
    with time_machine.travel(datetime.now(tz=BUCHAREST) + timedelta(days=1, minutes=1)):
        v = verification_match_register(
            actor=user, user=user, cnp=make_cnp(date(1990, 5, 17), serial=3)
        )
    assert v.pk


def test_register_match_for_someone_else_is_refused():
    profile = ResidentProfileFactory()
    with pytest.raises(PermissionDenied):
        verification_match_register(
            actor=UserFactory(), user=profile.user, cnp=make_cnp(profile.date_of_birth)
        )


def test_register_match_conflict_when_verified_elsewhere():
    first_user, _, cnp = verified_resident(born=date(1990, 5, 17))
    register_import(actor=staff_user(Role.ADMINISTRATOR), file=_csv(f"cnp\n{cnp}\n"))
    second = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    with pytest.raises(IdentityConflictError):
        verification_match_register(actor=second.user, user=second.user, cnp=cnp)
    c = IdentityConflict.objects.get()
    assert c.method == "register" and c.existing_user == first_user


# --- the CNP is never stored in clear --------------------------------------------------------


def test_cnp_never_stored_in_clear_anywhere():
    admin = staff_user(Role.ADMINISTRATOR)
    reg_cnp = make_cnp(date(1985, 1, 2), serial=77)
    register_import(actor=admin, file=_csv(f"cnp\n{reg_cnp}\n"))
    profile = ResidentProfileFactory(date_of_birth=date(1985, 1, 2))
    verification_match_register(actor=profile.user, user=profile.user, cnp=reg_cnp)
    user, v, desk_cnp = verified_resident(born=date(1990, 5, 17))
    other = ResidentProfileFactory(date_of_birth=date(1990, 5, 17))
    with pytest.raises(IdentityConflictError):
        verification_create_in_person(
            actor=admin,
            user=other.user,
            cnp=desk_cnp,
            document_type="identity_card",
            sector6_resident=True,
        )
    verification_revoke(actor=admin, verification=v, reason="test")
    text = _all_text_in_database()
    assert Verification.objects.count() == 2 and IdentityConflict.objects.count() == 1
    for cnp in (reg_cnp, desk_cnp):
        assert cnp not in text
        assert cnp[1:] not in text  # not even without its first digit
    # and audit events never carry the hash either
    events = " ".join(f"{e.before} {e.after} {e.object_repr}" for e in Event.objects.all())
    assert cnp_hash(desk_cnp) not in events and cnp_hash(reg_cnp) not in events


def test_audit_events_cannot_be_changed():
    verified_resident()
    event = Event.objects.first()
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        Event.objects.all().delete()


def test_database_refuses_two_open_verifications_of_one_person():
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    u1, v, _ = verified_resident()
    u2 = UserFactory()
    dup = Verification(
        user=u2,
        cnp_hash=v.cnp_hash,
        birth_date=v.birth_date,
        method="register",
        sector6_resident=True,
        verified_at=timezone.now(),
        valid_until=v.valid_until,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save()


def test_expire_command(settings, capsys):
    from django.core.management import call_command

    settings.VERIFICATION_VALIDITY_DAYS = 1
    with time_machine.travel(datetime(2025, 1, 1, 10, tzinfo=BUCHAREST), tick=False):
        verified_resident()
    with time_machine.travel(datetime(2025, 1, 5, 10, tzinfo=BUCHAREST), tick=False):
        call_command("eligibility_expire")
    assert "1 verification(s)" in capsys.readouterr().out
