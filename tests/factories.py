"""factory_boy factories shared by the whole suite. Each app adds its own
section below; keep factories free of business rules (use services for that)."""

import factory
from django.contrib.auth.models import Group

from ciic.accounts.models import Role, User

# --- accounts -----------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct-horse-battery")
    # Emails go out in the account's language; tests read English (LANGUAGE_CODE).
    preferred_language = "en"

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create or not extracted:
            return
        for role in extracted:
            group, _ = Group.objects.get_or_create(name=str(role))
            self.groups.add(group)


def staff_user(role: Role, **kwargs) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(roles=[role], **kwargs)


# --- eligibility --------------------------------------------------------------

import datetime as _dt  # noqa: E402

from ciic.eligibility.cnp import cnp_check_digit  # noqa: E402
from ciic.eligibility.models import ResidentProfile  # noqa: E402


def make_cnp(
    born: _dt.date, *, sex_digit: int | None = None, county: int = 46, serial: int = 1
) -> str:
    """A valid CNP for `born` (the check digit is computed). The sex digit
    defaults to the century's male digit (1, 3 or 5)."""
    if sex_digit is None:
        sex_digit = {18: 3, 19: 1, 20: 5}[born.year // 100]
    first12 = f"{sex_digit}{born:%y%m%d}{county:02d}{serial:03d}"
    return first12 + str(cnp_check_digit(first12))


class ResidentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentProfile

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Ion Popescu {n}")
    date_of_birth = _dt.date(1990, 5, 17)
    address = "Bulevardul Iuliu Maniu 10, Sector 6"


def verified_resident(  # type: ignore[no-untyped-def]
    *,
    born: _dt.date = _dt.date(1990, 5, 17),
    serial: int = 1,
    sector6: bool = True,
    actor=None,
    zone=None,
):
    """A resident verified in person through the real service. Returns
    (user, verification, cnp). Once planning zones are loaded the desk must
    give the zone of residence: `zone`, else the first zone."""
    from ciic.accounts.models import Role
    from ciic.eligibility.services import verification_create_in_person
    from geo.models import Area

    if zone is None:
        zone = Area.objects.filter(kind=Area.Kind.ZONE).order_by("pk").first()

    profile = ResidentProfileFactory(date_of_birth=born)
    cnp = make_cnp(born, serial=serial)
    actor = actor or staff_user(Role.FACILITATOR)
    v = verification_create_in_person(
        actor=actor,
        user=profile.user,
        cnp=cnp,
        document_type="identity_card",
        sector6_resident=sector6,
        residence_zone=zone,
    )
    return profile.user, v, cnp
