"""The CIIC desk: where residents are verified in person, and how to reach
the centre. Shown in the footer, on the path to proposing and in the privacy
notice. Every value can be set from the environment (production: the real
address and hours); the defaults are the sector hall's."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Desk:
    name: str
    address: str
    hours: str
    phone: str
    email: str


def desk() -> Desk:
    """The desk's details in the active language (hours set in the
    environment are shown as written)."""
    return Desk(
        name=_("CIIC desk, Sector 6 City Hall"),
        address=getattr(settings, "CIIC_DESK_ADDRESS", "")
        or "Calea Plevnei 147–149, Sector 6, București",
        hours=getattr(settings, "CIIC_DESK_HOURS", "")
        or _("Monday to Thursday 8:30–16:30, Friday 8:30–14:00"),
        phone=getattr(settings, "CIIC_DESK_PHONE", "") or "021 319 10 60",
        email=getattr(settings, "CIIC_CONTACT_EMAIL", "") or "ciic@primarie6.ro",
    )


def desk_context(request: object) -> dict[str, Desk]:
    """Template context processor: `ciic_desk` on every page (the footer)."""
    return {"ciic_desk": desk()}
