/* Points of a map loaded from a GeoJSON address, clustered and drawn in the
   browser on one canvas, so the map document stays small and the data is
   downloaded once, compressed and cached, like any other answer.

   Generic: it knows no feature of the platform. The page gives the styles by
   property value and the words to show:

   CiicPointLayer.attach(map, {
     url: "/api/…",                     // a FeatureCollection of Points, or the same
                                        // in columns (geo.geojson.point_columns)
     colour: {property: "category", values: {code: ["Label", "#hex"]}, fallback: "#6B7280"},
     style: {property: "status", values: {code: ["Label", stroke, weight, fillOpacity, dash]}},
     lines: [["cost_ron", "Cost: %s", "money"], ["zone_name", "Zone: %s"]],
     link: {property: "reference", url: "/proposals/{value}/", label: "View"},
     cluster: true, radius: 7
   }) -> Promise (resolved once the points are on the map)

   Why not one Leaflet marker per point (Leaflet.markercluster): with 5,000
   points, creating the markers, their tooltips and popups and clustering them
   at every zoom level took most of a phone's first second. Here a point is a
   few numbers in typed arrays; the clusters of the zoom shown are computed
   when it is first shown (a grid, one pass over the points) and drawn on one
   canvas; a tooltip or a popup is built only for the point under the pointer.
   A cluster opens (the map zooms to it) on click; at the last zoom, or when
   its points share one place, its popup lists them.

   Text from the data is written with textContent, never as HTML. */
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  var CLUSTER_RADIUS = 40; // px: points closer than this at a zoom share a cluster
  var PAD = 0.1; // drawn beyond the view on every side, so a short pan shows points

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
    if (config.link && props[config.link.property]) box.appendChild(link(props, config, config.link.label));
    return box;
  }

  function link(props, config, text) {
    var a = el("a", text);
    a.href = config.link.url.replace("{value}", encodeURIComponent(props[config.link.property]));
    a.target = "_top";
    return a;
  }

  // Web Mercator, as Leaflet's EPSG:3857, in units of the world's width.
  function mercX(lon) { return lon / 360 + 0.5; }
  function mercY(lat) {
    var s = Math.sin(Math.max(-85.0511, Math.min(85.0511, lat)) * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  var PointLayer = L.Layer.extend({
    initialize: function (config) {
      this.config = config;
      this.n = 0;
      this._clusters = {};
      this.drawn = []; // what is on the canvas: [x, y, radius, cluster index]
    },

    setData: function (data) {
      var config = this.config;
      var colours = (config.colour && config.colour.values) || {};
      var styles = (config.style && config.style.values) || {};
      var colourProp = config.colour && config.colour.property;
      var styleProp = config.style && config.style.property;
      var fallback = ["", (config.colour && config.colour.fallback) || "#6B7280"];
      var plain = ["", "#ffffff", 1.5, 0.85, ""];
      var i, n;
      if (data.type === "PointColumns") {
        // columns (geo.geojson.point_columns): no object per point; a point's
        // properties are put together when its tooltip or popup is shown
        var scale = Math.pow(10, -(data.decimals || 0)), lon = data.lon || [], lat = data.lat || [];
        n = Math.min(data.count || 0, lon.length, lat.length);
        this._columns = data.properties || {};
        this.props = null;
        this._alloc(n);
        var colourAt = this._column(colourProp), styleAt = this._column(styleProp);
        for (i = 0; i < n; i++) {
          this.mx[i] = mercX(lon[i] * scale);
          this.my[i] = mercY(lat[i] * scale);
          this.colour[i] = colours[colourAt(i)] || fallback;
          this.style[i] = styles[styleAt(i)] || plain;
        }
      } else {
        var features = (data.features || []).filter(function (f) {
          return f.geometry && f.geometry.type === "Point";
        });
        n = features.length;
        this._columns = null;
        this._alloc(n);
        this.props = new Array(n);
        for (i = 0; i < n; i++) {
          var f = features[i], c = f.geometry.coordinates, p = f.properties || {};
          this.mx[i] = mercX(c[0]);
          this.my[i] = mercY(c[1]);
          this.props[i] = p;
          this.colour[i] = colours[p[colourProp]] || fallback;
          this.style[i] = styles[p[styleProp]] || plain;
        }
      }
      this._clusters = {};
      if (this._map) this.redraw();
    },

    _alloc: function (n) {
      this.n = n;
      this.mx = new Float64Array(n);
      this.my = new Float64Array(n);
      this.colour = new Array(n);
      this.style = new Array(n);
    },

    // The value of one column for point i: a list, or {values, codes}.
    _column: function (name) {
      var col = this._columns && name ? this._columns[name] : null;
      if (!col) return function () { return undefined; };
      if (Array.isArray(col)) return function (i) { return col[i]; };
      var values = col.values || [], codes = col.codes || [];
      return function (i) { return values[codes[i]]; };
    },

    // The properties of point i, as a GeoJSON feature's.
    prop: function (i) {
      if (this.props) return this.props[i] || {};
      var out = {}, columns = this._columns || {};
      for (var name in columns) {
        if (Object.prototype.hasOwnProperty.call(columns, name)) out[name] = this._column(name)(i);
      }
      return out;
    },

    onAdd: function (map) {
      this._map = map;
      if (!map.getPane("ciicPoints")) {
        var pane = map.createPane("ciicPoints");
        pane.style.zIndex = 500; // above the labels (450), under the popups
        pane.style.pointerEvents = "none";
      }
      this._canvas = L.DomUtil.create("canvas", "ciic-map-points leaflet-zoom-animated", map.getPane("ciicPoints"));
      this._canvas.setAttribute("aria-hidden", "true");
      this._tooltip = L.tooltip({ direction: "top", offset: [0, -6] });
      map.on(this._events(), this);
      this.redraw();
    },

    onRemove: function (map) {
      map.off(this._events(), this);
      map.closeTooltip(this._tooltip);
      L.DomUtil.remove(this._canvas);
      this._map = null;
    },

    _events: function () {
      return {
        moveend: this.redraw, resize: this.redraw, viewreset: this.redraw,
        zoomanim: this._animateZoom, mousemove: this._hover, click: this._click,
        mouseout: this._leave
      };
    },

    // The clusters of one zoom: [sumX, sumY, count, first member, members…] in
    // world pixels at that zoom; computed once per zoom shown.
    _clustersAt: function (zoom) {
      var key = String(zoom);
      if (this._clusters[key]) return this._clusters[key];
      var scale = 256 * Math.pow(2, zoom), r = this.config.cluster === false ? 0 : CLUSTER_RADIUS;
      // cells keyed by a number (a string per lookup cost more than the rest)
      var clusters = [], grid = new Map(), cell = Math.max(r, 1), mx = this.mx, my = this.my, K = 4194304;
      for (var i = 0; i < this.n; i++) {
        var x = mx[i] * scale, y = my[i] * scale, found = null;
        if (r > 0) {
          var gx = Math.floor(x / cell), gy = Math.floor(y / cell);
          for (var dx = -1; dx <= 1 && !found; dx++) {
            for (var dy = -1; dy <= 1 && !found; dy++) {
              var list = grid.get((gx + dx) * K + gy + dy);
              if (!list) continue;
              for (var k = 0; k < list.length; k++) {
                var c = list[k];
                var cx = c.x / c.members.length, cy = c.y / c.members.length;
                if ((cx - x) * (cx - x) + (cy - y) * (cy - y) <= r * r) { found = c; break; }
              }
            }
          }
        }
        if (found) {
          found.x += x; found.y += y; found.members.push(i);
        } else {
          var made = { x: x, y: y, members: [i] };
          clusters.push(made);
          if (r > 0) {
            var key2 = Math.floor(x / cell) * K + Math.floor(y / cell), at = grid.get(key2);
            if (at) at.push(made); else grid.set(key2, [made]);
          }
        }
      }
      this._clusters[key] = clusters;
      return clusters;
    },

    redraw: function () {
      var map = this._map;
      // nothing to show before the data is in: no empty canvas to allocate and paint
      if (!map || (!this.n && !this._painted)) return;
      this._painted = true;
      var size = map.getSize(), ratio = window.devicePixelRatio || 1, canvas = this._canvas;
      var pad = size.multiplyBy(PAD).round(), full = size.add(pad.multiplyBy(2));
      var w = Math.round(full.x * ratio), h = Math.round(full.y * ratio);
      if (canvas.width !== w || canvas.height !== h) { // a new backing store only when the size changes
        canvas.width = w;
        canvas.height = h;
        canvas.style.width = full.x + "px";
        canvas.style.height = full.y + "px";
      }
      var topLeft = map.containerPointToLayerPoint([-pad.x, -pad.y]);
      L.DomUtil.setPosition(canvas, topLeft);
      this._bounds = L.latLngBounds(
        map.containerPointToLatLng([-pad.x, full.y - pad.y]),
        map.containerPointToLatLng([full.x - pad.x, -pad.y])
      );
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, full.x, full.y);
      this.drawn = [];
      if (!this.n) return;
      var zoom = map.getZoom();
      var origin = map.getPixelOrigin().add(topLeft); // world pixel of the canvas' corner
      var clusters = this._clustersAt(zoom), radius = this.config.radius || 7;
      var singles = [], groups = [];
      for (var i = 0; i < clusters.length; i++) {
        var c = clusters[i], m = c.members.length;
        var x = c.x / m - origin.x, y = c.y / m - origin.y;
        if (x < -30 || y < -30 || x > full.x + 30 || y > full.y + 30) continue;
        if (m === 1) singles.push([x, y, radius, i]); else groups.push([x, y, m < 10 ? 15 : m < 100 ? 18 : 21, i]);
      }
      var self = this;
      singles.forEach(function (d) { self._paintPoint(ctx, d, clusters[d[3]].members[0]); });
      groups.forEach(function (d) { self._paintCluster(ctx, d, clusters[d[3]].members.length); });
      // in container pixels, for the pointer
      this.drawn = singles.concat(groups).map(function (d) { return [d[0] - pad.x, d[1] - pad.y, d[2], d[3]]; });
      this._zoom = zoom;
    },

    _paintPoint: function (ctx, d, i) {
      var s = this.style[i];
      ctx.beginPath();
      ctx.arc(d[0], d[1], d[2], 0, 2 * Math.PI);
      ctx.globalAlpha = s[3];
      ctx.fillStyle = this.colour[i][1];
      ctx.fill();
      ctx.globalAlpha = 1;
      if (s[2] > 0) {
        ctx.setLineDash(s[4] ? String(s[4]).split(/[ ,]+/).map(Number) : []);
        ctx.lineWidth = s[2];
        ctx.strokeStyle = s[1];
        ctx.stroke();
        ctx.setLineDash([]);
      }
    },

    _paintCluster: function (ctx, d, count) {
      // the colours of Leaflet.markercluster's default clusters
      var outer = count < 10 ? "rgba(181, 226, 140, 0.6)" : count < 100 ? "rgba(241, 211, 87, 0.6)" : "rgba(253, 156, 115, 0.6)";
      var inner = count < 10 ? "rgba(110, 204, 57, 0.75)" : count < 100 ? "rgba(240, 194, 12, 0.75)" : "rgba(241, 128, 23, 0.75)";
      ctx.beginPath();
      ctx.arc(d[0], d[1], d[2], 0, 2 * Math.PI);
      ctx.fillStyle = outer;
      ctx.fill();
      ctx.beginPath();
      ctx.arc(d[0], d[1], d[2] - 5, 0, 2 * Math.PI);
      ctx.fillStyle = inner;
      ctx.fill();
      ctx.fillStyle = "#1d2430";
      // the street map's family, written the same way: the same font as its labels
      ctx.font = '700 12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif';
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(String(count), d[0], d[1] + 0.5);
    },

    _animateZoom: function (e) {
      if (!this._bounds) return;
      var map = this._map, scale = map.getZoomScale(e.zoom);
      var offset = map._latLngBoundsToNewLayerBounds(this._bounds, e.zoom, e.center).min;
      L.DomUtil.setTransform(this._canvas, offset, scale);
    },

    // The item drawn under a container point: the topmost (clusters are drawn last).
    _hit: function (point) {
      for (var i = this.drawn.length - 1; i >= 0; i--) {
        var d = this.drawn[i], dx = d[0] - point.x, dy = d[1] - point.y, r = d[2] + 3;
        if (dx * dx + dy * dy <= r * r) return d;
      }
      return null;
    },

    _hover: function (e) {
      var d = this._hit(e.containerPoint), map = this._map;
      map.getContainer().style.cursor = d ? "pointer" : "";
      if (d && this._clustersAt(this._zoom)[d[3]].members.length === 1) {
        var i = this._clustersAt(this._zoom)[d[3]].members[0];
        if (this._tooltipFor !== i) {
          this._tooltipFor = i;
          this._tooltip.setContent(el("span", this.prop(i).title || ""));
          this._tooltip.setLatLng(map.containerPointToLatLng([d[0], d[1]]));
          map.openTooltip(this._tooltip);
        }
      } else {
        this._leave();
      }
    },

    _leave: function () {
      if (this._tooltipFor !== undefined) {
        this._map.closeTooltip(this._tooltip);
        this._tooltipFor = undefined;
      }
    },

    _click: function (e) {
      var d = this._hit(e.containerPoint), map = this._map;
      if (!d) return;
      var members = this._clustersAt(this._zoom)[d[3]].members, config = this.config, self = this;
      var at = map.containerPointToLatLng([d[0], d[1]]);
      if (members.length === 1) {
        var i = members[0];
        L.popup({ maxWidth: 300, offset: [0, -4] })
          .setLatLng(at)
          .setContent(popup(this.prop(i), config, this.colour[i][0], this.style[i][0]))
          .openOn(map);
        return;
      }
      var bounds = L.latLngBounds(members.map(function (k) {
        return map.unproject([self.mx[k] * 256, self.my[k] * 256], 0);
      }));
      var target = map.getBoundsZoom(bounds, false, L.point(40, 40));
      if (map.getZoom() < map.getMaxZoom() && target > map.getZoom()) {
        map.fitBounds(bounds, { padding: [40, 40] });
        return;
      }
      // the last zoom, or points at one place: a list of them
      var box = el("div");
      box.className = "map-popup";
      var list = el("ul");
      list.className = "map-popup-list";
      members.slice(0, 50).forEach(function (k) {
        var item = el("li");
        var props = self.prop(k);
        if (config.link && props[config.link.property]) item.appendChild(link(props, config, props.title || ""));
        else item.textContent = props.title || "";
        list.appendChild(item);
      });
      box.appendChild(list);
      L.popup({ maxWidth: 300 }).setLatLng(at).setContent(box).openOn(map);
    }
  });

  function attach(map, config) {
    var layer = new PointLayer(config).addTo(map);
    window.ciicPointLayer = layer;
    return fetch(config.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        layer.setData(data);
        return new Promise(function (resolve) {
          requestAnimationFrame(function () {
            requestAnimationFrame(function () {
              window.ciicPointsCount = layer.n;
              window.ciicPointsDrawnAt = performance.now();
              resolve(layer.n);
            });
          });
        });
      });
  }

  window.CiicPointLayer = { attach: attach };
})();
