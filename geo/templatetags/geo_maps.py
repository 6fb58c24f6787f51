"""`{% map_config %}`: the JSON a small Leaflet map (a proposal's page, the
location step) is built from by `CiicStreetMap.smallMap`: the tile server or
the offline street layer, the sector and zone outlines (simplified) and the
attributions. Generic: no feature's data."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import escape, format_html_join, json_script
from django.utils.safestring import SafeString, mark_safe

from geo.defaults import ANCPI_SHORT_ATTRIBUTION
from geo.maps import display_areas, street_map_config, streets_enabled
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


@register.simple_tag
def map_config(element_id: str = "map-config") -> SafeString:
    """The configuration as JSON, preceded by preload hints for the street
    layer so that it downloads while the page's scripts load."""
    config = small_map_config()
    links = format_html_join(
        "",
        '<link rel="preload" href="{}" as="fetch" crossorigin="anonymous">',
        ((url,) for url in (config["streets"], config["places"]) if url),
    )
    return mark_safe(links + json_script(config, element_id))  # noqa: S308 (both escaped)


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
