// Draws an alliance plan on a map with the embedded Apache ECharts: each village's area (drawn
// by the server from the villages' positions) tinted by its alliance, each village a dot at its
// position, coloured by its alliance (grey when not placed, outlined when a target), the lead
// village larger and joined to its members by lines.
(function () {
  "use strict";
  // Forms that ask first (no inline handlers: the Content-Security-Policy forbids them).
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  var el = document.getElementById("alliance-map");
  var src = document.getElementById("xz-plan");
  if (!el || !src || !window.echarts) return;
  var data = JSON.parse(src.textContent);
  var villages = (data.villages || []).filter(function (v) { return v.lon != null && v.lat != null; });
  if (!villages.length) { el.style.display = "none"; return; }
  var palette = ["#c62828", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#4e342e", "#558b2f", "#283593"];
  var at = {};
  villages.forEach(function (v) { at[v.code] = [v.lon, v.lat]; });
  var points = villages.map(function (v) {
    var colour = v.alliance ? palette[(v.alliance - 1) % palette.length] : "#9e9e9e";
    return {
      name: v.name,
      value: [v.lon, v.lat],
      v: v,
      symbolSize: v.lead ? 16 : 10,
      itemStyle: { color: colour, borderColor: v.target ? "#000" : colour, borderWidth: v.target ? 2 : 0 }
    };
  });
  var lines = [];
  (data.alliances || []).forEach(function (a) {
    if (!a.lead || !at[a.lead]) return;
    (a.members || []).forEach(function (m) {
      if (m.code !== a.lead && at[m.code]) {
        lines.push({ coords: [at[a.lead], at[m.code]], lineStyle: { color: palette[(a.number - 1) % palette.length] } });
      }
    });
  });
  // The base layer: each village's area, tinted by its alliance, white borders between them.
  var cells = [];
  villages.forEach(function (v) {
    var cell = (data.cells || {})[v.code];
    if (!cell || cell.length < 3) return;
    var colour = v.alliance ? palette[(v.alliance - 1) % palette.length] : "#bdbdbd";
    cells.push({ value: [v.lon, v.lat], cell: cell, colour: colour, alliance: !!v.alliance });
  });
  var area = {
    type: "custom",
    silent: true,
    z: 0,
    data: cells,
    renderItem: function (params, api) {
      var c = cells[params.dataIndex];
      return {
        type: "polygon",
        shape: { points: c.cell.map(function (p) { return api.coord(p); }) },
        style: { fill: c.colour, opacity: c.alliance ? 0.28 : 0.18, stroke: "#ffffff", lineWidth: 1 }
      };
    }
  };
  var lons = villages.map(function (v) { return v.lon; });
  var lats = villages.map(function (v) { return v.lat; });
  var pad = 0.02;
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  var L = data.labels || {};
  chart.setOption({
    animation: false,
    grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: false },
    tooltip: {
      // Built as DOM text nodes, never as an HTML string: names and industries come from people.
      formatter: function (p) {
        if (!p.data || !p.data.v) return "";
        var v = p.data.v;
        var box = document.createElement("div");
        var line = function (text) {
          var d = document.createElement("div");
          d.textContent = text;
          box.appendChild(d);
        };
        line(v.name + " (" + v.code + ")");
        line(v.population + " · " + (v.industries || []).join("、"));
        line(v.alliance ? (L.alliance + " " + v.alliance + (v.lead ? " · " + L.lead : "")) : L.unplaced);
        return box;
      }
    },
    xAxis: { type: "value", show: false, scale: true, min: Math.min.apply(null, lons) - pad, max: Math.max.apply(null, lons) + pad },
    yAxis: { type: "value", show: false, scale: true, min: Math.min.apply(null, lats) - pad, max: Math.max.apply(null, lats) + pad },
    dataZoom: [{ type: "inside", xAxisIndex: 0 }, { type: "inside", yAxisIndex: 0 }],
    // The areas last in the list (so the dots keep their index) and drawn first (z 0).
    series: [
      { type: "lines", coordinateSystem: "cartesian2d", data: lines, lineStyle: { width: 2, opacity: 0.7 }, silent: true, z: 2 },
      { type: "scatter", data: points, z: 3 },
      area
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
