"""Reads for maps and downloads."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Area


def areas_for_map() -> list[Area]:
    """The sector and its zones, sector first, zones by name."""
    return list(Area.objects.order_by("kind", "name"))


def zones_list() -> QuerySet[Area]:
    return Area.objects.filter(kind=Area.Kind.ZONE).order_by("name")


def areas_any_approximate(areas: list[Area]) -> bool:
    return any(a.is_approximate for a in areas if a.kind == Area.Kind.ZONE)
