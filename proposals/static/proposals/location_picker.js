/* Location picker: click the map to set the point; the latitude/longitude
   inputs stay the source of truth (and work without JavaScript). The server
   checks that the point is inside Sector 6 and finds its zone. */
(function () {
  "use strict";
  var el = document.getElementById("location-map");
  if (!el || typeof L === "undefined" || !window.ciicProposalMap) return;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var whole = document.getElementById("id_whole_sector");
  var map = window.ciicProposalMap(el);
  var marker = null;
  function place(latlng, pan) {
    if (marker) { marker.setLatLng(latlng); } else {
      marker = L.marker(latlng, { draggable: true, keyboard: true, title: el.dataset.markerTitle || "" }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    }
    if (pan) map.panTo(latlng);
  }
  function write(latlng) {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (whole) whole.checked = false;
  }
  if (lat.value && lon.value) place([parseFloat(lat.value), parseFloat(lon.value)], true);
  map.on("click", function (e) { place(e.latlng, false); write(e.latlng); });
  function fromInputs() {
    var a = parseFloat(lat.value), b = parseFloat(lon.value);
    if (!isNaN(a) && !isNaN(b)) place([a, b], true);
  }
  lat.addEventListener("change", fromInputs);
  lon.addEventListener("change", fromInputs);
  if (whole) whole.addEventListener("change", function () {
    if (whole.checked && marker) { map.removeLayer(marker); marker = null; lat.value = ""; lon.value = ""; }
  });
})();
