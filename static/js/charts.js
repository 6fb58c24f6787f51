// Draws every chart of the page (templates/includes/chart.html): the figure is
// a JSON data block, so the Content-Security-Policy needs no inline script.
// Without JavaScript, or if plotly.js fails, the table under each chart stays.
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) {
      return;
    }
    var plots = document.querySelectorAll(".chart-plot[data-chart]");
    Array.prototype.forEach.call(plots, function (el) {
      var block = document.getElementById(el.getAttribute("data-chart"));
      if (!block) {
        return;
      }
      var figure = JSON.parse(block.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, figure.config).then(function () {
        el.classList.add("chart-drawn");
        el.style.minHeight = "";
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
