/* Location step: find the place (street, landmark, zone, reference or
   coordinates) with the search box, then click the map to set the point. The
   latitude/longitude inputs stay the source of truth (and work without
   JavaScript); the server checks that the point is inside Sector 6 and finds
   its zone. A point outside the sector is refused here too: the map stays on
   the sector, shows the refused point and offers "back to Sector 6". */
(function () {
  "use strict";
  var el = document.getElementById("location-map");
  if (!el || typeof L === "undefined" || !window.ciicProposalMap) return;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var whole = document.getElementById("id_whole_sector");
  var status = document.getElementById("location-status");
  var msg = el.dataset;
  var map = window.ciicProposalMap(el);
  var streets = el.ciicStreets, sector = el.ciicSector;
  var sectorGeometry = null;
  if (sector) {
    var fc = sector.toGeoJSON();
    sectorGeometry = fc.features && fc.features.length ? fc.features[0].geometry : fc.geometry || null;
  }
  var marker = null, refused = null, flash = null;
  var placesUrl = el.dataset.placesUrl;

  function say(text) { if (status) status.textContent = text || ""; }
  function format(t, values) { return window.CiicPlaceSearch ? window.CiicPlaceSearch.format(t, values) : t; }
  function inSector(latlng) {
    var p = L.latLng(latlng);
    return !sectorGeometry || window.CiicStreetMap.containsPoint(sectorGeometry, p.lat, p.lng);
  }
  function backToSector() {
    if (sector) map.fitBounds(sector.getBounds(), { padding: [6, 6] });
  }

  function clearRefused() { if (refused) { map.removeLayer(refused); refused = null; } }
  function showRefused(latlng, quietly) {
    clearRefused();
    refused = L.circleMarker(latlng, { radius: 9, color: "#b3261e", weight: 2.5, dashArray: "3 3", fillColor: "#b3261e", fillOpacity: 0.15 })
      .bindTooltip(msg.refusedTooltip || "")
      .addTo(map);
    backButton.classList.add("is-prominent");
    if (!quietly) say(msg.msgOutside);
  }

  // Describe the point in words (nearest street, zone) through the place search.
  function describe(latlng) {
    if (!placesUrl) return;
    var q = latlng.lat.toFixed(6) + ", " + latlng.lng.toFixed(6);
    fetch(placesUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        var hit = data && data.results && data.results[0];
        if (hit && hit.inside_sector && hit.detail) say(format(msg.msgPlacedAt, { place: hit.detail }));
      })
      .catch(function () { /* the plain message stays */ });
  }

  function place(latlng, zoomTo, still) {
    clearRefused();
    backButton.classList.remove("is-prominent");
    if (marker) { marker.setLatLng(latlng); } else {
      // The icon by its static URL: Leaflet's own guess (from its stylesheet)
      // misses the hashed file names of the production static files.
      var icon = L.icon({ iconUrl: msg.markerIcon, iconRetinaUrl: msg.markerIcon2x, iconSize: [25, 41], iconAnchor: [12, 41], tooltipAnchor: [16, -28] });
      marker = L.marker(latlng, { icon: icon, draggable: true, keyboard: true, title: msg.markerTitle || "", alt: msg.markerTitle || "" }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        if (!inSector(p)) { map.removeLayer(marker); marker = null; lat.value = ""; lon.value = ""; showRefused(p); return; }
        write(p);
        say(msg.msgPlaced);
        describe(p);
      });
    }
    if (zoomTo) map.setView(latlng, Math.max(map.getZoom(), zoomTo), { animate: !still });
  }
  function write(latlng) {
    var p = L.latLng(latlng);
    lat.value = p.lat.toFixed(6);
    lon.value = p.lng.toFixed(6);
    if (whole) whole.checked = false;
  }

  // "Back to Sector 6": always there, prominent after a refusal.
  var backButton = null;
  var Back = L.Control.extend({
    onAdd: function () {
      var b = L.DomUtil.create("button", "map-back-button");
      b.type = "button";
      b.textContent = msg.backLabel || "Sector 6";
      L.DomEvent.disableClickPropagation(b);
      L.DomEvent.on(b, "click", function (e) { L.DomEvent.preventDefault(e); backToSector(); say(""); });
      backButton = b;
      return b;
    }
  });
  new Back({ position: "topright" }).addTo(map);

  // The point already typed or saved. A refused point leaves the map on the sector.
  var a0 = parseFloat(lat.value), b0 = parseFloat(lon.value);
  if (!isNaN(a0) && !isNaN(b0)) {
    // the server's error message says why; the map shows the point, quietly
    if (msg.refused === "1" || !inSector([a0, b0])) showRefused([a0, b0], true);
    else place([a0, b0], 16, true);
  }

  map.on("click", function (e) {
    if (!inSector(e.latlng)) { showRefused(e.latlng); return; }
    place(e.latlng, 0);
    write(e.latlng);
    say(msg.msgPlaced);
    describe(e.latlng);
  });
  // Typed coordinates: the server has the last word when the form is sent;
  // here the map only shows the point (no message: the text would move the
  // form's buttons under the pointer as the field loses focus).
  function fromInputs() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (isNaN(a) || isNaN(b)) return;
    if (!inSector([a, b])) { if (marker) { map.removeLayer(marker); marker = null; } showRefused([a, b], true); return; }
    place([a, b], 16);
  }
  lat.addEventListener("change", fromInputs);
  lon.addEventListener("change", fromInputs);
  if (whole) whole.addEventListener("change", function () {
    if (whole.checked && marker) { map.removeLayer(marker); marker = null; lat.value = ""; lon.value = ""; }
  });

  // The place search moves the map; coordinates typed there place the point.
  var searchRoot = document.querySelector("[data-map-search='" + el.id + "']");
  if (searchRoot && window.CiicPlaceSearch) {
    window.CiicPlaceSearch.attach(searchRoot, {
      onPick: function (hit) {
        if (flash) { map.removeLayer(flash); flash = null; }
        if (streets) streets.clearHighlight();
        var target = L.latLng(hit.lat, hit.lon);
        if (hit.kind === "coordinates") {
          if (!hit.inside_sector) { if (marker) { map.removeLayer(marker); marker = null; } lat.value = ""; lon.value = ""; showRefused(target); return; }
          place(target, 17);
          write(target);
          say(format(msg.msgPlacedAt, { place: hit.detail || hit.name }));
          describe(target);
          return;
        }
        // Fit the place; a long boulevard on a phone would stay too small to
        // click, so below zoom 14 show its middle and let the highlight lead on.
        var bounds = hit.bbox ? L.latLngBounds([hit.bbox[1], hit.bbox[0]], [hit.bbox[3], hit.bbox[2]]) : null;
        if (bounds && map.getBoundsZoom(bounds, false, L.point(48, 48)) >= 14) {
          map.fitBounds(bounds, { maxZoom: 17, padding: [24, 24] });
        } else {
          map.setView(target, bounds ? 14 : 17);
        }
        if (hit.kind === "street" && streets) streets.highlight(hit.name);
        else flash = L.circleMarker(target, { radius: 14, color: "#e8590c", weight: 3, fill: false, interactive: false }).addTo(map);
        say(format(msg.msgMoved, { name: hit.name }));
      }
    });
  }
})();
