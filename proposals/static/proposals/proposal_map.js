/* Small maps for proposals: the offline street layer (or the configured tile
   server), the sector and zone outlines, and a point. Built by geo's
   CiicStreetMap.smallMap from the JSON of `{% map_config %}`. Progressive
   enhancement: without JavaScript the page still names the place and zone. */
(function () {
  "use strict";
  function config() {
    var el = document.getElementById("map-config");
    if (!el) return {};
    try { return JSON.parse(el.textContent); } catch (e) { return {}; }
  }
  window.ciicProposalMap = function (el) {
    var built = window.CiicStreetMap.smallMap(el, config());
    el.ciicMap = built.map;
    el.ciicStreets = built.streets;
    el.ciicSector = built.sector;
    return built.map;
  };
  var el = document.getElementById("proposal-map");
  if (!el || typeof L === "undefined" || !window.CiicStreetMap) return;
  var map = window.ciicProposalMap(el);
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  if (!isNaN(lat) && !isNaN(lon)) {
    L.circleMarker([lat, lon], { radius: 8, color: "#b3261e", weight: 2.5, fillColor: "#e0a100", fillOpacity: 0.95 }).addTo(map);
    map.setView([lat, lon], 15, { animate: false });
  }
})();
