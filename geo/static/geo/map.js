/* Maps drawn in the page itself: every `<div data-ciic-map="ID">` gets the map
   described by the JSON in `<script type="application/json" id="ID">`, built
   in Python by geo.maps.points_map_config / choropleth_map_config and written
   by `{% geo_map %}`. One document, one Leaflet: no <iframe>.

   Config: bounds, centre, zoom, padding, options (Leaflet's), narrowBelow,
   tiles + tilesAttribution (a tile server replaces the street layer),
   attribution {prefix, short: [html], full: text}, title / note / legend
   (HTML escaped in Python), areas (a FeatureCollection, style and tooltip per
   feature), points (inline rows, see geo.maps._point_row) or remote (the
   configuration of point_layer.js), streets (of streetmap.js).

   A box with `data-ciic-map-lazy` is drawn when it comes near the screen.
   Generic: it knows no feature of the platform. Text from the server reaches
   the page as HTML it escaped (controls, popups) or as DOM text. */
(function () {
  "use strict";
  if (typeof L === "undefined" || !window.CiicStreetMap) return;

  function control(map, html, position, cls, collapseBelow) {
    var ctl = L.control({ position: position });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "map-control" + (cls ? " " + cls : ""));
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      return div;
    };
    ctl.addTo(map);
    if (collapseBelow && map.getSize().x < collapseBelow) {
      var details = ctl.getContainer().querySelector("details");
      if (details) details.open = false;
    }
    return ctl;
  }

  function inlinePoints(map, rows) {
    var group = L.featureGroup();
    rows.forEach(function (r) {
      var m = L.circleMarker([r[0], r[1]], {
        radius: r[2], color: r[3], weight: r[4], fillColor: r[5],
        fillOpacity: r[6], dashArray: r[7] || null
      });
      m.bindTooltip(r[8]);
      m.bindPopup(r[9], { maxWidth: 300 });
      group.addLayer(m);
    });
    return group.addTo(map);
  }

  function mount(el, c) {
    var narrow = c.narrowBelow || 600;
    var map = L.map(el, L.extend({}, c.options || {}));
    if (c.bounds) {
      map.fitBounds(c.bounds, { paddingTopLeft: c.padding[0], paddingBottomRight: c.padding[1], animate: false });
    } else {
      map.setView(c.centre, c.zoom, { animate: false });
    }
    L.control.scale().addTo(map);
    if (c.tiles) {
      L.tileLayer(c.tiles, { maxZoom: 19, attribution: c.tilesAttribution || "" }).addTo(map);
    }
    var credits = map.attributionControl, a = c.attribution || {};
    credits.setPrefix(map.getSize().x < narrow ? false : a.prefix || false);
    (a.short || []).forEach(function (t) { credits.addAttribution(t); });
    credits.getContainer().title = a.full || "";
    if (c.title) control(map, c.title, "topright", "map-title");
    // top left, under the zoom buttons: the bottom corners hold the legend,
    // the scale and the credits, which meet on a phone
    if (c.note) control(map, c.note, "topleft", "map-note", narrow);
    var areas = L.geoJSON(c.areas, {
      style: function (f) { return f.properties.style; },
      onEachFeature: function (f, layer) {
        if (f.properties.tooltip) layer.bindTooltip(f.properties.tooltip, { sticky: true });
      }
    }).addTo(map);
    var points = null;
    if (c.remote && window.CiicPointLayer) points = window.CiicPointLayer.attach(map, c.remote);
    else if (c.points) points = inlinePoints(map, c.points);
    if (c.legend) control(map, c.legend, "bottomright", "", narrow);
    // last: the labels keep clear of every control added above
    var streets = window.CiicStreetMap.attach(map, c.streets || {});
    el.ciicMap = map;
    el.ciicStreets = streets;
    el.ciicAreas = areas;
    el.ciicPoints = points;
    return map;
  }

  function start(el) {
    if (el.ciicMap) return;
    var script = document.getElementById(el.getAttribute("data-ciic-map"));
    if (!script) return;
    var config;
    try { config = JSON.parse(script.textContent); } catch (e) { return; }
    mount(el, config);
  }

  function startAll() {
    var boxes = document.querySelectorAll("[data-ciic-map]");
    var lazy = [];
    var reach = window.innerHeight + 300;
    Array.prototype.forEach.call(boxes, function (el) {
      // a lazy box already near the screen is drawn at once
      if (el.hasAttribute("data-ciic-map-lazy") && "IntersectionObserver" in window &&
          el.getBoundingClientRect().top > reach) lazy.push(el);
      else start(el);
    });
    if (!lazy.length) return;
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { seen.unobserve(e.target); start(e.target); }
      });
    }, { rootMargin: "300px" });
    lazy.forEach(function (el) { seen.observe(el); });
  }

  window.CiicMap = { mount: mount, start: start };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
