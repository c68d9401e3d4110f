/* Draws the dashboard's charts from the JSON the page carries (#stats-data).
   ECharts is served as a local static file; nothing is fetched from elsewhere. */
(function () {
  "use strict";
  var node = document.getElementById("stats-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var text = "#dfe6f3";
  var grid = { left: 48, right: 16, top: 36, bottom: 32, containLabel: true };
  var axisLabel = { color: text };
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.textStyle = { color: text };
    option.backgroundColor = "transparent";
    chart.setOption(option);
    charts.push(chart);
  }

  var shown = ["materials_read", "videos_watched", "attendances", "quiz_attempts", "votes"];
  var labels = {};
  data.metrics.forEach(function (m) { labels[m[0]] = m[1]; });
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { textStyle: { color: text }, top: 0 },
    grid: grid,
    xAxis: { type: "category", data: data.trend.map(function (r) { return r.period; }), axisLabel: axisLabel },
    yAxis: { type: "value", axisLabel: axisLabel, minInterval: 1 },
    series: shown.map(function (key) {
      return { name: labels[key], type: "line", smooth: true, data: data.trend.map(function (r) { return r[key]; }) };
    })
  });

  var ranking = data.ranking.slice(0, 15).reverse();
  draw("chart-ranking", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: grid,
    xAxis: { type: "value", axisLabel: axisLabel, minInterval: 1 },
    yAxis: { type: "category", data: ranking.map(function (r) { return r.org; }), axisLabel: axisLabel },
    series: [{ name: data.metricLabel, type: "bar", data: ranking.map(function (r) { return r.value; }), itemStyle: { color: "#e0403a" } }]
  });

  // The flat rows (root first, parents before children) as one nested tree.
  var byId = {};
  var root = null;
  data.tree.forEach(function (r) {
    byId[r.id] = { name: r.name, value: r.metric, people: r.value, children: [] };
    if (r.parent && byId[r.parent]) { byId[r.parent].children.push(byId[r.id]); } else if (!root) { root = byId[r.id]; }
  });
  // Rows shown when the tree opens (two levels below its root): the chart
  // gets 22 px per row, so labels never overlap, and wide margins, so the
  // longest names are not clipped.
  var DEPTH = 2;
  function shownRows(node, level) {
    if (level >= DEPTH || !node.children.length) { return 1; }
    return node.children.reduce(function (n, c) { return n + shownRows(c, level + 1); }, 0);
  }
  function longest(node, level) {
    var here = node.name.length;
    if (level >= DEPTH) { return here; }
    return node.children.reduce(function (n, c) { return Math.max(n, longest(c, level + 1)); }, here);
  }
  if (root) {
    var treeEl = document.getElementById("chart-tree");
    var fontSize = 12;
    var labelWidth = Math.min(260, longest(root, 0) * (fontSize + 1) + 12);
    if (treeEl) { treeEl.style.height = Math.max(360, shownRows(root, 0) * 22 + 40) + "px"; }
    draw("chart-tree", {
      tooltip: {
        formatter: function (p) { return p.name + "<br>人数 " + p.data.people + "<br>" + data.metricLabel + " " + p.data.value; }
      },
      series: [{
        type: "tree", data: [root], top: 20, bottom: 20, left: labelWidth, right: labelWidth,
        initialTreeDepth: DEPTH, symbolSize: 9, expandAndCollapse: true,
        label: {
          color: text, position: "left", verticalAlign: "middle", align: "right", fontSize: fontSize,
          width: labelWidth - 12, overflow: "truncate"
        },
        leaves: { label: { position: "right", align: "left" } },
        emphasis: { focus: "descendant" },
        lineStyle: { color: "#5b6b8a" }, itemStyle: { color: "#f2c14e" }
      }]
    });
  }

  draw("chart-daily", {
    tooltip: { trigger: "axis" },
    legend: { textStyle: { color: text }, top: 0 },
    grid: grid,
    xAxis: { type: "category", data: data.daily.map(function (r) { return r.day.slice(5); }), axisLabel: axisLabel },
    yAxis: { type: "value", axisLabel: axisLabel, minInterval: 1 },
    series: [
      { name: "浏览量", type: "bar", data: data.daily.map(function (r) { return r.views; }), itemStyle: { color: "#4f8ef7" } },
      { name: "访客数", type: "line", data: data.daily.map(function (r) { return r.visitors; }), itemStyle: { color: "#f2c14e" } }
    ]
  });

  draw("chart-channels", {
    tooltip: { trigger: "item" },
    legend: { textStyle: { color: text }, bottom: 0 },
    series: [{ name: "渠道", type: "pie", radius: ["35%", "65%"], data: data.channels.filter(function (c) { return c.value > 0; }), label: { color: text } }]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
