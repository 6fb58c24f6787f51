"""Demo programme: 44 workshops across the 13 planning zones (idempotent).

Through the services, so audit events, reminders and emails are those a real
run would produce: about twenty held (attendance, walk-ins, minutes, ideas,
some carried by residents as proposals), one cancelled, the rest ahead, open
for registration (one full, with a waiting list) or still planned."""

from __future__ import annotations

import csv
import datetime as dt
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ciic.accounts.models import Role, User
from geo.models import Area
from proposals.models import LOCAL_TZ
from proposals.services import proposal_submit, proposal_update

from . import services
from .models import Idea, Programme, Workshop

logger = logging.getLogger(__name__)
SLUG = "ateliere-ciic-2026"
DOMAIN = "demo.ciic6.ro"
HELD = 20
SEEDS = Path(settings.BASE_DIR) / "geo" / "data" / "sector6_neighbourhood_seeds.csv"

THEMES = [
    "Ce poate face consiliul local pentru cartierul tău",
    "Curți de bloc, parcări și spații verzi",
    "Școli, grădinițe și drumul copiilor spre școală",
    "Siguranța pe străzi: treceri, iluminat, viteză",
    "Locuri pentru vârstnici și tineri",
    "Cultură și evenimente în cartier",
    "Trotuare, piste de biciclete și accesibilitate",
    "Cum scriem o propunere de proiect",
]
VENUES = [
    "Biblioteca de cartier",
    "Școala Gimnazială",
    "Centrul comunitar",
    "Clubul seniorilor",
]
MINUTES = (
    "Au participat locuitori din {zone}. Echipa CIIC a explicat ce intră în competența "
    "Consiliului Local Sector 6 și ce nu (de exemplu, străzile mari administrate de PMB). "
    "Participanții au discutat problemele cartierului și au formulat idei de proiecte."
)
IDEAS = [
    ("Bănci și umbră în curtea blocului", "mediu"),
    ("Trecere de pietoni iluminată lângă școală", "siguranta"),
    ("Rampă de acces la scara blocului", "social"),
    ("Rasteluri pentru biciclete la metrou", "infrastructura"),
    ("Seri de film în parcul cartierului", "cultura"),
    ("Cișmea cu apă potabilă în parc", "servicii"),
]


def _seeds() -> dict[str, tuple[float, float]]:
    with SEEDS.open(encoding="utf-8") as fh:
        return {row["slug"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(fh)}


def _people() -> list[User]:
    emails = [f"autor{i}@{DOMAIN}" for i in range(1, 9)] + [
        f"resident@{DOMAIN}",
        f"resident2@{DOMAIN}",
    ]
    found = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    return [found[e] for e in emails if e in found]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=LOCAL_TZ)


def seed(out: Any) -> None:
    if Programme.objects.filter(slug=SLUG).exists():
        out.write(f"Demo workshops {SLUG}: already there")
        return
    facilitator = User.objects.filter(groups__name=Role.FACILITATOR).order_by("pk").first()
    zones = list(Area.objects.filter(kind=Area.Kind.ZONE).order_by("name"))
    people = _people()
    if facilitator is None or not zones or not people:
        out.write("workshops.demo: no facilitator, zones or residents; skipped")
        return
    today = timezone.localdate()
    programme = services.programme_create(
        actor=facilitator,
        name="Programul de ateliere CIIC 2026",
        slug=SLUG,
        period_start=today - dt.timedelta(days=5 * HELD + 10),
        period_end=today + dt.timedelta(days=5 * (44 - HELD) + 30),
    )
    seeds = _seeds()
    resident = next((p for p in people if p.email.startswith("resident@")), people[0])
    resident2 = next((p for p in people if p.email.startswith("resident2@")), people[-1])
    for i in range(44):
        zone = zones[i % len(zones)]
        lat, lon = seeds.get(zone.slug, (None, None))
        day = today + dt.timedelta(days=5 * (i - HELD) + (0 if i < HELD else 3))
        start = _at(day, 17 if i % 2 else 11)
        workshop = services.workshop_create(
            actor=facilitator,
            programme=programme,
            theme=f"{THEMES[i % len(THEMES)]} — {zone.name}",
            description="Atelier de lucru cu locuitorii, deschis tuturor. Intrarea este liberă.",
            zone=zone,
            venue_name=f"{VENUES[i % len(VENUES)]} {zone.name}",
            venue_address=f"Sector 6, {zone.name}",
            latitude=lat,
            longitude=lon,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=6 if i == HELD + 1 else 25,
            accessibility_notes="Sală la parter, accesibilă cu scaunul rulant.",
            facilitators=[facilitator],
            open_registration=i < 40,
        )
        if i < HELD:
            _held(workshop, facilitator=facilitator, people=people, index=i)
        elif i == HELD:
            services.workshop_cancel(
                actor=facilitator,
                workshop=workshop,
                note="Sala nu mai este disponibilă; atelierul se reia în programul de toamnă.",
            )
        elif i == HELD + 1:
            for person in people[:8]:  # 6 places: 2 on the waiting list
                services.registration_create(actor=person, workshop=workshop)
        elif i < 40:
            for person in people[: 3 + i % 4]:
                services.registration_create(actor=person, workshop=workshop)
    _ideas_to_proposals(programme, facilitator=facilitator, carriers=[resident2, resident])
    out.write(f"Demo workshops {SLUG}: 44 workshops, {HELD} held")


def _held(workshop: Workshop, *, facilitator: User, people: list[User], index: int) -> None:
    before = workshop.starts_at - dt.timedelta(days=3)
    regs = [
        services.registration_create(actor=p, workshop=workshop, now=before)
        for p in people[: 4 + index % 5]
    ]
    for reg in regs[: max(1, len(regs) - 1)]:
        services.attendance_set(
            actor=facilitator, workshop=workshop, registration=reg, present=True
        )
    services.walk_ins_set(actor=facilitator, workshop=workshop, count=5 + (index * 7) % 19)
    zone = workshop.zone.name if workshop.zone else ""
    services.minutes_save(
        actor=facilitator,
        workshop=workshop,
        public=MINUTES.format(zone=zone),
        internal="Sala a fost potrivită; de cerut un videoproiector pentru data viitoare.",
    )
    for title, category in IDEAS[: 1 + index % 3]:
        services.idea_create(
            actor=facilitator, workshop=workshop, title=f"{title} ({zone})", category=category
        )
    services.workshop_mark_held(actor=facilitator, workshop=workshop)


def _ideas_to_proposals(programme: Programme, *, facilitator: User, carriers: list[User]) -> None:
    """Three ideas carried by residents: two submitted, one still a draft. Left
    as ideas when no call is open or the resident may not propose."""
    ideas = Idea.objects.filter(
        workshop__programme=programme, workshop__status=Workshop.Status.HELD
    ).select_related("workshop")
    for n, idea in enumerate(ideas.order_by("-workshop__starts_at", "pk")[:3]):
        carrier = carriers[n % len(carriers)]
        try:
            proposal = services.idea_to_proposal(
                actor=facilitator, idea=idea, resident=carrier, consent=True
            )
            if n < 2:  # the resident completes and submits it under their account
                proposal_update(
                    actor=carrier,
                    proposal=proposal,
                    data={
                        "cost_estimate": "60000",
                        "whole_sector": False,
                        "latitude": idea.workshop.latitude,
                        "longitude": idea.workshop.longitude,
                        "consent_publication": True,
                    },
                )
                proposal_submit(actor=carrier, proposal=proposal)
        except (ValidationError, PermissionDenied) as exc:
            logger.info("demo idea %s stays an idea: %s", idea.pk, exc)
