// National totals as horizontal bar charts (Apache ECharts); the table above holds the same numbers.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var data = JSON.parse(document.getElementById(el.getAttribute("data-chart")).textContent);
    var chart = window.echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 80, top: 10, bottom: 10, containLabel: true },
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return v.toLocaleString("zh-CN"); } } },
      yAxis: { type: "category", inverse: true, data: data.map(function (d) { return d.name; }) },
      series: [{
        type: "bar", data: data.map(function (d) { return d.value; }), itemStyle: { color: "#b22222" },
        label: { show: true, position: "right", formatter: function (p) { return p.value.toLocaleString("zh-CN"); } }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});
