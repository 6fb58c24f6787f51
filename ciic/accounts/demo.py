"""Demo accounts, one per role (idempotent). Never run in production.

Staff accounts get a TOTP authenticator with a fixed, printed demo secret so a
reviewer can log in with any authenticator app (or `oathtool --totp -b SECRET`)
without the set-up step; residents have none."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from ciic.eligibility.cnp import cnp_check_digit
from ciic.eligibility.models import RegisterEntry, ResidentProfile, Verification
from ciic.eligibility.services import (
    profile_update,
    register_import,
    verification_create_in_person,
)

from .models import Role, User

DEMO_PASSWORD = "ciic6-demo-2025"  # noqa: S105 - demo data only, printed on purpose
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"  # noqa: S105 - demo only, printed on purpose
DOMAIN = "demo.ciic6.ro"


def _cnp(born: dt.date, serial: int) -> str:
    first12 = f"{1 if born.year < 2000 else 5}{born:%y%m%d}46{serial:03d}"
    return first12 + str(cnp_check_digit(first12))


def _account(email: str, *, roles: list[Role], superuser: bool = False) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if superuser:
            user = User.objects.create_superuser(email=email, password=DEMO_PASSWORD)
        else:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    for role in roles:
        group, _ = Group.objects.get_or_create(name=str(role))
        user.groups.add(group)
    return user


def _totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def seed(out: Any) -> None:
    for role in Role:
        Group.objects.get_or_create(name=str(role))

    admin = _account(f"admin@{DOMAIN}", roles=[Role.ADMINISTRATOR], superuser=True)
    facilitator = _account(f"facilitator@{DOMAIN}", roles=[Role.FACILITATOR])
    assessor = _account(f"assessor@{DOMAIN}", roles=[Role.ASSESSOR])
    for staff in (admin, facilitator, assessor):
        _totp(staff)

    residents = [
        ("resident", "Maria Popescu", dt.date(1988, 4, 12), "Bd. Iuliu Maniu 61, bl. 2, ap. 14", 1),
        ("resident2", "Andrei Ionescu", dt.date(1995, 11, 3), "Str. Brașov 21, bl. C3, ap. 7", 2),
        ("unverified", "Elena Dumitrescu", dt.date(2001, 7, 25), "Drumul Taberei 34, ap. 9", None),
    ]
    for local, name, born, address, serial in residents:
        user = _account(f"{local}@{DOMAIN}", roles=[Role.RESIDENT])
        if not ResidentProfile.objects.filter(user=user).exists():
            profile_update(
                actor=user, user=user, full_name=name, date_of_birth=born, address=address
            )
        if serial is not None and not Verification.objects.filter(user=user).exists():
            verification_create_in_person(
                actor=facilitator,
                user=user,
                cnp=_cnp(born, serial),
                document_type="identity_card",
                sector6_resident=True,
            )

    # A small demo register: unverified@ can verify herself with the CNP printed below.
    unverified_cnp = _cnp(dt.date(2001, 7, 25), 3)
    if not RegisterEntry.objects.exists():
        rows = [unverified_cnp, _cnp(dt.date(1970, 1, 15), 4), _cnp(dt.date(1999, 9, 9), 5)]
        report = register_import(
            actor=admin,
            file=io.BytesIO(("cnp\n" + "\n".join(rows) + "\n").encode()),
            file_name="demo-register.csv",
        )
        if not report.ok:
            raise RuntimeError(report.errors)

    out.write("Demo accounts ready (sign-in details at the end).")


def summary() -> list[str]:
    """What a newcomer needs to sign in; `seed_demo` prints it last."""
    unverified_cnp = _cnp(dt.date(2001, 7, 25), 3)
    lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
    for email, what in [
        (f"admin@{DOMAIN}", "administrator + superuser, TOTP"),
        (f"facilitator@{DOMAIN}", "facilitator, TOTP"),
        (f"assessor@{DOMAIN}", "assessor, TOTP"),
        (f"resident@{DOMAIN}", "resident, verified in Sector 6"),
        (f"resident2@{DOMAIN}", "resident, verified in Sector 6"),
        (f"unverified@{DOMAIN}", "resident, profile filled in, not verified"),
    ]:
        lines.append(f"  {email:32} {what}")
    lines.append(f"Demo register CNP for unverified@{DOMAIN} (invented): {unverified_cnp}")
    lines.append(
        f"Staff two-factor secret (TOTP, 30 s, 6 digits): {DEMO_TOTP_SECRET}"
        f"  e.g. `oathtool --totp -b {DEMO_TOTP_SECRET}`"
    )
    return lines
