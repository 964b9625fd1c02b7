// The public pages: the language switch (sets the same cookie as Django's set_language, so the cached pages need no
// CSRF token) and the map of where published activities took place (ECharts; data from a json_script block;
// the tooltip is drawn on the canvas, as the Content-Security-Policy refuses the style attributes of HTML ones).
(function () {
  "use strict";

  function switchLanguage(event) {
    var code = event.currentTarget.getAttribute("data-language");
    // Secure over HTTPS, like the cookie Django sets in production (LANGUAGE_COOKIE_SECURE).
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = "django_language=" + encodeURIComponent(code) + "; path=/; max-age=31536000; SameSite=Lax" + secure;
    window.location.reload();
  }

  function map(el) {
    var items = JSON.parse(document.getElementById(el.getAttribute("data-source")).textContent);
    if (!window.echarts || !items.length) return;
    var byId = {};
    items.forEach(function (x) { byId[x.region_code.slice(0, 2)] = x; });
    var max = items.reduce(function (m, x) { return Math.max(m, x.value); }, 0);
    el.style.height = Math.min(480, Math.max(300, el.clientWidth * 0.8)) + "px";
    fetch(el.getAttribute("data-geojson"))
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (geo) {
        window.echarts.registerMap("china", geo);
        var chart = window.echarts.init(el);
        el.chart = chart;
        chart.setOption({
          tooltip: {
            renderMode: "richText",
            trigger: "item",
            formatter: function (p) {
              var x = byId[p.name];
              return x ? x.name + "\n" + el.getAttribute("data-label") + ": " + x.value : "";
            }
          },
          visualMap: {
            min: 0, max: max || 1, left: 0, bottom: 0, itemHeight: 80, calculable: false,
            inRange: { color: ["#fde9e4", "#b22222"] }
          },
          series: [{
            type: "map", map: "china", nameProperty: "id", roam: false, selectedMode: false,
            layoutCenter: ["50%", "50%"], layoutSize: "100%",
            label: { show: false }, emphasis: { label: { show: false } },
            itemStyle: { areaColor: "#eee", borderColor: "#fff" },
            data: items.map(function (x) { return { name: x.region_code.slice(0, 2), value: x.value }; })
          }]
        });
        window.addEventListener("resize", function () { chart.resize(); });
        el.setAttribute("data-ready", "1");
      })
      .catch(function () {
        el.style.height = "auto";
        el.textContent = el.getAttribute("data-failed");
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-language]").forEach(function (b) { b.addEventListener("click", switchLanguage); });
    document.querySelectorAll(".portal-map[data-source]").forEach(map);
  });
})();
