// Statistics dashboard: draws the charts from the JSON the page carries (#stats-data) with
// Apache ECharts (static/vendor/echarts). No inline script: the page's CSP allows only files.
"use strict";

(function () {
  const source = document.getElementById("stats-data");
  if (!source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const labels = data.labels;
  const rate = new Set(["on_time_rate", "satisfaction_rate", "resolution_rate", "reply_rate", "overdue_rate"]);
  const charts = [];

  function draw(id, option) {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(Object.assign({ animation: false, tooltip: {} }, option));
    el.dataset.drawn = "true";
    charts.push(chart);
  }

  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { data: [labels.received, labels.dispatched, labels.replied] },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.trend.map((d) => d.day) },
    yAxis: { type: "value", minInterval: 1 },
    series: ["received", "dispatched", "replied"].map((key) => ({
      name: labels[key], type: "line", showSymbol: data.trend.length <= 31,
      data: data.trend.map((d) => d[key]),
    })),
  });

  draw("chart-types", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.types, label: { formatter: "{b}: {c}" } }],
  });

  draw("chart-categories", {
    tooltip: { trigger: "axis" },
    grid: { left: 100, right: 16, top: 10, bottom: 24 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.categories.map((d) => d.name) },
    series: [{ type: "bar", name: labels.received, data: data.categories.map((d) => d.value) }],
  });

  const isRate = rate.has(data.rank_by);
  draw("chart-ranking", {
    tooltip: { trigger: "axis" },
    grid: { left: 150, right: 24, top: 10, bottom: 24 },
    xAxis: isRate ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value" },
    yAxis: { type: "category", inverse: true, data: data.ranking.map((d) => d.name) },
    series: [{
      type: "bar", name: labels[data.rank_by],
      data: data.ranking.map((d) => (d.value === null ? null : isRate ? Math.round(d.value * 1000) / 10 : d.value)),
    }],
  });

  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
