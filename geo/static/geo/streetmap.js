/* Offline street map for Leaflet: the Sector 6 street layer built from
   OpenStreetMap (geo/static/geo/osm/*.geojson, © OpenStreetMap contributors,
   ODbL), drawn on a canvas by road class, with names written along the named
   roads, metro stations and parks as landmarks, and zone names, all placed
   by one collision test so that no two labels overlap.

   Generic: it knows no feature of the platform. Pages give it a Leaflet map
   and a plain configuration (see `attach` and `smallMap`). Served from our
   own static files; it loads nothing from another host.

   CiicStreetMap.attach(map, {
     streets: url, places: url,          // omit both when a tile server draws the streets
     zones: [[lat, lon, name, weight]],  // zone names (bigger weight = placed first)
     obstacles: [[lat, lon, radiusPx]],  // markers that labels keep clear of
     attribution: [html],                // added to the map's attribution control
     muted: false                        // lighter streets (under a choropleth)
   }) -> {ready: Promise, highlight(name), clearHighlight(), redraw()}

   CiicStreetMap.smallMap(element, config) -> {map, streets, sector}
   builds a whole small map (proposal page, location step) from the JSON that
   the `{% map_config %}` template tag writes. */
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  // the site's family, and (below) its two weights, 400 and 700: each size and weight in use is
  // one more font the browser looks up and loads before the first labels are drawn
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif';
  // Per road class: colours when cased (zoom >= CASED_FROM) and when drawn as a
  // single thin line, width at zoom 15, the zoom from which names are written.
  var CLASSES = {
    motorway: { fill: "#f4b76a", line: "#e0a04f", casing: "#b97a2e", width: 7, label: 12.5, size: 12 },
    primary: { fill: "#fbd98b", line: "#e9bc5c", casing: "#c49a4a", width: 7, label: 12.5, size: 12 },
    secondary: { fill: "#fff3c4", line: "#e6d089", casing: "#c3b281", width: 6, label: 13.5, size: 12 },
    tertiary: { fill: "#ffffff", line: "#c6ccd5", casing: "#b3bbc6", width: 5, label: 14.5, size: 11 },
    minor: { fill: "#ffffff", line: "#d6dbe2", casing: "#c9cfd8", width: 3.6, label: 15.5, size: 11 }
  };
  var ORDER = ["minor", "tertiary", "secondary", "primary", "motorway"];
  var CASED_FROM = 14;
  var MINOR_FROM = 12.5;

  function widthAt(cls, zoom) {
    var f = Math.pow(2, (zoom - 15) / 1.5);
    return Math.max(0.6, CLASSES[cls].width * Math.min(f, 3));
  }

  // --- a grid of boxes for the collision test ---------------------------------
  function Grid(width, height) {
    this.cell = 32;
    this.cols = Math.max(1, Math.ceil(width / this.cell));
    this.rows = Math.max(1, Math.ceil(height / this.cell));
    this.cells = new Array(this.cols * this.rows);
  }
  Grid.prototype._range = function (b, fn) {
    var c0 = Math.max(0, Math.floor(b[0] / this.cell)), c1 = Math.min(this.cols - 1, Math.floor(b[2] / this.cell));
    var r0 = Math.max(0, Math.floor(b[1] / this.cell)), r1 = Math.min(this.rows - 1, Math.floor(b[3] / this.cell));
    for (var r = r0; r <= r1; r++) for (var c = c0; c <= c1; c++) if (fn(r * this.cols + c)) return true;
    return false;
  };
  Grid.prototype.hits = function (b) {
    var cells = this.cells;
    return this._range(b, function (i) {
      var list = cells[i];
      if (!list) return false;
      for (var k = 0; k < list.length; k++) {
        var o = list[k];
        if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) return true;
      }
      return false;
    });
  };
  Grid.prototype.add = function (b) {
    var cells = this.cells;
    this._range(b, function (i) { (cells[i] = cells[i] || []).push(b); return false; });
  };

  // --- geometry helpers ------------------------------------------------------------
  function Path(pts) {
    this.pts = pts;
    var cum = [0];
    for (var i = 1; i < pts.length; i++) {
      cum.push(cum[i - 1] + Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y));
    }
    this.cum = cum;
    this.length = cum[cum.length - 1];
  }
  Path.prototype.segment = function (d) {
    var cum = this.cum, lo = 0, hi = cum.length - 1;
    while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (cum[mid] <= d) lo = mid; else hi = mid; }
    return lo;
  };
  Path.prototype.at = function (d) {
    var i = this.segment(d), a = this.pts[i], b = this.pts[i + 1];
    var len = this.cum[i + 1] - this.cum[i] || 1, t = (d - this.cum[i]) / len;
    return { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, angle: Math.atan2(b.y - a.y, b.x - a.x) };
  };
  // Total and largest turn between distances s0 and s1 (radians).
  Path.prototype.turns = function (s0, s1) {
    var i0 = this.segment(s0), i1 = this.segment(s1), total = 0, most = 0;
    for (var i = i0 + 1; i <= i1; i++) {
      var a = this.pts[i - 1], b = this.pts[i], c = this.pts[i + 1];
      if (!c) break;
      var t = Math.atan2(c.y - b.y, c.x - b.x) - Math.atan2(b.y - a.y, b.x - a.x);
      while (t > Math.PI) t -= 2 * Math.PI;
      while (t < -Math.PI) t += 2 * Math.PI;
      total += Math.abs(t);
      most = Math.max(most, Math.abs(t));
    }
    return [total, most];
  };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status + " for " + url);
      return r.json();
    });
  }

  // --- the label layer ---------------------------------------------------------------
  var LabelLayer = L.Layer.extend({
    initialize: function (owner) { this._owner = owner; this._widths = {}; },

    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "ciic-map-labels", map.getPane("ciicLabels"));
      this._canvas.setAttribute("aria-hidden", "true");
      map.on("moveend resize viewreset", this.redraw, this);
      map.on("zoomstart", this._hide, this);
      // a legend or a note folded or unfolded frees or takes room
      this._onToggle = L.bind(this._request, this);
      map.getContainer().addEventListener("toggle", this._onToggle, true);
      // at the next frame: the page's script is still adding controls, whose
      // size the first draw reads (one layout, not one per control); while the
      // street layer loads, not at all: the draw once it is in is the first
      // (every draw of the label canvas is rasterised again on the next frame)
      this._request();
    },

    _request: function () {
      if (this._pending || this._owner.loading) return;
      this._pending = L.Util.requestAnimFrame(function () {
        this._pending = null;
        this.redraw();
      }, this);
    },

    onRemove: function (map) {
      map.off("moveend resize viewreset", this.redraw, this);
      map.off("zoomstart", this._hide, this);
      map.getContainer().removeEventListener("toggle", this._onToggle, true);
      L.DomUtil.remove(this._canvas);
    },

    _hide: function () { this._canvas.style.visibility = "hidden"; },

    _width: function (ctx, font, text) {
      var key = font + "|" + text;
      if (!(key in this._widths)) this._widths[key] = ctx.measureText(text).width;
      return this._widths[key];
    },

    redraw: function () {
      var map = this._map;
      if (!map) return;
      if (this._pending) { L.Util.cancelAnimFrame(this._pending); this._pending = null; }
      var size = map.getSize(), ratio = window.devicePixelRatio || 1, canvas = this._canvas;
      var w = Math.round(size.x * ratio), h = Math.round(size.y * ratio);
      // a new backing store only when the size changes
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
        canvas.style.width = size.x + "px";
        canvas.style.height = size.y + "px";
      }
      L.DomUtil.setPosition(canvas, map.containerPointToLayerPoint([0, 0]));
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      var draw = { halo: [], text: [], icons: [], placed: [] };
      this._place(ctx, size, map.getZoom(), draw);
      // What was written where (for tests): [label number, x0, y0, x1, y1, text]
      canvas.placedLabels = draw.placed;
      this._paint(ctx, draw);
      canvas.style.visibility = "visible";
    },

    _place: function (ctx, size, zoom, draw) {
      var owner = this._owner, map = this._map, grid = new Grid(size.x, size.y), self = this;
      var view = L.bounds([-40, -40], [size.x + 40, size.y + 40]);
      function pt(latlng) { return map.latLngToContainerPoint(latlng); }
      function inside(b) { return b[0] >= 2 && b[1] >= 2 && b[2] <= size.x - 2 && b[3] <= size.y - 2; }

      // The map's own controls (zoom, legend, notes, credits) hide what is under them.
      var container = map.getContainer(), origin = container.getBoundingClientRect();
      container.querySelectorAll(".leaflet-control").forEach(function (c) {
        var r = c.getBoundingClientRect();
        if (r.width && r.height) {
          grid.add([r.left - origin.left - 2, r.top - origin.top - 2, r.right - origin.left + 2, r.bottom - origin.top + 2]);
        }
      });
      // Markers the page asked us to keep clear of, and landmark icons: obstacles first.
      (owner.options.obstacles || []).forEach(function (o) {
        var p = pt([o[0], o[1]]), r = (o[2] || 7) + 1;
        if (view.contains(p)) grid.add([p.x - r, p.y - r, p.x + r, p.y + r]);
      });
      var places = owner.places || [];
      var metroSize = zoom >= 15 ? 16 : zoom >= 13 ? 14 : 11;
      places.forEach(function (f) {
        f._p = pt(f.latlng);
        f._box = null;
        if (!view.contains(f._p)) return;
        if (f.kind === "metro_station" && zoom >= 12.5) {
          var h = metroSize / 2, box = [f._p.x - h, f._p.y - h, f._p.x + h, f._p.y + h];
          if (grid.hits(box)) return; // a marker of the page is there: it matters more
          f._box = box;
          draw.icons.push({ kind: "metro", x: f._p.x, y: f._p.y, size: metroSize });
          grid.add(box);
        }
      });

      // Point labels: text beside an anchor, first free position wins.
      function pointLabel(text, p, opts) {
        var font = opts.font, lines = opts.lines || [text];
        ctx.font = font;
        var w = 0;
        lines.forEach(function (line) { w = Math.max(w, self._width(ctx, font, line)); });
        var lh = opts.size * 1.2, h = lh * lines.length, gap = opts.gap || 0;
        // A zone name moves at most half its height: further, it would name
        // the neighbouring zone. It is left out when it does not fit.
        var candidates = opts.centred
          ? [[0, 0], [0, -h / 2], [0, h / 2]]
          : [[gap + w / 2, 0], [-gap - w / 2, 0], [0, -gap - h / 2], [0, gap + h / 2]];
        for (var i = 0; i < candidates.length; i++) {
          var cx = p.x + candidates[i][0], cy = p.y + candidates[i][1];
          var b = [cx - w / 2 - 2, cy - h / 2 - 1, cx + w / 2 + 2, cy + h / 2 + 1];
          if (!inside(b) || grid.hits(b)) continue;
          grid.add(b);
          draw.placed.push([draw.placed.length ? draw.placed[draw.placed.length - 1][0] + 1 : 0].concat(b, [text]));
          lines.forEach(function (line, k) {
            var item = { font: font, text: line, x: cx, y: cy - h / 2 + lh * (k + 0.5), colour: opts.colour, halo: opts.halo || "#ffffff", align: "center" };
            draw.halo.push(item);
            draw.text.push(item);
          });
          return true;
        }
        return false;
      }

      // 1. zone names, biggest zones first
      // 12 px below zoom 14: the font of the road names and of the points' counts (one font less to load)
      var zoneSize = zoom >= 14 ? 13 : 12;
      var zoneFont = "700 " + zoneSize + "px " + FONT;
      var zoneWrap = zoom >= 12.5 ? 110 : 70;
      ctx.font = zoneFont;
      (owner.zones || []).forEach(function (z) {
        var p = pt([z[0], z[1]]);
        if (!view.contains(p)) return;
        var name = String(z[2]), lines = [name];
        if (self._width(ctx, zoneFont, name) > zoneWrap) lines = splitInTwo(name);
        pointLabel(name, p, { font: zoneFont, size: zoneSize, lines: lines, colour: "#28303c", centred: true });
      });

      // 2. metro station names
      var metroFont = "700 " + (zoom >= 15 ? 12 : 11) + "px " + FONT;
      if (zoom >= 12.75) {
        places.forEach(function (f) {
          if (f.kind === "metro_station" && f._box) {
            pointLabel(f.name, f._p, { font: metroFont, size: 11, colour: "#1b3466", gap: metroSize / 2 + 3 });
          }
        });
      }

      // 3. road names, most important first
      var roads = owner.namedRoads || [];
      var placedByName = {};
      roads.forEach(function (road) {
        var style = CLASSES[road.cls] || CLASSES.minor;
        if (zoom < style.label) return;
        var fontSize = zoom >= 16 ? style.size + 1 : style.size;
        var font = (road.cls === "minor" || road.cls === "tertiary" ? "400 " : "700 ") + fontSize + "px " + FONT;
        ctx.font = font;
        var glyphs = [], total = 0;
        for (var i = 0; i < road.name.length; i++) {
          var ch = road.name[i], w = self._width(ctx, font, ch);
          glyphs.push({ ch: ch, w: w });
          total += w;
        }
        var spacing = Math.max(260, total * 2.5);
        var done = placedByName[road.name] || (placedByName[road.name] = []);
        if (!road.parts) road.parts = roadParts(road.lines);
        road.parts.forEach(function (part) {
          if (!part.bounds.intersects(map.getBounds())) return;
          visibleRuns(part.latlngs.map(pt), size).forEach(function (run) {
          var path = new Path(run);
          if (path.length < total + 16) return;
          var mid = path.length / 2, centres = [mid];
          for (var k = 1; mid + k * spacing + total / 2 < path.length; k++) centres.push(mid + k * spacing, mid - k * spacing);
          centres.forEach(function (c) {
            var s0 = c - total / 2, s1 = c + total / 2;
            if (s0 < 0 || s1 > path.length) return;
            var centre = path.at(c);
            for (var j = 0; j < done.length; j++) {
              if (Math.hypot(done[j].x - centre.x, done[j].y - centre.y) < spacing * 0.8) return;
            }
            var turn = path.turns(s0, s1);
            if (turn[0] > 0.75 || turn[1] > 0.45) return;
            var a = path.at(s0), b = path.at(s1), reverse = b.x < a.x;
            var items = [], boxes = [], x = 0, r = fontSize * 0.62;
            for (var g = 0; g < glyphs.length; g++) {
              var d = reverse ? s1 - x - glyphs[g].w / 2 : s0 + x + glyphs[g].w / 2;
              var p = path.at(d);
              var box = [p.x - r, p.y - r, p.x + r, p.y + r];
              if (!inside(box) || grid.hits(box)) return;
              boxes.push(box);
              items.push({ font: font, text: glyphs[g].ch, x: p.x, y: p.y, angle: p.angle + (reverse ? Math.PI : 0), colour: "#333b47", halo: "#ffffff", align: "center" });
              x += glyphs[g].w;
            }
            var id = draw.placed.length ? draw.placed[draw.placed.length - 1][0] + 1 : 0;
            boxes.forEach(function (bx) {
              grid.add(bx);
              draw.placed.push([id].concat(bx, [road.name]));
            });
            done.push(centre);
            Array.prototype.push.apply(draw.halo, items);
            Array.prototype.push.apply(draw.text, items);
          });
          });
        });
      });

      // 4. parks: a tree and its name, together or not at all
      if (zoom >= 14) {
        var parkFont = "italic 400 11px " + FONT;
        places.forEach(function (f) {
          if (f.kind !== "park" || !view.contains(f._p)) return;
          var box = [f._p.x - 6, f._p.y - 7, f._p.x + 6, f._p.y + 6];
          if (!inside(box) || grid.hits(box)) return;
          grid.add(box);
          if (pointLabel(f.name, f._p, { font: parkFont, size: 11, colour: "#2d6a30", gap: 8 })) {
            draw.icons.push({ kind: "park", x: f._p.x, y: f._p.y });
          }
        });
      }
    },

    _paint: function (ctx, draw) {
      ctx.textBaseline = "middle";
      ctx.textAlign = "center";
      draw.icons.forEach(function (icon) {
        if (icon.kind === "metro") {
          var s = icon.size, h = s / 2;
          ctx.fillStyle = "#1f3f8a";
          ctx.strokeStyle = "#ffffff";
          ctx.lineWidth = 1.5;
          roundRect(ctx, icon.x - h, icon.y - h, s, s, 3);
          ctx.fill();
          ctx.stroke();
          ctx.fillStyle = "#ffffff";
          ctx.font = "700 " + Math.round(s * 0.72) + "px " + FONT;
          ctx.fillText("M", icon.x, icon.y + 0.5);
        } else {
          // a small conifer: a triangle, unlike the round markers of proposals
          ctx.beginPath();
          ctx.moveTo(icon.x, icon.y - 7);
          ctx.lineTo(icon.x + 5.5, icon.y + 4);
          ctx.lineTo(icon.x - 5.5, icon.y + 4);
          ctx.closePath();
          ctx.fillStyle = "#3f9142";
          ctx.strokeStyle = "#ffffff";
          ctx.lineWidth = 1.5;
          ctx.fill();
          ctx.stroke();
        }
      });
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      draw.halo.forEach(function (t) { paintText(ctx, t, true); });
      draw.text.forEach(function (t) { paintText(ctx, t, false); });
    }
  });

  function paintText(ctx, t, halo) {
    ctx.font = t.font;
    if (t.angle) {
      ctx.save();
      ctx.translate(t.x, t.y);
      ctx.rotate(t.angle);
      if (halo) { ctx.strokeStyle = t.halo; ctx.strokeText(t.text, 0, 0); } else { ctx.fillStyle = t.colour; ctx.fillText(t.text, 0, 0); }
      ctx.restore();
    } else if (halo) {
      ctx.strokeStyle = t.halo;
      ctx.strokeText(t.text, t.x, t.y);
    } else {
      ctx.fillStyle = t.colour;
      ctx.fillText(t.text, t.x, t.y);
    }
  }

  function roundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y);
    ctx.arcTo(x + w, y, x + w, y + h, r);
    ctx.arcTo(x + w, y + h, x, y + h, r);
    ctx.arcTo(x, y + h, x, y, r);
    ctx.arcTo(x, y, x + w, y, r);
    ctx.closePath();
  }

  // The stretches of a projected line that lie on screen (with a margin),
  // so that long roads get their names where the reader looks.
  function visibleRuns(points, size) {
    var m = 60, runs = [], run = [];
    for (var i = 0; i + 1 < points.length; i++) {
      var a = points[i], b = points[i + 1];
      var on = Math.max(a.x, b.x) >= -m && Math.min(a.x, b.x) <= size.x + m &&
        Math.max(a.y, b.y) >= -m && Math.min(a.y, b.y) <= size.y + m;
      if (on) {
        if (!run.length) run.push(a);
        run.push(b);
      } else if (run.length) {
        runs.push(run);
        run = [];
      }
    }
    if (run.length > 1) runs.push(run);
    return runs;
  }

  function roadParts(lines) {
    var parts = lines.map(function (line) {
      var latlngs = line.map(function (c) { return L.latLng(c[1], c[0]); });
      return { latlngs: latlngs, bounds: L.latLngBounds(latlngs) };
    });
    parts.sort(function (a, b) { return b.latlngs.length - a.latlngs.length; });
    return parts;
  }

  function splitInTwo(text) {
    var best = null, mid = text.length / 2;
    for (var i = 1; i < text.length - 1; i++) {
      if (text[i] === " " || text[i] === "-" || text[i] === "–") {
        if (best === null || Math.abs(i - mid) < Math.abs(best - mid)) best = i;
      }
    }
    if (best === null) return [text];
    var keep = text[best] === " " ? 0 : 1;
    return [text.slice(0, best + keep).trim(), text.slice(best + 1).trim()];
  }

  // --- the street layer ------------------------------------------------------------------
  function ensurePanes(map) {
    if (!map.getPane("ciicStreets")) {
      var streets = map.createPane("ciicStreets");
      streets.style.zIndex = 250;
      streets.style.pointerEvents = "none";
    }
    if (!map.getPane("ciicLabels")) {
      var labels = map.createPane("ciicLabels");
      labels.style.zIndex = 450;
      labels.style.pointerEvents = "none";
    }
  }

  function Controller(map, options) {
    this.map = map;
    this.options = options;
    this.zones = (options.zones || []).slice().sort(function (a, b) { return (b[3] || 0) - (a[3] || 0); });
    this.places = [];
    this.namedRoads = [];
    this.features = [];
    ensurePanes(map);
    // no label is drawn before the street layer and the landmarks are in
    this.loading = !!(options.streets || options.places);
    this.labels = new LabelLayer(this);
    this.labels.addTo(map);
    var self = this;
    (options.attribution || []).forEach(function (html) {
      if (!map.attributionControl) L.control.attribution({ prefix: false }).addTo(map);
      map.attributionControl.addAttribution(html);
    });
    // Timings for bench/geo_streets.py: our own work, in milliseconds.
    var work = { build: 0, labels: 0 };
    function timed(key, fn) {
      return function (arg) {
        var t0 = performance.now();
        fn(arg);
        work[key] += performance.now() - t0;
      };
    }
    var loads = [];
    if (options.streets) loads.push(fetchJson(options.streets).then(timed("build", function (d) { self._streets(d); })));
    if (options.places) loads.push(fetchJson(options.places).then(timed("build", function (d) { self._places(d); })));
    this.ready = Promise.all(loads).then(function () {
      self.loading = false;
      timed("labels", function () { self.labels.redraw(); })();
      return new Promise(function (resolve) {
        requestAnimationFrame(function () {
          requestAnimationFrame(function () {
            if (options.streets && !window.ciicStreetsDrawnAt) {
              window.ciicStreetsDrawnAt = performance.now();
              window.ciicStreetsWork = work;
            }
            map.fire("ciic:streets-drawn");
            resolve(self);
          });
        });
      });
    });
    this.ready.catch(function (err) {
      self.loading = false;
      self.labels._request();
      if (window.console) console.warn("street layer:", err);
    });
  }

  // Web Mercator, as Leaflet's EPSG:3857, in units of the world's width.
  function mercX(lon) { return lon / 360 + 0.5; }
  function mercY(lat) {
    var s = Math.sin(lat * Math.PI / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
  }

  // Every street as one path on the street canvas: per class, one stroke for
  // all its lines (cased from CASED_FROM: all casings first, then the fills).
  // Leaflet's own polylines cost an object, its LatLngs, bounds and events per
  // feature and a stroke per line; here the lines are typed arrays projected
  // at each zoom, with the vertices closer than a pixel dropped.
  var StreetsPath = L.Path.extend({
    options: { interactive: false, weight: 24 },

    initialize: function (features, options) {
      L.setOptions(this, options);
      var lines = {};
      ORDER.forEach(function (cls) { lines[cls] = []; });
      features.forEach(function (f) {
        var cls = CLASSES[f.properties["class"]] ? f.properties["class"] : "minor";
        f.geometry.coordinates.forEach(function (line) {
          var xy = new Float64Array(line.length * 2);
          for (var i = 0; i < line.length; i++) {
            xy[2 * i] = mercX(line[i][0]);
            xy[2 * i + 1] = mercY(line[i][1]);
          }
          lines[cls].push(xy);
        });
      });
      this._lines = lines;
    },

    _project: function () {
      var map = this._map, zoom = map.getZoom(), scale = 256 * Math.pow(2, zoom);
      var origin = map.getPixelOrigin(), projected = {};
      var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      ORDER.forEach(function (cls) {
        var out = (projected[cls] = []);
        if (cls === "minor" && zoom < MINOR_FROM) return;
        this._lines[cls].forEach(function (xy) {
          var n = xy.length / 2, pts = new Float32Array(xy.length), k = 0, lx = 0, ly = 0;
          for (var i = 0; i < n; i++) {
            var x = xy[2 * i] * scale - origin.x, y = xy[2 * i + 1] * scale - origin.y;
            if (k && i < n - 1 && Math.abs(x - lx) < 0.8 && Math.abs(y - ly) < 0.8) continue;
            pts[k++] = lx = x;
            pts[k++] = ly = y;
            if (x < minX) minX = x;
            if (x > maxX) maxX = x;
            if (y < minY) minY = y;
            if (y > maxY) maxY = y;
          }
          out.push(pts.subarray(0, k));
        });
      }, this);
      this._projected = projected;
      this._pxBounds = minX <= maxX ? L.bounds([minX, minY], [maxX, maxY]) : L.bounds([0, 0], [0, 0]);
    },

    _update: function () {},

    _containsPoint: function () { return false; },

    _stroke: function (ctx, cls, colour, width, opacity) {
      var lines = this._projected[cls];
      if (!lines.length) return;
      ctx.beginPath();
      lines.forEach(function (pts) {
        ctx.moveTo(pts[0], pts[1]);
        for (var i = 2; i < pts.length; i += 2) ctx.lineTo(pts[i], pts[i + 1]);
      });
      ctx.globalAlpha = opacity;
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.stroke();
    },

    _updatePath: function () {
      var ctx = this._renderer._ctx, zoom = this._map.getZoom(), muted = !!this.options.muted, self = this;
      ctx.save();
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      if (zoom >= CASED_FROM) {
        ORDER.forEach(function (cls) {
          self._stroke(ctx, cls, CLASSES[cls].casing, widthAt(cls, zoom) + 2, muted ? 0.45 : 1);
        });
      }
      ORDER.forEach(function (cls) {
        var s = CLASSES[cls];
        self._stroke(ctx, cls, zoom < CASED_FROM ? s.line : s.fill, widthAt(cls, zoom), muted ? 0.6 : 1);
      });
      ctx.restore();
    }
  });

  Controller.prototype._streets = function (data) {
    var map = this.map, muted = !!this.options.muted;
    var features = data.features || [];
    this.features = features;
    if (map.options.preferCanvas) {
      // On the map's own canvas, under the outlines and shapes drawn there:
      // one canvas less to allocate, draw and composite.
      this.streets = new StreetsPath(features, { muted: muted }).addTo(map);
      this.streets.bringToBack();
    } else {
      var own = L.canvas({ pane: "ciicStreets", padding: 0.1 });
      this.streets = new StreetsPath(features, { renderer: own, pane: "ciicStreets", muted: muted }).addTo(map);
    }
    this.renderer = this.streets._renderer;
    var self = this;
    map.on("zoomend", function () {
      if (self._highlight) self._highlight.setStyle(self._highlightStyle());
    });
    // Named roads for the labels, the most important classes first.
    var rank = { motorway: 0, primary: 1, secondary: 2, tertiary: 3, minor: 4 };
    this.namedRoads = features
      .filter(function (f) { return f.properties.name; })
      .map(function (f) {
        // parts (LatLngs and bounds) are built when the name is first written
        return { name: f.properties.name, cls: f.properties["class"], lines: f.geometry.coordinates, parts: null };
      })
      .sort(function (a, b) { return rank[a.cls] - rank[b.cls]; });
  };

  Controller.prototype._places = function (data) {
    this.places = (data.features || []).map(function (f) {
      var c = f.geometry.coordinates;
      return { name: f.properties.name, kind: f.properties.kind, latlng: L.latLng(c[1], c[0]) };
    });
  };

  Controller.prototype._highlightStyle = function () {
    var z = this.map.getZoom();
    return { color: "#e8590c", weight: widthAt("primary", z) + 5, opacity: 0.55, lineCap: "round", interactive: false };
  };

  Controller.prototype.highlight = function (name) {
    var self = this;
    return this.ready.then(function () {
      self.clearHighlight();
      var matches = self.features.filter(function (f) { return f.properties.name === name; });
      if (!matches.length) return null;
      self._highlight = L.geoJSON({ type: "FeatureCollection", features: matches }, {
        renderer: self.renderer, pane: self.streets.options.pane, interactive: false, style: function () { return self._highlightStyle(); }
      }).addTo(self.map);
      return self._highlight;
    });
  };

  Controller.prototype.clearHighlight = function () {
    if (this._highlight) { this.map.removeLayer(this._highlight); this._highlight = null; }
  };

  Controller.prototype.redraw = function () { this.labels.redraw(); };

  function attach(map, options) {
    return new Controller(map, options || {});
  }

  // --- a whole small map from the page's configuration ----------------------------------
  function smallMap(el, config, mapOptions) {
    config = config || {};
    var map = L.map(el, L.extend({
      scrollWheelZoom: false, zoomSnap: 0.25, minZoom: 11, maxZoom: 19, attributionControl: true
    }, mapOptions || {}));
    map.attributionControl.setPrefix(false);
    var streetsOn = !config.tiles;
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 19, attribution: escapeHtml(config.tilesAttribution || "") }).addTo(map);
    }
    var sector = null, zones = [];
    (config.areas || []).forEach(function (a) {
      if (a.kind === "sector") {
        // Interactive: a click on the outline is a click on the map there.
        sector = L.geoJSON(a.geometry, {
          style: { color: "#0b5cab", weight: 2.5, fill: !streetsOn, fillOpacity: 0.06 }
        }).addTo(map);
      } else {
        L.geoJSON(a.geometry, {
          interactive: false,
          style: { color: "#5a6472", weight: 1, dashArray: a.approximate ? "4 4" : null, fill: false, opacity: 0.7 }
        }).addTo(map);
        zones.push([a.label[0], a.label[1], a.name, a.weight || 0]);
      }
    });
    if (sector) map.fitBounds(sector.getBounds(), { padding: [6, 6] });
    else map.setView([44.435, 26.03], 12);
    var streets = attach(map, {
      streets: streetsOn ? config.streets : null,
      places: streetsOn ? config.places : null,
      zones: zones,
      attribution: (streetsOn ? config.attribution || [] : []).concat(config.areasAttribution || [])
    });
    return { map: map, streets: streets, sector: sector };
  }

  // Is [lat, lng] inside a GeoJSON (Multi)Polygon? Ray casting, holes included.
  function containsPoint(geometry, lat, lng) {
    var polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    function inRing(ring) {
      var inside = false;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
        if ((yi > lat) !== (yj > lat) && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    }
    return polys.some(function (rings) {
      if (!inRing(rings[0])) return false;
      for (var k = 1; k < rings.length; k++) if (inRing(rings[k])) return false;
      return true;
    });
  }

  window.CiicStreetMap = { attach: attach, smallMap: smallMap, containsPoint: containsPoint, escapeHtml: escapeHtml };
})();
