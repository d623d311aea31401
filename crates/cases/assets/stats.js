// Draws the statistics page's charts with the embedded Apache ECharts from the JSON the page carries.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("xz-stats").textContent);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = window.echarts.init(el, null, { renderer: "svg" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("by-category", {
    tooltip: {},
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: data.categories.map(function (c) { return c[0]; }) },
    series: [{ type: "bar", data: data.categories.map(function (c) { return c[1]; }), itemStyle: { color: "#b71c1c" } }]
  });
  chart("by-state", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], data: data.states.map(function (s) { return { name: s[0], value: s[1] }; }) }]
  });
})();
