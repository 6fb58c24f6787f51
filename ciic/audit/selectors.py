from django.db import models

from .models import Event, EventQuerySet


def events_for_object(obj: models.Model, *, public_only: bool = False) -> EventQuerySet:
    qs = Event.objects.for_object(obj).select_related("actor")
    if public_only:
        qs = qs.filter(public=True)
    return qs
