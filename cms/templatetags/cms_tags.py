from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def legal_pages() -> dict[str, str]:
    """URLs of the privacy notice and the terms page, when they are published."""
    from cms.legal_pages import PRIVACY_SLUG, TERMS_SLUG
    from cms.models import InformationPage

    found = {
        p.slug: p.url
        for p in InformationPage.objects.live().filter(slug__in=[PRIVACY_SLUG, TERMS_SLUG])
    }
    return {"privacy": found.get(PRIVACY_SLUG, ""), "terms": found.get(TERMS_SLUG, "")}
