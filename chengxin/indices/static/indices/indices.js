// The public index page's line chart (Apache ECharts). The numbers come from a json_script block and are also
// in the table under the chart. Tooltips are drawn on the canvas (renderMode "richText"): the Content-Security-
// Policy refuses the style attributes of HTML tooltips.
(function () {
  "use strict";

  function line(el) {
    var d = JSON.parse(document.getElementById(el.getAttribute("data-source")).textContent);
    if (!window.echarts || !d.periods.length) return;
    var chart = window.echarts.init(el);
    el.chart = chart; // for tests
    chart.setOption({
      tooltip: { renderMode: "richText", trigger: "axis" },
      grid: { left: 8, right: 28, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.periods, boundaryGap: false },
      yAxis: { type: "value", scale: true, name: el.getAttribute("data-unit") || "" },
      series: [{
        name: el.getAttribute("data-name"), type: "line", data: d.values, symbolSize: 6,
        itemStyle: { color: "#b22222" }, lineStyle: { color: "#b22222", width: 2 }
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "1");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".index-chart[data-source]").forEach(line);
  });
})();
