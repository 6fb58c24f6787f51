from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def legal_pages() -> dict[str, str]:
    """URLs of the privacy notice and the terms page, when they are published.
    Every page's footer shows them: cached until a page is published, moved or
    deleted (the "pages" content namespace)."""
    from django.core.cache import cache

    from ciic.cache import content_key
    from cms.legal_pages import PRIVACY_SLUG, TERMS_SLUG
    from cms.models import InformationPage

    key = content_key("pages", "legal-links")
    links = cache.get(key)
    if links is None:
        found = {
            p.slug: p.url
            for p in InformationPage.objects.live().filter(slug__in=[PRIVACY_SLUG, TERMS_SLUG])
        }
        links = {"privacy": found.get(PRIVACY_SLUG, ""), "terms": found.get(TERMS_SLUG, "")}
        cache.set(key, links, 3600)
    return dict(links)
