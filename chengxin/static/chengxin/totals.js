// The national totals as a horizontal bar chart (Apache ECharts); the table above holds the same numbers.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("totals-chart");
  var data = JSON.parse(document.getElementById("totals-data").textContent);
  if (!el || !window.echarts) return;
  var chart = window.echarts.init(el);
  chart.setOption({
    grid: { left: 140, right: 90, top: 10, bottom: 40 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "log", logBase: 10, min: 1, name: "合计（对数刻度）" },
    yAxis: { type: "category", inverse: true, data: data.map(function (d) { return d.name; }) },
    series: [{ type: "bar", data: data.map(function (d) { return Math.max(d.value, 1); }), itemStyle: { color: "#b22222" },
      label: { show: true, position: "right", formatter: function (p) { return data[p.dataIndex].value.toLocaleString("zh-CN"); } } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
