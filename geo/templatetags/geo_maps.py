"""Maps drawn in the page itself (no <iframe>, no second document):

- `{% geo_map_assets config %}` in the page's head: Leaflet's and our map
  stylesheets, the scripts (deferred: they download, first and at high
  priority, while the HTML is parsed and run once it is) and preload hints for the data the map fetches (street
  layer, landmarks, points), so that all of it downloads at once;
- `{% geo_map config label %}` where the map goes: a `<div data-ciic-map>` and
  its configuration as JSON (`<script type="application/json">`), drawn by
  `geo/static/geo/map.js` from a configuration built by `geo.maps.*_config`;
- `{% map_config %}`: the JSON a small Leaflet map (a proposal's page, the
  location step) is built from by `CiicStreetMap.smallMap`: the tile server or
  the offline street layer, the sector and zone outlines (simplified) and the
  attributions.

Generic: no feature's data."""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.templatetags.static import static
from django.utils.html import escape, format_html, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geo.cache import map_cache_key
from geo.defaults import ANCPI_SHORT_ATTRIBUTION
from geo.maps import (
    LEAFLET_CSS,
    LEAFLET_JS,
    MAP_CSS,
    MAP_JS,
    POINT_LAYER_JS,
    STREETMAP_JS,
    display_areas,
    safe_local_url,
    street_map_config,
    streets_enabled,
)
from geo.selectors import PlaceDescription, areas_for_map, place_describe
from geo.streets import OSM_ATTRIBUTION

register = template.Library()


def small_map_config() -> dict[str, Any]:
    config = street_map_config()
    areas = [
        {
            "kind": area.kind,
            "name": area.name,
            "approximate": area.is_approximate,
            "geometry": geometry,
            "label": [label[0], label[1]],
            "weight": weight,
        }
        for area, geometry, label, weight in display_areas(areas_for_map())
    ]
    return {
        "tiles": "" if streets_enabled() else settings.MAP_TILES_URL,
        "tilesAttribution": "" if streets_enabled() else settings.MAP_TILES_ATTRIBUTION,
        "streets": config["streets"],
        "places": config["places"],
        "attribution": config["attribution"],
        "areasAttribution": [escape(ANCPI_SHORT_ATTRIBUTION)],
        "areas": areas,
    }


# The rendered `{% map_config %}` in the cache, by the areas' content version,
# the maps' render stamp, the tile server, the element id and the language:
# decoding the areas' geometries and writing them out again was most of a
# proposal page's render when the page cache missed (about 13 of 22 ms), and
# the areas change only with a zone import (which bumps "areas").
MAP_CONFIG_TIMEOUT = 24 * 3600


@register.simple_tag
def map_config(element_id: str = "map-config") -> SafeString:
    """The configuration as JSON, preceded by preload hints for the street
    layer so that it downloads while the page's scripts load."""
    key = map_cache_key(
        "areas",
        "small-map-config",
        element_id,
        get_language() or "",
        hashlib.sha1(  # the tile server, as a short stamp (keys stay plain ASCII)
            f"{settings.MAP_TILES_URL}\n{settings.MAP_TILES_ATTRIBUTION}".encode(),
            usedforsecurity=False,
        ).hexdigest()[:12],
    )
    html = cache.get(key)
    if html is None:
        config = small_map_config()
        links = format_html_join(
            "",
            '<link rel="preload" href="{}" as="fetch" crossorigin="anonymous">',
            ((url,) for url in (config["streets"], config["places"]) if url),
        )
        html = links + json_script(config, element_id)
        cache.set(key, str(html), MAP_CONFIG_TIMEOUT)
    return mark_safe(html)  # noqa: S308 (built from escaped parts above)


@register.simple_tag
def place_at(latitude: Any, longitude: Any) -> PlaceDescription | None:
    """`{% place_at lat lon as where %}`: `where.text` is the nearest named
    street (or landmark) in words, `where.zone` the zone; None without a point."""
    if latitude in (None, "") or longitude in (None, ""):
        return None
    try:
        return place_describe(latitude=float(latitude), longitude=float(longitude))
    except (TypeError, ValueError):
        return None


@register.simple_tag
def streets_attribution() -> str:
    """ "© OpenStreetMap contributors (ODbL)" when the offline street layer is
    shown, for the credits line under a map; empty with a tile server."""
    return f"{OSM_ATTRIBUTION} (ODbL)" if streets_enabled() else ""


def _preloads(config: dict[str, Any]) -> list[str]:
    streets = config.get("streets") or {}
    urls = [streets.get("streets"), streets.get("places")]
    remote = config.get("remote") or {}
    urls.append(safe_local_url(str(remote.get("url") or "")))
    return [u for u in urls if u]


@register.simple_tag
def geo_map_assets(config: dict[str, Any] | None = None) -> SafeString:
    """The stylesheets, deferred scripts and data preloads of `{% geo_map %}`
    (in the page's head)."""
    config = config or {}
    scripts = [LEAFLET_JS, STREETMAP_JS]
    if config.get("remote"):
        scripts.append(POINT_LAYER_JS)
    scripts.append(MAP_JS)
    # The scripts first and at high priority: a deferred script is otherwise
    # fetched at low priority, after the data, and the map waits for it (its
    # evaluation, not the data, is the long part on a phone).
    return mark_safe(  # noqa: S308 (every part escaped by format_html)
        format_html_join(
            "",
            '<link rel="stylesheet" href="{}">',
            ((static(css),) for css in (LEAFLET_CSS, MAP_CSS)),
        )
        + format_html_join(
            "",
            '<script src="{}" defer fetchpriority="high"></script>',
            ((static(js),) for js in scripts),
        )
        + format_html_join(
            "",
            '<link rel="preload" href="{}" as="fetch" crossorigin="anonymous">',
            ((url,) for url in _preloads(config)),
        )
    )


@register.simple_tag
def geo_map(
    config: dict[str, Any],
    label: str,
    element_id: str = "map",
    css_class: str = "",
    lazy: bool = False,
) -> SafeString:
    """A map drawn in the page: its box (a labelled region, sized by CSS
    before any script runs, so nothing moves when the map appears) and its
    configuration. With `lazy` it is drawn when it comes near the screen (a
    map far down a long page). Without JavaScript the box says where the same
    data is."""
    return format_html(
        '<div id="{id}" class="map-box {cls}" role="region" aria-label="{label}"'
        ' data-ciic-map="{id}-config"{lazy}><noscript><p class="map-noscript">{fallback}</p>'
        "</noscript></div>{config}",
        id=element_id,
        cls=css_class,
        lazy=mark_safe(" data-ciic-map-lazy") if lazy else "",  # noqa: S308 (a constant)
        label=label,
        fallback=_(
            "The map needs JavaScript; what it shows is also listed or offered as a download on this page."
        ),
        config=json_script(config, f"{element_id}-config"),
    )
