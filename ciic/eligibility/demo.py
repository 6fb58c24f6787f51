"""Demo data for eligibility: where the demo residents live (idempotent; runs
after `geo.demo`, which loads the planning zones). resident@ was verified with
a located address (the zone is derived from the point, and follows it when
zones are re-imported); resident2@'s zone was picked by the desk."""

from typing import Any

from ciic.accounts.models import User
from geo.models import Area

from .models import ResidentProfile
from .services import residence_set

DOMAIN = "demo.ciic6.ro"
# (account, located address (lat, lon) or None, zone slug picked at the desk)
RESIDENCES = [
    ("resident", (44.4352, 26.0338), None),  # Bd. Iuliu Maniu 61: Militari-Lujerului
    ("resident2", None, "drumul-taberei"),  # Str. Brașov 21
]


def seed(out: Any) -> None:
    desk = User.objects.filter(email__iexact=f"facilitator@{DOMAIN}").first()
    if desk is None or not Area.objects.filter(kind=Area.Kind.ZONE).exists():
        return
    done = []
    for local, point, slug in RESIDENCES:
        profile = (
            ResidentProfile.objects.select_related("user")
            .filter(user__email__iexact=f"{local}@{DOMAIN}")
            .first()
        )
        if profile is None or profile.residence_zone_id is not None:
            continue
        if point is not None:
            residence_set(actor=desk, user=profile.user, latitude=point[0], longitude=point[1])
        else:
            zone = Area.objects.get(kind=Area.Kind.ZONE, slug=slug)
            residence_set(actor=desk, user=profile.user, zone=zone)
        done.append(local)
    if done:
        out.write(f"eligibility: zones of residence set for {', '.join(done)}.")
