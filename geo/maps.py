"""Generic map builders (folium + Leaflet served from our own static files).

Every builder takes plain records (`MapPoint`, `LegendItem`, a mapping of zone
slug to value) and the areas to draw. `points_map_config` and
`choropleth_map_config` return the map as a configuration (JSON-ready data)
that a page draws itself, in its own document (`{% geo_map %}` and
`geo/static/geo/map.js`): that is how our pages show maps. `points_map`,
`choropleth_map` and `areas_map` return the same maps as complete folium HTML
documents, for an `<iframe>` (the /map/embed/ addresses other sites may frame,
the staff preview). Both share every part that matters (`_frame`, the area
features, the legend, the street layer's configuration). Nothing here knows a
feature's models: proposals, ballots and workshops turn their rows into these
records in their own selectors.

Offline by construction:
- Leaflet and Leaflet.markercluster come from `static/vendor/` (npm packages
  copied at build time), never from a CDN: `OfflineMap` and `_PointLayer`
  replace folium's default CDN links, and folium elements that pull
  jQuery/Bootstrap/awesome-markers/d3 are not used;
- the only absolute address a rendered map may hold is the tile server's
  (`settings.MAP_TILES_URL`, with `MAP_TILES_ATTRIBUTION`); with no tile server
  the zone outlines and their labels make the map;
- every attribution (ANCPI, approximate zones) is plain text.

Safety: every piece of user text is HTML-escaped here, in Python, before it
reaches the page, and JSON embedded in `<script>` has `<`, `>` and `&`
escaped, so a title such as `</script><script>...` stays text.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import folium  # type: ignore[import-untyped]
from branca.element import Figure, MacroElement  # type: ignore[import-untyped]
from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from folium.elements import JSCSSMixin  # type: ignore[import-untyped]
from folium.template import Template  # type: ignore[import-untyped]
from folium.utilities import camelize  # type: ignore[import-untyped]

from .defaults import ANCPI_ATTRIBUTION, ANCPI_SHORT_ATTRIBUTION
from .streets import OSM_ATTRIBUTION, PLACES_STATIC, STREETS_STATIC

LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
CLUSTER_JS = "vendor/leaflet.markercluster/leaflet.markercluster.js"
CLUSTER_CSS = "vendor/leaflet.markercluster/MarkerCluster.css"
CLUSTER_DEFAULT_CSS = "vendor/leaflet.markercluster/MarkerCluster.Default.css"
STREETMAP_JS = "geo/streetmap.js"
MAP_JS = "geo/map.js"
MAP_CSS = "geo/map.css"
POINT_LAYER_JS = "geo/point_layer.js"
# Bump when the builders' output changes in a way the static URLs do not show.
RENDER_VERSION = "3"

DEFAULT_COLOUR = "#0b5cab"
NO_DATA_COLOUR = "#d9dde3"
# A sequential palette (light to dark blue-green), colour-blind safe (ColorBrewer GnBu-5).
SEQUENTIAL_PALETTE = ("#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac")
# Sector centre, used only when no area is loaded.
SECTOR6_CENTRE = (44.4429, 26.0185)

_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{3,8}$")
_DASH_RE = re.compile(r"^[0-9 ,]{0,20}$")


class AreaLike(Protocol):
    """What the builders read from an area (`geo.models.Area` fits)."""

    kind: str
    name: str
    slug: str
    geometry: dict[str, Any]
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    is_approximate: bool
    attribution: str


@dataclass(frozen=True)
class MapPoint:
    """One marker. `title` and `details` are plain text (escaped here);
    `url` must be a path on our own site ("/proposals/..."), else it is dropped."""

    lat: float
    lon: float
    title: str
    url: str = ""
    link_label: str = ""
    details: Sequence[str] = ()
    colour: str = DEFAULT_COLOUR
    radius: float = 7.0
    stroke_colour: str = "#ffffff"
    weight: float = 1.5
    fill_opacity: float = 0.85
    dash: str = ""


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str = DEFAULT_COLOUR
    shape: str = "circle"  # circle | square | ring
    stroke_colour: str = ""
    dash: bool = False


@dataclass(frozen=True)
class Legend:
    title: str = ""
    items: Sequence[LegendItem] = field(default_factory=tuple)


def safe_colour(value: str, default: str = DEFAULT_COLOUR) -> str:
    return value if isinstance(value, str) and _COLOUR_RE.match(value) else default


def safe_local_url(url: str) -> str:
    """Keep only paths on our own site: no scheme, no host, no `javascript:`."""
    if not isinstance(url, str) or not url.startswith("/") or url.startswith("//"):
        return ""
    if "\\" in url or any(ch.isspace() for ch in url):
        return ""
    return url


_SCRIPT_TAG_RE = re.compile(r"<script(?=[\s>])")
_NONCE_RE = re.compile(r"^[A-Za-z0-9+/=_-]+$")


def with_script_nonce(document: str, nonce: str) -> str:
    """The map `document` with `nonce` on each of its <script> elements, so the
    page can be served under a Content-Security-Policy without 'unsafe-inline'
    (`script-src 'nonce-...'`). Maps are rendered and cached without a nonce;
    the view adds the request's nonce. Every `<script` in a rendered map is one
    the builders wrote: user text reaches the document escaped (see above)."""
    if not _NONCE_RE.match(nonce):
        raise ValueError("invalid nonce")
    return _SCRIPT_TAG_RE.sub(f'<script nonce="{nonce}"', document)


@lru_cache(maxsize=1)
def render_stamp() -> str:
    """A short stamp of the builders' version and the static files a rendered
    map links to (hashed names in production), for cache keys."""
    urls = [
        static(p)
        for p in (
            LEAFLET_JS,
            LEAFLET_CSS,
            CLUSTER_JS,
            STREETMAP_JS,
            POINT_LAYER_JS,
            MAP_JS,
            MAP_CSS,
        )
    ]
    urls += [static(STREETS_STATIC), static(PLACES_STATIC)]
    raw = "|".join([RENDER_VERSION, *urls])
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:8]


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _script_json(data: Any) -> str:
    """JSON safe to place inside a <script> element."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- folium elements -----------------------------------------------------------


class OfflineMap(folium.Map):
    """A folium map whose Leaflet comes from our static files and which drops
    folium's other default assets (jQuery, Bootstrap, awesome-markers, Font
    Awesome): we draw circle markers and plain-HTML controls instead.

    With `bounds` the map is created straight at the view that fits them:
    folium's own `fit_bounds` runs after the map has a view (its `location`
    and `zoom_start`), so Leaflet animates the zoom and every layer is drawn
    twice, once at each zoom, a quarter of a second apart."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <meta name="viewport" content="width=device-width, initial-scale=1.0">
            <style>
                html, body { width: 100%; height: 100%; margin: 0; padding: 0; }
                #{{ this.get_name() }} { position: relative; width: 100%; height: 100%; }
            </style>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map({{ this.get_name()|tojson }}, {{ this.map_options }});
            {%- if this.fit_to %}
            {{ this.get_name() }}.fitBounds({{ this.fit_to }}, {{ this.fit_options }});
            {%- else %}
            {{ this.get_name() }}.setView({{ this.location|tojson }}, {{ this.zoom }});
            {%- endif %}
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *args: Any,
        bounds: Sequence[Sequence[float]] | None = None,
        padding_top_left: tuple[int, int] = (0, 0),
        padding_bottom_right: tuple[int, int] = (0, 0),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.default_js = [("leaflet", static(LEAFLET_JS))]
        self.default_css = [("leaflet_css", static(LEAFLET_CSS))]
        options = {camelize(k): v for k, v in self.options.items() if k != "zoom"}
        zoom = self.options.get("zoom", 13)
        self.zoom = int(zoom) if isinstance(zoom, int | float) else 13
        self.map_options = _script_json(options)
        self.fit_to = _script_json([list(b) for b in bounds]) if bounds else ""
        self.fit_options = _script_json(
            {
                "paddingTopLeft": list(padding_top_left),
                "paddingBottomRight": list(padding_bottom_right),
            }
        )


class _StaticAssets(JSCSSMixin):
    """Adds extra static JS/CSS links to the document header."""

    _template = Template("")

    def __init__(self, js: Sequence[tuple[str, str]], css: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "StaticAssets"
        self.default_js = list(js)
        self.default_css = list(css)


class _Attribution(MacroElement):
    """The attributions, as plain text, in their short forms so that the
    credits stay on one line and never cover the map; the full texts are the
    control's tooltip and are printed on the page under every map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var control = map.attributionControl;
                control.setPrefix(map.getSize().x < {{ this.narrow_below }} ? false : {{ this.prefix }});
                {{ this.short_texts }}.forEach(function (t) { control.addAttribution(t); });
                control.getContainer().title = {{ this.full_text }};
            })();
        {% endmacro %}
        """
    )

    def __init__(self, texts: Sequence[str], short_texts: Sequence[str] = ()) -> None:
        super().__init__()
        self._name = "Attribution"
        self.prefix = _script_json("Leaflet")
        self.narrow_below = 600
        self.short_texts = _script_json([_esc(t) for t in (short_texts or texts) if t])
        # a DOM property, not HTML: plain text
        self.full_text = _script_json(" · ".join(t for t in texts if t))


class _HtmlControl(MacroElement):
    """A Leaflet control holding HTML we built and escaped in Python."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var ctl = L.control({position: {{ this.position }}});
                ctl.onAdd = function () {
                    var div = L.DomUtil.create("div", {{ this.css_class }});
                    div.innerHTML = {{ this.content }};
                    L.DomEvent.disableClickPropagation(div);
                    return div;
                };
                ctl.addTo({{ this._parent.get_name() }});
                {%- if this.collapse_below %}
                if ({{ this._parent.get_name() }}.getSize().x < {{ this.collapse_below }}) {
                    var details = ctl.getContainer().querySelector("details");
                    if (details) details.open = false;
                }
                {%- endif %}
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self, content_html: str, *, position: str, css_class: str, collapse_below: int = 0
    ) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.collapse_below = int(collapse_below)
        self.position = _script_json(position)
        self.css_class = _script_json(f"map-control {css_class}")
        self.content = _script_json(content_html)


class _AreaLayer(MacroElement):
    """Areas as one GeoJSON layer; style and escaped tooltip per feature.
    Zone names are drawn by the street map's label engine (no collisions)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJSON({{ this.data }}, {
                style: function (f) { return f.properties.style; },
                onEachFeature: function (f, layer) {
                    if (f.properties.tooltip) {
                        layer.bindTooltip(f.properties.tooltip, {sticky: true});
                    }
                }
            }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict[str, Any]]) -> None:
        super().__init__()
        self._name = "AreaLayer"
        self.data = _script_json({"type": "FeatureCollection", "features": features})


class _StreetMap(JSCSSMixin):
    """The offline street layer (when no tile server is set), the landmarks
    and every label, from `geo/static/geo/streetmap.js`."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            {%- for url in this.preload %}
            <link rel="preload" href="{{ url }}" as="fetch" crossorigin="anonymous">
            {%- endfor %}
        {% endmacro %}
        {% macro script(this, kwargs) %}
            CiicStreetMap.attach({{ this._parent.get_name() }}, {{ this.config }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "StreetMap"
        self.config = _script_json(config)
        # The layer downloads while Leaflet is parsed, not after the map script runs.
        self.preload = [
            html.escape(url, quote=True) for url in (config["streets"], config["places"]) if url
        ]
        self.default_js = [("ciic_streetmap", static(STREETMAP_JS))]
        self.default_css = []


class _PointLayer(JSCSSMixin):
    """Many circle markers from one JSON array (fast to render and to load),
    optionally clustered with Leaflet.markercluster (served from /static/)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var rows = {{ this.data }};
                var group = {% if this.cluster %}L.markerClusterGroup({
                    showCoverageOnHover: false, maxClusterRadius: 40,
                    spiderfyOnMaxZoom: true, chunkedLoading: true
                }){% else %}L.featureGroup(){% endif %};
                rows.forEach(function (r) {
                    var m = L.circleMarker([r[0], r[1]], {
                        radius: r[2], color: r[3], weight: r[4], fillColor: r[5],
                        fillOpacity: r[6], dashArray: r[7] || null
                    });
                    m.bindTooltip(r[8]);
                    m.bindPopup(r[9], {maxWidth: 300});
                    group.addLayer(m);
                });
                group.addTo(map);
            })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list[Any]], *, cluster: bool) -> None:
        super().__init__()
        self._name = "PointLayer"
        self.cluster = cluster
        self.data = _script_json(rows)
        if cluster:
            self.default_js = [("markercluster", static(CLUSTER_JS))]
            self.default_css = [
                ("markercluster_css", static(CLUSTER_CSS)),
                ("markercluster_default_css", static(CLUSTER_DEFAULT_CSS)),
            ]
        else:
            self.default_js = []
            self.default_css = []


class _RemotePointLayer(JSCSSMixin):
    """Points loaded by the browser from a GeoJSON address, clustered and drawn
    there on one canvas (`geo/static/geo/point_layer.js`, no marker objects,
    no Leaflet.markercluster): the document carries no data."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <link rel="preload" href="{{ this.url }}" as="fetch" crossorigin="anonymous">
        {% endmacro %}
        {% macro script(this, kwargs) %}
            CiicPointLayer.attach({{ this._parent.get_name() }}, {{ this.config }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        self._name = "RemotePointLayer"
        self.url = html.escape(safe_local_url(str(config["url"])), quote=True)
        self.config = _script_json({**config, "url": safe_local_url(str(config["url"]))})
        self.default_js = [("ciic_point_layer", static(POINT_LAYER_JS))]
        self.default_css = []


class _MapStyle(JSCSSMixin, MacroElement):
    """Our map CSS after Leaflet's own stylesheet: the controls' styles are the
    in-page maps' (`geo/map.css`, one file for both), plus what only a folium
    document needs (its container, the attribution on phones)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
  .leaflet-container.folium-map { background: #eef0f3; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  .folium-map .leaflet-control-scale-line + .leaflet-control-scale-line { display: none; }
  @media (max-width: 600px) { .leaflet-control-attribution { font-size: 9px; line-height: 1.25; } }
        </style>
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapStyle"
        self.default_css = [("ciic_map_css", static(MAP_CSS))]


# --- building blocks -----------------------------------------------------------

# Outline simplification for display (degrees, about 2.5 m; invisible below zoom 17).
DISPLAY_TOLERANCE = 3e-5
DISPLAY_DECIMALS = 5


def _bounds(areas: Sequence[AreaLike]) -> list[list[float]] | None:
    if not areas:
        return None
    return [
        [min(a.min_lat for a in areas), min(a.min_lon for a in areas)],
        [max(a.max_lat for a in areas), max(a.max_lon for a in areas)],
    ]


def _round_coords(coords: Any) -> Any:
    if coords and isinstance(coords[0], int | float):
        return [round(float(c), DISPLAY_DECIMALS) for c in coords]
    return [_round_coords(c) for c in coords]


@lru_cache(maxsize=8)
def _display_cached(key: str, payload: str) -> tuple[tuple[dict[str, Any], ...], tuple[Any, ...]]:
    """Simplified outlines (zones together, so shared edges stay shared) and
    label points, for one set of areas. Cached by the areas' content."""
    import shapely
    from shapely.geometry import mapping, shape

    items = json.loads(payload)
    geoms = [shape(g) for _kind, g in items]
    zone_idx = [i for i, (kind, _g) in enumerate(items) if kind != "sector"]
    simplified = list(geoms)
    if zone_idx:
        coverage = shapely.coverage_simplify(
            [geoms[i] for i in zone_idx], DISPLAY_TOLERANCE, simplify_boundary=True
        )
        for i, geom in zip(zone_idx, coverage, strict=True):
            simplified[i] = geom
    for i, (kind, _g) in enumerate(items):
        if kind == "sector":
            simplified[i] = geoms[i].simplify(DISPLAY_TOLERANCE)
    out = []
    labels = []
    for original, geom in zip(geoms, simplified, strict=True):
        if geom.is_empty or not geom.is_valid:
            geom = original
        data = mapping(geom)
        out.append({"type": data["type"], "coordinates": _round_coords(data["coordinates"])})
        pt = label_point(original)
        labels.append((round(pt.y, 6), round(pt.x, 6), round(original.area * 1e6, 3)))
    return tuple(out), tuple(labels)


def label_point(geom: Any) -> Any:
    """Where to write an area's name: the centre of the largest circle that
    fits inside it (its largest part), which reads as the middle of the area
    even for an L-shaped zone, unlike the centroid or a representative point."""
    from shapely.ops import polylabel

    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    if geom.geom_type != "Polygon" or geom.is_empty:
        return geom.representative_point()
    try:
        return polylabel(geom, tolerance=1e-5)
    except Exception:  # degenerate rings: fall back to a point surely inside
        return geom.representative_point()


def display_areas(
    areas: Sequence[AreaLike],
) -> list[tuple[AreaLike, dict[str, Any], tuple[float, float], float]]:
    """For each area: its simplified outline, its label point and a weight
    (its size; bigger zones get their name placed first)."""
    if not areas:
        return []
    payload = json.dumps([[a.kind, a.geometry] for a in areas], separators=(",", ":"))
    key = hashlib.sha1(payload.encode(), usedforsecurity=False).hexdigest()
    geoms, labels = _display_cached(key, payload)
    return [
        (a, geom, (label[0], label[1]), label[2])
        for a, geom, label in zip(areas, geoms, labels, strict=True)
    ]


def _legend_html(legend: Legend) -> str:
    """A legend that folds away (a <details>): open on wide maps, closed on
    phones (see `_HtmlControl(collapse_below=...)`)."""
    title = _esc(legend.title) if legend.title else _esc(_("Legend"))
    parts = [f'<details class="map-legend" open><summary>{title}</summary><ul>']
    for item in legend.items:
        shape_cls = item.shape if item.shape in {"circle", "square", "ring"} else "circle"
        fill = safe_colour(item.colour)
        stroke = safe_colour(item.stroke_colour, "") if item.stroke_colour else ""
        if shape_cls == "ring":
            style = f"background:transparent;border:3px {'dashed' if item.dash else 'solid'} {fill}"
        else:
            style = f"background:{fill}"
            if stroke:
                style += f";border:2px {'dashed' if item.dash else 'solid'} {stroke}"
        parts.append(
            f'<li><span class="map-swatch {shape_cls}" style="{style}"></span>'
            f"{_esc(item.label)}</li>"
        )
    parts.append("</ul></details>")
    return "".join(parts)


def streets_enabled() -> bool:
    """The offline street layer is drawn unless a tile server is configured."""
    return not (getattr(settings, "MAP_TILES_URL", "") or "")


def street_map_config(
    *,
    zones: Sequence[Sequence[Any]] = (),
    obstacles: Sequence[Sequence[float]] = (),
    muted: bool = False,
) -> dict[str, Any]:
    """The configuration of `CiicStreetMap.attach`; `attribution` entries are
    HTML (escaped here), zone names plain text."""
    on = streets_enabled()
    return {
        "streets": static(STREETS_STATIC) if on else None,
        # Under a choropleth the landmarks would only compete with the colours.
        "places": static(PLACES_STATIC) if on and not muted else None,
        # Names are drawn on a canvas as plain text: not HTML-escaped here
        # (the JSON itself is made safe for <script> by the caller).
        "zones": [[z[0], z[1], str(z[2]), z[3] if len(z) > 3 else 0] for z in zones],
        "obstacles": [list(o) for o in obstacles],
        "attribution": [_esc(OSM_ATTRIBUTION)] if on else [],
        "muted": muted,
    }


# Leaflet options of every map (folium's min_zoom/max_zoom only reach its own
# tile layer, so they are passed as map options).
MAP_OPTIONS: dict[str, Any] = {
    "preferCanvas": True,
    "scrollWheelZoom": False,
    "minZoom": 11,
    "maxZoom": 19,
    "zoomSnap": 0.25,
}
# The bottom padding keeps the sector clear of the attribution line.
PADDING_TOP_LEFT = (10, 10)
PADDING_BOTTOM_RIGHT = (10, 28)
# Below this width (px) the legend and the notes start folded, and the credits
# drop the "Leaflet" prefix.
NARROW_BELOW = 600


def _frame(areas: Sequence[AreaLike], *, title: str, subtitle: str = "") -> dict[str, Any]:
    """What every map shows around its layers: the view, the tile server if
    any, the attributions, the title and the approximate-zones note (HTML
    escaped here). Shared by the in-page maps and the folium documents."""
    bounds = _bounds(areas)
    centre = (
        [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
        if bounds
        else list(SECTOR6_CENTRE)
    )
    texts = [ANCPI_ATTRIBUTION]
    short = [ANCPI_SHORT_ATTRIBUTION]
    for a in areas:
        if a.attribution and a.attribution not in texts:
            texts.append(a.attribution)
            if a.attribution != ANCPI_ATTRIBUTION:
                short.append(a.attribution)
    heading = ""
    if title:
        heading = _esc(title)
        if subtitle:
            heading += f"<small>{_esc(subtitle)}</small>"
    note = ""
    if any(a.is_approximate and a.kind == "zone" for a in areas):
        summary = _esc(_("Approximate zones"))
        detail = _esc(_("Outlines are indicative, not official boundaries."))
        note = f"<details open><summary>{summary}</summary>{detail}</details>"
    return {
        "bounds": bounds,
        "centre": centre,
        "zoom": 13,
        "tiles": getattr(settings, "MAP_TILES_URL", "") or "",
        "tilesAttribution": getattr(settings, "MAP_TILES_ATTRIBUTION", "") or "",
        "texts": texts,
        "short": short,
        "title": heading,
        "note": note,
    }


def _new_map(areas: Sequence[AreaLike], *, title: str, subtitle: str = "") -> OfflineMap:
    frame = _frame(areas, title=title, subtitle=subtitle)
    fig = Figure(title=_esc(title) if title else None)
    m = OfflineMap(
        location=frame["centre"],
        bounds=frame["bounds"],
        padding_top_left=PADDING_TOP_LEFT,
        padding_bottom_right=PADDING_BOTTOM_RIGHT,
        zoom_start=frame["zoom"],
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        **{k: v for k, v in MAP_OPTIONS.items() if k != "preferCanvas"},
    )
    fig.add_child(m)
    m.add_child(_MapStyle())
    if frame["tiles"]:
        folium.TileLayer(
            tiles=frame["tiles"], attr=frame["tilesAttribution"], name="base", max_zoom=19
        ).add_to(m)
    m.add_child(_Attribution(frame["texts"], frame["short"]))
    if frame["title"]:
        m.add_child(_HtmlControl(frame["title"], position="topright", css_class="map-title"))
    if frame["note"]:
        m.add_child(
            # top left, under the zoom buttons: the bottom corners hold the
            # legend, the scale and the credits, which meet on a phone
            _HtmlControl(
                frame["note"], position="topleft", css_class="map-note", collapse_below=NARROW_BELOW
            )
        )
    return m


def _page_config(
    areas: Sequence[AreaLike],
    *,
    title: str,
    subtitle: str,
    features: list[dict[str, Any]],
    streets: dict[str, Any],
    legend_html: str = "",
    points: list[list[Any]] | None = None,
    remote: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The configuration of `geo/static/geo/map.js` (`CiicMap.mount`): the same
    map as the folium document, drawn in the page itself."""
    frame = _frame(areas, title=title, subtitle=subtitle)
    return {
        "bounds": frame["bounds"],
        "centre": frame["centre"],
        "zoom": frame["zoom"],
        "padding": [list(PADDING_TOP_LEFT), list(PADDING_BOTTOM_RIGHT)],
        "options": MAP_OPTIONS,
        "narrowBelow": NARROW_BELOW,
        "tiles": frame["tiles"],
        # HTML, as folium passes a tile layer's attribution
        "tilesAttribution": frame["tilesAttribution"],
        "attribution": {
            "prefix": "Leaflet",
            "short": [_esc(t) for t in frame["short"] if t],
            # a DOM property (the control's tooltip): plain text
            "full": " · ".join(t for t in frame["texts"] if t),
        },
        "title": frame["title"],
        "note": frame["note"],
        "legend": legend_html,
        "areas": {"type": "FeatureCollection", "features": features},
        "points": points,
        "remote": remote,
        "streets": streets,
    }


def _area_features(
    areas: Sequence[AreaLike],
    *,
    fills: Mapping[str, str] | None = None,
    tooltips: Mapping[str, str] | None = None,
) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The area layer's features (simplified outlines) and the zone labels
    ([lat, lon, name, weight]) for the label engine."""
    features: list[dict[str, Any]] = []
    labels: list[list[Any]] = []
    streets = streets_enabled()
    # Sector first (drawn underneath), then zones.
    ordered = sorted(areas, key=lambda x: 0 if x.kind == "sector" else 1)
    for a, geometry, (lat, lon), weight in display_areas(ordered):
        if a.kind == "sector":
            style = {
                "color": "#1d2430",
                "weight": 3,
                "fillColor": "#ffffff",
                # Over the street layer the sector stays clear; without it a
                # light fill tells the sector from its surroundings.
                "fillOpacity": 0.0 if (fills or streets) else 0.35,
                "interactive": False,
            }
            tooltip = ""
        else:
            fill = fills.get(a.slug) if fills is not None else None
            style = {
                "color": "#4a5568",
                "weight": 1.2,
                "dashArray": "4 3" if a.is_approximate else None,
                "fillColor": fill or "#0b5cab",
                "fillOpacity": (0.62 if streets else 0.75) if fill else (0.0 if streets else 0.03),
            }
            tooltip = tooltips.get(a.slug, _esc(a.name)) if tooltips else _esc(a.name)
            labels.append([lat, lon, a.name, weight])
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {"style": style, "tooltip": tooltip},
            }
        )
    return features, labels


def _render(m: OfflineMap) -> str:
    doc: str = m.get_root().render()
    lang = _esc(get_language() or settings.LANGUAGE_CODE)
    return doc.replace("<html>", f'<html lang="{lang}">', 1)


def _point_row(p: MapPoint, default_link_label: str) -> list[Any] | None:
    try:
        lat, lon = float(p.lat), float(p.lon)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    lines = [f"<strong>{_esc(p.title)}</strong>"]
    lines.extend(f"<span>{_esc(d)}</span>" for d in p.details if d)
    url = safe_local_url(p.url)
    if url:
        lines.append(
            f'<a href="{_esc(url)}" target="_top">{_esc(p.link_label or default_link_label)}</a>'
        )
    popup = f'<div class="map-popup">{"".join(lines)}</div>'
    dash = p.dash if _DASH_RE.match(p.dash or "") else ""
    return [
        round(lat, 7),
        round(lon, 7),
        max(2.0, min(float(p.radius), 40.0)),
        safe_colour(p.stroke_colour, "#ffffff"),
        max(0.0, min(float(p.weight), 6.0)),
        safe_colour(p.colour),
        max(0.05, min(float(p.fill_opacity), 1.0)),
        dash,
        _esc(p.title),
        popup,
    ]


# Labels keep clear of at most this many markers (beyond it, clusters do the work).
MAX_LABEL_OBSTACLES = 1500


# --- public builders -----------------------------------------------------------


@dataclass
class _PointsParts:
    features: list[dict[str, Any]]
    rows: list[list[Any]]
    streets: dict[str, Any]
    legend_html: str
    remote: dict[str, Any] | None


def _points_parts(
    records: Iterable[MapPoint],
    *,
    areas: Sequence[AreaLike],
    legend: Legend | None,
    cluster: bool,
    points_from: dict[str, Any] | None,
) -> _PointsParts:
    features, labels = _area_features(areas)
    default_link = _("Open")
    rows = [row for p in records if (row := _point_row(p, default_link)) is not None]
    remote = None
    if points_from is not None:
        # The browser loads the points (point_layer.js); none inline.
        url = safe_local_url(str(points_from["url"]))
        remote = {**points_from, "url": url, "cluster": cluster}
    # Labels keep clear of the markers; clustered markers sit in their
    # clusters' icons (drawn above the labels), so only unclustered ones count.
    obstacles = (
        [[r[0], r[1], r[2] + r[4]] for r in rows]
        if not cluster and len(rows) <= MAX_LABEL_OBSTACLES
        else []
    )
    return _PointsParts(
        features=features,
        rows=rows,
        streets=street_map_config(zones=labels, obstacles=obstacles),
        legend_html=_legend_html(legend) if legend and legend.items else "",
        remote=remote,
    )


def points_map(
    records: Iterable[MapPoint],
    *,
    areas: Sequence[AreaLike],
    legend: Legend | None = None,
    cluster: bool = True,
    title: str = "",
    subtitle: str = "",
    points_from: dict[str, Any] | None = None,
) -> str:
    """A map of circle markers over the streets and the area outlines.
    Returns an HTML document (for an <iframe> or an embed). With `points_from`
    (the configuration of `geo/static/geo/point_layer.js`: a GeoJSON `url`,
    styles by property) the browser loads the points from that address
    instead of `records`. `points_map_config` is the same map drawn in a page."""
    parts = _points_parts(
        records, areas=areas, legend=legend, cluster=cluster, points_from=points_from
    )
    m = _new_map(areas, title=title, subtitle=subtitle)
    m.add_child(_AreaLayer(parts.features))
    if parts.remote is not None:
        m.add_child(_RemotePointLayer(parts.remote))
    else:
        m.add_child(_PointLayer(parts.rows, cluster=cluster))
    m.add_child(_StreetMap(parts.streets))
    if parts.legend_html:
        m.add_child(
            _HtmlControl(
                parts.legend_html, position="bottomright", css_class="", collapse_below=NARROW_BELOW
            )
        )
    return _render(m)


def points_map_config(
    records: Iterable[MapPoint],
    *,
    areas: Sequence[AreaLike],
    legend: Legend | None = None,
    title: str = "",
    subtitle: str = "",
    points_from: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`points_map` drawn in the page itself (`{% geo_map %}` and
    `geo/static/geo/map.js`): the configuration, as plain JSON-ready data.
    Points given as `records` are never clustered (the pages that pass them
    show a few dozen); `points_from` are, by `point_layer.js`."""
    parts = _points_parts(
        records, areas=areas, legend=legend, cluster=False, points_from=points_from
    )
    if parts.remote is not None:
        parts.remote["cluster"] = True
    return _page_config(
        areas,
        title=title,
        subtitle=subtitle,
        features=parts.features,
        streets=parts.streets,
        legend_html=parts.legend_html,
        points=None if parts.remote is not None else parts.rows,
        remote=parts.remote,
    )


@dataclass(frozen=True)
class ChoroplethClass:
    """One class of a choropleth: the smallest and largest value in it."""

    lower: float
    upper: float
    colour: str


def _palette_for(n: int) -> list[str]:
    """n colours spread over the sequential palette (2 classes: lightest and
    darkest), so few classes still contrast."""
    palette = SEQUENTIAL_PALETTE
    if n <= 1:
        return [palette[-1]]
    step = (len(palette) - 1) / (n - 1)
    return [palette[round(i * step)] for i in range(n)]


def choropleth_classes(
    values: Iterable[float], *, decimals: int = 0, n_classes: int = 5
) -> list[ChoroplethClass]:
    """Classes whose labels mean something: each class spans values that
    occur, bounds are the smallest and largest value in it, as shown (rounded
    to `decimals`), and no two classes show the same range. With at most
    `n_classes` distinct values each value is a class ("0", "1", "3");
    otherwise quantiles of the values."""
    shown = sorted({round(float(v), decimals) for v in values})
    if not shown:
        return []
    if len(shown) <= n_classes:
        groups = [[v] for v in shown]
    else:
        groups = []
        per = len(shown) / n_classes
        for i in range(n_classes):
            chunk = shown[round(i * per) : round((i + 1) * per)]
            if chunk:
                groups.append(chunk)
    colours = _palette_for(len(groups))
    return [
        ChoroplethClass(lower=g[0], upper=g[-1], colour=c)
        for g, c in zip(groups, colours, strict=True)
    ]


def choropleth_colour(
    value: float | None, classes: Sequence[ChoroplethClass], *, decimals: int = 0
) -> str:
    if value is None or not classes:
        return NO_DATA_COLOUR
    shown = round(float(value), decimals)
    for cls in classes:
        if shown <= cls.upper:
            return cls.colour
    return classes[-1].colour


def format_value(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return _("no data")
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=decimals, use_l10n=True)


def class_label(cls: ChoroplethClass, decimals: int = 0) -> str:
    if cls.lower == cls.upper:
        return format_value(cls.lower, decimals)
    return f"{format_value(cls.lower, decimals)} – {format_value(cls.upper, decimals)}"


def _choropleth_parts(
    areas: Sequence[AreaLike],
    values: Mapping[str, float | None],
    *,
    legend: str,
    decimals: int,
) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    zones = [a for a in areas if a.kind == "zone"]
    present = [float(v) for a in zones if (v := values.get(a.slug)) is not None]
    classes = choropleth_classes(present, decimals=decimals)
    fills = {
        a.slug: choropleth_colour(values.get(a.slug), classes, decimals=decimals) for a in zones
    }
    tooltips = {
        a.slug: f"<strong>{_esc(a.name)}</strong><br>{_esc(legend)}: "
        f"{_esc(format_value(values.get(a.slug), decimals))}"
        for a in zones
    }
    features, labels = _area_features(areas, fills=fills, tooltips=tooltips)
    items = [LegendItem(class_label(c, decimals), c.colour, "square") for c in classes]
    if any(values.get(a.slug) is None for a in zones):
        items.append(LegendItem(_("no data"), NO_DATA_COLOUR, "square"))
    legend_html = _legend_html(Legend(title=legend, items=items))
    return features, street_map_config(zones=labels, muted=True), legend_html


def choropleth_map(
    areas: Sequence[AreaLike],
    values: Mapping[str, float | None],
    *,
    title: str,
    legend: str,
    subtitle: str = "",
    decimals: int = 0,
) -> str:
    """Zones coloured by `values[slug]` (None or missing = no data, in grey).
    Returns an HTML document; `choropleth_map_config` is the same map drawn
    in a page."""
    features, streets, legend_html = _choropleth_parts(
        areas, values, legend=legend, decimals=decimals
    )
    m = _new_map(areas, title=title, subtitle=subtitle)
    m.add_child(_AreaLayer(features))
    m.add_child(_StreetMap(streets))
    m.add_child(
        _HtmlControl(legend_html, position="bottomright", css_class="", collapse_below=NARROW_BELOW)
    )
    return _render(m)


def choropleth_map_config(
    areas: Sequence[AreaLike],
    values: Mapping[str, float | None],
    *,
    title: str,
    legend: str,
    subtitle: str = "",
    decimals: int = 0,
) -> dict[str, Any]:
    """`choropleth_map` drawn in the page itself (see `points_map_config`)."""
    features, streets, legend_html = _choropleth_parts(
        areas, values, legend=legend, decimals=decimals
    )
    return _page_config(
        areas,
        title=title,
        subtitle=subtitle,
        features=features,
        streets=streets,
        legend_html=legend_html,
    )


def areas_map(areas: Sequence[AreaLike], *, title: str = "") -> str:
    """Just the outlines over the streets (the staff import page's preview)."""
    m = _new_map(areas, title=title)
    features, labels = _area_features(areas)
    m.add_child(_AreaLayer(features))
    m.add_child(_StreetMap(street_map_config(zones=labels)))
    return _render(m)


def sqrt_radius(value: float, *, max_value: float, min_px: float = 6, max_px: float = 26) -> float:
    """Marker radius proportional to the square root of a value (area ∝ value)."""
    if max_value <= 0 or value <= 0:
        return min_px
    return min_px + (max_px - min_px) * math.sqrt(min(value, max_value) / max_value)
