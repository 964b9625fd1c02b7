// The dashboard's charts (Apache ECharts) and its sortable ranking. Every chart's numbers are also in a table on
// the page; the data come from json_script blocks, never from inline scripts. Tooltips are drawn on the canvas
// (renderMode "richText"): ECharts' HTML tooltips carry style attributes, which the Content-Security-Policy
// refuses, and would read unit names as HTML.
(function () {
  "use strict";

  var RED = "#b22222", AMBER = "#d98b00", GREY = "#9a9a9a", BLUE = "#3b6ea5";
  var charts = [];
  var L = {}; // the page's translated chart labels (json_script "dashboard-labels")

  function data(el) {
    return JSON.parse(document.getElementById(el.getAttribute("data-source")).textContent);
  }

  function fmt(v) {
    return v === null || v === undefined ? "—" : Number(v).toLocaleString("zh-CN");
  }

  function init(el, height) {
    if (height) el.style.height = height + "px";
    var chart = window.echarts.init(el);
    el.chart = chart; // for tests and for the map's click handler
    charts.push(chart);
    return chart;
  }

  // Completeness over time: on time / late / not yet, stacked; the deadline marked. The rows are every day around
  // the deadline and, beyond, the days on which units submitted: drawn on a time axis from the first row to the
  // last (d.start, d.end), each at its own date, and as steps, since a count holds until the next row changes it.
  function timeline(el) {
    var d = data(el);
    function series(key, name, color) {
      return {
        name: name, type: "line", stack: "units", step: "end", areaStyle: { opacity: 0.5 }, symbol: "none",
        itemStyle: { color: color }, lineStyle: { color: color },
        data: d.days.map(function (x) { return [x.day, x[key]]; })
      };
    }
    var s = [series("on_time", L.on_time, BLUE), series("late", L.late, AMBER), series("missing", L.missing, GREY)];
    s[0].markLine = {
      symbol: "none", label: { formatter: L.deadline }, lineStyle: { color: RED, type: "dashed" },
      data: [{ xAxis: d.deadline }]
    };
    init(el).setOption({
      tooltip: { renderMode: "richText", trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: {
        type: "time", min: d.start, max: d.end,
        axisLabel: { hideOverlap: true, formatter: { year: "{yyyy}", month: "{yyyy}-{MM}", day: "{MM}-{dd}" } }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: s
    });
  }

  // This year's national totals next to last year's.
  function changes(el) {
    var d = data(el);
    var hasPrevious = d.some(function (x) { return x.previous !== null; });
    var series = [{
      name: L.this_year, type: "bar", itemStyle: { color: RED }, data: d.map(function (x) { return x.value; })
    }];
    if (hasPrevious) {
      series.push({
        name: L.last_year, type: "bar", itemStyle: { color: GREY }, data: d.map(function (x) { return x.previous; })
      });
    }
    init(el, Math.max(300, d.length * (hasPrevious ? 34 : 24))).setOption({
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
      legend: { top: 0 },
      grid: { left: 8, right: 40, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: fmt } },
      yAxis: { type: "category", inverse: true, data: d.map(function (x) { return x.name; }) },
      series: series
    });
  }

  // Items published in traditional against new media.
  function media(el) {
    var d = data(el);
    init(el).setOption({
      tooltip: { renderMode: "richText", trigger: "item", valueFormatter: fmt },
      legend: { top: 0 },
      series: [
        {
          name: L.items, type: "pie", radius: [0, "38%"], label: { position: "inner", formatter: "{b}" },
          color: [AMBER, BLUE], data: d.items
        },
        {
          name: L.figures, type: "pie", radius: ["48%", "68%"], label: { formatter: "{b}\n{c}" },
          data: d.figures.map(function (x) { return { name: x.name, value: x.value }; })
        }
      ]
    });
  }

  // The provinces coloured by the chosen figure; a click on one opens its drill-down. A map of China shown in
  // this system is schematic (示意图), as the note under it says.
  function map(el) {
    var items = data(el);
    var byId = {};
    items.forEach(function (x) { byId[x.region_code.slice(0, 2)] = x; });
    var max = items.reduce(function (m, x) { return Math.max(m, x.value); }, 0);
    el.style.height = "480px";
    fetch(el.getAttribute("data-geojson"))
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (geo) {
        window.echarts.registerMap("china", geo);
        var chart = init(el);
        chart.setOption({
          tooltip: {
            renderMode: "richText",
            trigger: "item",
            formatter: function (p) {
              var x = byId[p.name];
              return x ? x.name + "\n" + el.getAttribute("data-figure") + ": " + fmt(x.value) : "";
            }
          },
          visualMap: {
            min: 0, max: max || 1, left: 0, bottom: 0, itemHeight: 90, calculable: true, text: [L.high, L.low],
            inRange: { color: ["#fde9e4", RED] }, formatter: function (v) { return fmt(Math.round(v)); }
          },
          series: [{
            type: "map", map: "china", nameProperty: "id", roam: false, selectedMode: false,
            layoutCenter: ["50%", "50%"], layoutSize: "100%", // keeps the outlines' proportions
            label: { show: false }, emphasis: { label: { show: false }, itemStyle: { areaColor: AMBER } },
            itemStyle: { areaColor: "#eee", borderColor: "#fff" },
            data: items.map(function (x) {
              return { name: x.region_code.slice(0, 2), value: x.value, url: x.url };
            })
          }]
        });
        chart.on("click", function (p) {
          if (p.data && p.data.url) window.location.href = p.data.url;
        });
        el.setAttribute("data-ready", "1");
      })
      .catch(function () {
        el.style.height = "auto";
        el.textContent = L.map_failed;
      });
  }

  // A click on a header button sorts the ranking by that column (again: the other way round).
  function sortable(table) {
    table.querySelectorAll("thead [data-sort]").forEach(function (button, col) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        var numeric = button.getAttribute("data-sort") === "number";
        var asc = button.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead [data-sort]").forEach(function (b) { b.removeAttribute("aria-sort"); });
        button.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > col; });
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-value"), y = b.cells[col].getAttribute("data-value");
          var c = numeric ? Number(x) - Number(y) : x.localeCompare(y, "zh-CN");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  var kinds = { timeline: timeline, changes: changes, media: media, map: map };

  document.addEventListener("DOMContentLoaded", function () {
    var labels = document.getElementById("dashboard-labels");
    if (labels) L = JSON.parse(labels.textContent);
    document.querySelectorAll("table.sortable").forEach(sortable);
    if (!window.echarts) return;
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var draw = kinds[el.getAttribute("data-chart")];
      if (draw) draw(el);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
