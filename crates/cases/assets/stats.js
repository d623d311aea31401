// Draws the statistics page's charts with the embedded Apache ECharts from the JSON the page carries.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("xz-stats").textContent);
  // Large type on the command-centre screen (and any wide one); the wall reloads every minute.
  var big = data.wall || window.innerWidth >= 1600;
  var size = big ? 18 : 12;
  if (data.wall) setTimeout(function () { window.location.reload(); }, 60000);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = window.echarts.init(el, null, { renderer: "svg" });
    // The wall redraws every minute: no animation to watch each time.
    option.animation = !data.wall;
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("by-category", {
    tooltip: {},
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    textStyle: { fontSize: size },
    xAxis: { type: "value", axisLabel: { fontSize: size } },
    yAxis: { type: "category", axisLabel: { fontSize: size }, data: data.categories.map(function (c) { return c[0]; }) },
    series: [{ type: "bar", data: data.categories.map(function (c) { return c[1]; }), itemStyle: { color: "#b71c1c" } }]
  });
  chart("by-state", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["40%", "70%"], label: { fontSize: size }, data: data.states.map(function (s) { return { name: s[0], value: s[1] }; }) }]
  });
})();
