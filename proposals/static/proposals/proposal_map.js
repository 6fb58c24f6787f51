/* Small maps for proposals: the sector outline (no tiles needed) and a point.
   Progressive enhancement: without JavaScript the page still shows the zone. */
(function () {
  "use strict";
  function outline() {
    var el = document.getElementById("sector-outline");
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }
  window.ciicProposalMap = function (el, opts) {
    opts = opts || {};
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tiles });
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    var geo = outline();
    var layer = geo ? L.geoJSON(geo, { style: { color: "#0b5cab", weight: 2, fillOpacity: 0.06 } }).addTo(map) : null;
    if (layer) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); } else { map.setView([44.435, 26.03], 12); }
    return map;
  };
  var el = document.getElementById("proposal-map");
  if (!el || typeof L === "undefined") return;
  var map = window.ciicProposalMap(el);
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  if (!isNaN(lat) && !isNaN(lon)) {
    L.circleMarker([lat, lon], { radius: 8, color: "#b3261e", fillColor: "#e0a100", fillOpacity: 0.9 }).addTo(map);
  }
})();
