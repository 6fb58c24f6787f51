"""django-rq job: re-render the default proposal maps after a cache bump
(`geo.cache.map_cache_bump("proposals")` enqueues it, see
`settings.MAP_CACHE_WARMERS`). Idempotent: maps already cached for the
current version are not rendered again."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from . import map_selectors as sel
from .models import Call


def proposal_maps_rebuild() -> int:
    """Warm, in every site language: the unfiltered proposals map, and the
    results and participation maps of each call that has public proposals.
    Returns the number of maps now cached."""
    calls = list(
        Call.objects.filter(proposals__status__in=[v for v, _l in sel.PUBLIC_STATUSES]).distinct()
    )
    count = 0
    for lang, _label in settings.LANGUAGES:
        with translation.override(lang):
            sel.proposals_map_render(sel.MapFilters())
            count += 1
            for call in calls:
                sel.results_map_render(call)
                sel.participation_map_render(call, "proposals")
                count += 2
    return count
