/* Points of a map loaded from a GeoJSON address and clustered in the browser
   (Leaflet.markercluster), so the map document stays small and the data is
   downloaded once, compressed and cached, like any other answer.

   Generic: it knows no feature of the platform. The page gives the styles by
   property value and the words to show:

   CiicPointLayer.attach(map, {
     url: "/api/…geojson",              // a FeatureCollection of Points
     colour: {property: "category", values: {code: ["Label", "#hex"]}, fallback: "#6B7280"},
     style: {property: "status", values: {code: ["Label", stroke, weight, fillOpacity, dash]}},
     lines: [["cost_ron", "Cost: %s", "money"], ["zone_name", "Zone: %s"]],
     link: {property: "reference", url: "/proposals/{value}/", label: "View"},
     cluster: true, radius: 7
   }) -> Promise (resolved once the points are on the map)

   Text from the data is written with textContent, never as HTML. */
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function money(value, locale) {
    var n = Number(value);
    if (!isFinite(n)) return String(value);
    return n.toLocaleString(locale || undefined, { maximumFractionDigits: 0 }) + " lei";
  }

  function popup(props, config, colourLabel, styleLabel) {
    var box = el("div");
    box.className = "map-popup";
    box.appendChild(el("strong", props.title || ""));
    if (config.link) box.appendChild(el("span", props[config.link.property] || ""));
    box.appendChild(el("span", [colourLabel, styleLabel].filter(Boolean).join(" · ")));
    (config.lines || []).forEach(function (line) {
      var value = props[line[0]];
      if (value === null || value === undefined || value === "") return;
      var shown = line[2] === "money" ? money(value, config.locale) : String(value);
      box.appendChild(el("span", line[1].replace("%s", shown)));
    });
    if (config.link && props[config.link.property]) {
      var a = el("a", config.link.label);
      a.href = config.link.url.replace("{value}", encodeURIComponent(props[config.link.property]));
      a.target = "_top";
      box.appendChild(a);
    }
    return box;
  }

  function attach(map, config) {
    var group = config.cluster && L.markerClusterGroup
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40,
                               spiderfyOnMaxZoom: true, chunkedLoading: true })
      : L.featureGroup();
    group.addTo(map);
    var colours = (config.colour && config.colour.values) || {};
    var styles = (config.style && config.style.values) || {};
    return fetch(config.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var markers = [];
        (data.features || []).forEach(function (f) {
          if (!f.geometry || f.geometry.type !== "Point") return;
          var props = f.properties || {};
          var c = colours[props[config.colour && config.colour.property]] || ["", config.colour && config.colour.fallback || "#6B7280"];
          var s = styles[props[config.style && config.style.property]] || ["", "#ffffff", 1.5, 0.85, ""];
          var marker = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
            radius: config.radius || 7, fillColor: c[1], color: s[1], weight: s[2],
            fillOpacity: s[3], dashArray: s[4] || null
          });
          marker.bindTooltip(el("span", props.title || ""));
          marker.bindPopup(function () { return popup(props, config, c[0], s[0]); }, { maxWidth: 300 });
          markers.push(marker);
        });
        if (group.addLayers) group.addLayers(markers); else markers.forEach(function (m) { group.addLayer(m); });
        window.ciicPointsCount = markers.length;
        window.ciicPointsDrawnAt = performance.now();
        return markers.length;
      });
  }

  window.CiicPointLayer = { attach: attach };
})();
