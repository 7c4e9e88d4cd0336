/* Home-page charts: each <canvas class="kkmp-chart"> carries its points as JSON in data-points (no inline script,
   so the CSP needs no exception). Drawn with the vendored Chart.js; without it the figures above still read. */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  var colours = ["#c8102e", "#e35d6a", "#f0a202", "#2e86ab", "#3c9d5d", "#6c5b7b", "#8d99ae"];
  document.querySelectorAll("canvas.kkmp-chart").forEach(function (canvas) {
    var points;
    try { points = JSON.parse(canvas.getAttribute("data-points") || "[]"); } catch (e) { return; }
    var kind = canvas.getAttribute("data-chart") || "bar";
    var horizontal = kind === "bar";
    new window.Chart(canvas, {
      type: kind,
      data: {
        labels: points.map(function (p) { return p.label; }),
        datasets: [{ data: points.map(function (p) { return p.value; }),
                     backgroundColor: points.map(function (_p, i) { return colours[i % colours.length]; }) }]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: !horizontal } },
        scales: horizontal ? { x: { beginAtZero: true, ticks: { precision: 0 } } } : {}
      }
    });
  });
})();
