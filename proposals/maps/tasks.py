"""django-rq job: re-render the default proposal maps (drawn in the page and
as documents) after a content change
(`ciic.cache.content_changed("proposals")` enqueues it, see
`settings.CONTENT_WARMERS`). Idempotent: maps already cached for the
current version are not rendered again."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from ..models import Call
from . import rendering
from . import selectors as sel


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
            rendering.proposals_map_config(sel.MapFilters())
            rendering.proposals_map_render(sel.MapFilters())
            count += 2
            for call in calls:
                rendering.results_map_config(call)
                rendering.participation_map_config(call, "proposals")
                rendering.results_map_render(call)
                rendering.participation_map_render(call, "proposals")
                count += 4
    return count
