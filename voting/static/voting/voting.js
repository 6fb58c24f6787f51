// Progressive enhancement of the ballot: shows, as the resident selects, how
// much of each budget (or how many choices / points) is used. The form works
// without it; the server checks every rule again.
(function () {
  "use strict";
  var ro = (document.documentElement.lang || "ro").indexOf("ro") === 0;
  function money(x) { return Math.round(x).toLocaleString(ro ? "ro-RO" : "en-GB"); }
  function text(unit, key, a, b) {
    var t = unit.dataset["msg" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
    return t.replace("{a}", a).replace("{b}", b);
  }
  function update(unit) {
    var meter = unit.querySelector("[data-meter]");
    var kind = unit.dataset.kind, budget = parseFloat(unit.dataset.budget);
    var over = false, msg = "";
    if (kind === "cumulative") {
      var pts = 0;
      unit.querySelectorAll("input.ballot-points").forEach(function (i) { pts += parseInt(i.value || "0", 10) || 0; });
      var max = parseInt(unit.dataset.points, 10);
      over = pts > max; msg = text(unit, "points", pts, max);
    } else {
      var spent = 0, n = 0;
      unit.querySelectorAll("input[type=checkbox]:checked").forEach(function (i) { spent += parseFloat(i.dataset.cost); n += 1; });
      if (kind === "approval") {
        var k = parseInt(unit.dataset.k, 10);
        over = n > k; msg = text(unit, "count", n, k);
      } else {
        over = spent > budget; msg = text(unit, "budget", money(spent), money(budget));
        var share = parseFloat(unit.dataset.minShare);
        if (share > 0) { msg += " " + text(unit, "min", money(budget * share / 100)); }
        if (over) { msg += " " + text(unit, "over"); }
      }
    }
    meter.textContent = msg;
    meter.classList.toggle("over", over);
  }
  document.querySelectorAll(".ballot-unit").forEach(function (unit) {
    unit.addEventListener("change", function () { update(unit); });
    unit.addEventListener("input", function () { update(unit); });
    update(unit);
  });
  var errors = document.getElementById("ballot-errors");
  if (errors) { errors.focus(); }
})();
