"""iCalendar files (RFC 5545) of workshops, built with `icalendar`."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from ciic.links import site_url

from .models import Workshop

PRODID = "-//CIIC Sector 6//Workshops//RO"


def _uid(workshop: Workshop) -> str:
    host = (getattr(settings, "SITE_URL", "") or "ciic6").split("://")[-1].strip("/")
    return f"workshop-{workshop.pk}@{host or 'ciic6'}"


def _event(workshop: Workshop) -> Event:
    event = Event()
    event.add("uid", _uid(workshop))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", workshop.starts_at)
    event.add("dtend", workshop.ends_at)
    event.add("summary", f"CIIC: {workshop.theme}")
    event.add("location", f"{workshop.venue_name}, {workshop.venue_address}")
    if workshop.latitude is not None and workshop.longitude is not None:
        event.add("geo", (workshop.latitude, workshop.longitude))
    description = workshop.description
    if workshop.accessibility_notes:
        description = f"{description}\n\n{workshop.accessibility_notes}".strip()
    if description:
        event.add("description", description)
    event.add("url", site_url(workshop.get_absolute_url()))
    event.add(
        "status", "CANCELLED" if workshop.status == Workshop.Status.CANCELLED else "CONFIRMED"
    )
    event.add("sequence", int(workshop.updated_at.timestamp()) // 60 % 2**31)
    return event


def calendar_bytes(workshops: Iterable[Workshop], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for workshop in workshops:
        cal.add_component(_event(workshop))
    return cal.to_ical()
