/* Place search box for maps: an accessible combobox (WAI-ARIA 1.2 pattern)
   over the gazetteer API (`/api/places/?q=`). Works with the keyboard: type,
   ArrowDown/ArrowUp to choose, Enter to go there, Escape to close. Enter never
   submits the surrounding form.

   CiicPlaceSearch.attach(root, {onPick: function (hit) {...}})
   `root` is the markup of templates/geo/includes/place_search.html; its data-*
   attributes carry the API address and the translated messages. */
(function () {
  "use strict";

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_m, key) {
      return key in values ? values[key] : "";
    });
  }

  function attach(root, options) {
    var input = root.querySelector("[role=combobox]");
    var list = root.querySelector("[role=listbox]");
    var status = root.querySelector("[data-search-status]");
    if (!input || !list) return null;
    var url = root.dataset.url;
    var hits = [], active = -1, timer = null, controller = null, lastQuery = null;
    root.hidden = false;

    function say(text) { if (status) status.textContent = text || ""; }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (opt, i) { opt.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function render() {
      list.textContent = "";
      hits.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "place-search-option";
        var name = document.createElement("span");
        name.className = "place-search-name";
        name.textContent = hit.name;
        var kind = document.createElement("span");
        kind.className = "place-search-kind";
        kind.textContent = hit.kind_label + (hit.detail ? " · " + hit.detail : "");
        li.appendChild(name);
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { pick(i); });
        list.appendChild(li);
      });
      var open = hits.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
    }

    function pick(index) {
      var hit = hits[index];
      if (!hit) return;
      input.value = hit.kind === "coordinates" ? hit.name : hit.name;
      close();
      if (options.onPick) options.onPick(hit);
    }

    function search(query, thenPickFirst) {
      if (controller) controller.abort();
      if (query.replace(/\s+/g, "").length < 2) {
        hits = [];
        render();
        say("");
        return;
      }
      controller = window.AbortController ? new AbortController() : null;
      lastQuery = query;
      var address = url + (url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(query);
      fetch(address, { credentials: "same-origin", signal: controller ? controller.signal : undefined })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (data) {
          if (query !== lastQuery) return;
          hits = data.results || [];
          render();
          if (!hits.length) say(format(root.dataset.msgNone, { query: query }));
          else say(format(root.dataset.msgCount, { count: hits.length }));
          if (thenPickFirst && hits.length) pick(0);
        })
        .catch(function (err) {
          if (err && err.name === "AbortError") return;
          say(root.dataset.msgError);
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      timer = setTimeout(function () { search(query, false); }, 180);
    });

    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (list.hidden && hits.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        setActive(active + 1);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        setActive(active - 1);
      } else if (e.key === "Enter") {
        e.preventDefault(); // never submit the proposal form from here
        clearTimeout(timer);
        var query = input.value.trim();
        if (active >= 0) pick(active);
        else if (hits.length && query === lastQuery) pick(0);
        else search(query, true);
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); close(); } else { input.value = ""; hits = []; say(""); }
      } else if (e.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("focus", function () {
      if (hits.length && input.value.trim() === lastQuery) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
    });

    return { search: search, close: close, say: say };
  }

  window.CiicPlaceSearch = { attach: attach, format: format };
})();
