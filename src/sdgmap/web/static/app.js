/* sdgmap charts: every <figure class="chart"> holds its data as JSON and a table view;
   this file draws it with ECharts (SVG renderer), handles clicks, downloads and the palette. */
(function () {
  "use strict";
  var OKABE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"];
  var KIND = {
    sdg: { stated: "#1d70b8", derived: "#8a8f94", suggested: "#f47738", curated: "#1d70b8" },
    cb: { stated: "#0072B2", derived: "#999999", suggested: "#E69F00", curated: "#0072B2" }
  };
  var charts = [];

  function palette() { return localStorage.getItem("sdgmap-palette") === "cb" ? "cb" : "sdg"; }
  function goalColour(code, colour) {
    if (palette() === "cb") { return OKABE[(parseInt(code, 10) - 1 + 8) % 8] || "#666"; }
    return colour || "#666";
  }
  function base() {
    return { animation: false, aria: { enabled: true, decal: { show: palette() === "cb" } },
             textStyle: { fontFamily: "system-ui, sans-serif", color: "#1b1b1b" }, tooltip: {} };
  }
  function go(href) { if (href) { window.location.href = href; } }

  var builders = {
    goals: function (rows) {
      var o = base();
      var cats = rows.map(function (r) { return "SDG " + r.code; });
      var kinds = ["stated", "derived", "suggested"];
      o.legend = { top: 0 };
      o.tooltip = { trigger: "axis" };
      o.grid = { left: 40, right: 10, top: 60, bottom: 40, containLabel: true };
      o.xAxis = { type: "category", data: cats, axisLabel: { interval: 0, rotate: 45 } };
      o.yAxis = { type: "value", name: "activities" };
      o.series = kinds.map(function (k, i) {
        return { name: k, type: "bar", stack: "a",
          data: rows.map(function (r) {
            var c = goalColour(r.code, r.colour);
            return { value: r[k], itemStyle: { color: c, opacity: i === 0 ? 1 : (i === 1 ? 0.6 : 0.35) } };
          }) };
      });
      o.legend.data = kinds.map(function (k, i) {
        return { name: k, itemStyle: { color: "#555", opacity: i === 0 ? 1 : (i === 1 ? 0.6 : 0.35) } };
      });
      return { option: o, click: function (p) { go("/activities?sdg=" + rows[p.dataIndex].code); } };
    },
    bars: function (d) {
      var o = base();
      o.grid = { left: 40, right: 10, top: 20, bottom: 30, containLabel: true };
      o.xAxis = { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } };
      o.yAxis = { type: "value" };
      o.series = [{ type: "bar", data: d.values, itemStyle: { color: palette() === "cb" ? "#0072B2" : "#1d70b8" } }];
      return { option: o, click: function (p) { go(d.hrefs[p.dataIndex]); } };
    },
    sankey: function (d) {
      var o = base();
      var kc = KIND[palette()];
      var nodes = d.nodes.map(function (n) {
        var colour = n.id.indexOf("sdg:") === 0 ? goalColour(n.id.slice(4).split(".")[0], n.colour) : n.colour;
        return { name: n.id, depth: n.column, display: n.name, title: n.title, itemStyle: { color: colour, borderColor: "#1b1b1b", borderWidth: 0.5 } };
      });
      var links = d.links.map(function (l) {
        return { source: l.source, target: l.target, value: l.value, kind: l.kind, filter: l.filter,
                 lineStyle: { color: kc[l.kind] || "#999", opacity: 0.45 } };
      });
      o.tooltip = { trigger: "item", formatter: function (p) {
        if (p.dataType === "edge") {
          return p.data.source + " → " + p.data.target + "<br>" + p.data.value + " activities (" + p.data.kind + ")";
        }
        return p.data.display + (p.data.title ? "<br>" + String(p.data.title).slice(0, 80) : "");
      } };
      o.series = [{ type: "sankey", data: nodes, links: links, nodeAlign: "justify", left: 10, right: 90,
        top: 10, bottom: 10, nodeGap: 6, layoutIterations: 0, emphasis: { focus: "adjacency" },
        label: { formatter: function (p) { return p.data.display; }, fontSize: 12 } }];
      return { option: o, click: function (p) {
        if (p.dataType === "edge") { go("/activities?" + new URLSearchParams(p.data.filter).toString()); }
        else if (p.data && p.data.name && p.data.name.indexOf(":") > 0 && p.data.name !== "wsis:none") { go("/node/" + p.data.name); }
      } };
    },
    heatmap: function (d) {
      var o = base();
      var cols = d.cols.map(function (c) { return c.code; });
      var rows = d.rows.map(function (r) { return r.code; });
      var max = 1;
      var data = d.cells.map(function (c) {
        max = Math.max(max, c.count);
        return [cols.indexOf(String(c.goal)), rows.indexOf(c.action_line), c.count];
      }).filter(function (v) { return v[0] >= 0 && v[1] >= 0; });
      o.tooltip = { formatter: function (p) { return rows[p.value[1]] + " × SDG " + cols[p.value[0]] + ": " + p.value[2]; } };
      o.grid = { left: 10, right: 10, top: 10, bottom: 60, containLabel: true };
      o.xAxis = { type: "category", data: cols.map(function (c) { return "SDG " + c; }), axisLabel: { interval: 0, rotate: 45 } };
      o.yAxis = { type: "category", data: rows, inverse: true };
      o.visualMap = { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
        inRange: { color: palette() === "cb" ? ["#fde725", "#21918c", "#440154"] : ["#e8f1f8", "#1d70b8", "#0b0c0c"] } };
      o.series = [{ type: "heatmap", data: data, label: { show: true, fontSize: 10 } }];
      return { option: o, click: function (p) {
        var basis = new URLSearchParams(window.location.search).get("basis") || "activities";
        go("/matrix?basis=" + basis + "&al=" + rows[p.value[1]] + "&goal=" + cols[p.value[0]] + "#evidence");
      } };
    },
    network: function (d) {
      var o = base();
      var maxN = Math.max.apply(null, [1].concat(d.nodes.map(function (n) { return n.count; })));
      var edges = d.edges.slice(0, 80);
      var maxE = Math.max.apply(null, [1].concat(edges.map(function (e) { return e.count; })));
      o.tooltip = { formatter: function (p) {
        return p.dataType === "edge" ? "SDG " + p.data.source + " & SDG " + p.data.target + ": " + p.data.value + " activities"
                                     : "SDG " + p.data.name + " " + p.data.title + ": " + p.data.value + " activities";
      } };
      o.series = [{ type: "graph", layout: "circular", circular: { rotateLabel: false }, roam: true,
        label: { show: true, formatter: function (p) { return p.data.name; }, color: "#1b1b1b", position: "right" },
        data: d.nodes.map(function (n) {
          return { name: n.code, title: n.short_title, value: n.count, symbolSize: 12 + 38 * Math.sqrt(n.count / maxN),
                   itemStyle: { color: goalColour(n.code, n.colour) } };
        }),
        links: edges.map(function (e) {
          return { source: e.a, target: e.b, value: e.count, lineStyle: { width: 0.5 + 7 * e.count / maxE, opacity: 0.45, color: "#505a5f" } };
        }) }];
      return { option: o, click: function (p) { if (p.dataType === "node") { go("/node/sdg:" + p.data.name); } } };
    },
    trends: function (d) {
      var o = base();
      o.tooltip = { trigger: "axis" };
      o.legend = { type: "scroll", top: 0 };
      o.grid = { left: 40, right: 20, top: 70, bottom: 30, containLabel: true };
      o.xAxis = { type: "category", data: d.years.map(String) };
      o.yAxis = { type: "value", name: "activities" };
      o.series = d.series.map(function (s) {
        return { name: "SDG " + s.code, type: "line", data: s.total, symbol: "circle", symbolSize: 8,
                 itemStyle: { color: goalColour(s.code, s.colour) }, lineStyle: { width: 2 } };
      });
      return { option: o, click: function (p) {
        go("/activities?sdg=" + p.seriesName.replace("SDG ", "") + "&year=" + d.years[p.dataIndex]);
      } };
    }
  };

  function draw(fig) {
    var el = fig.querySelector(".chart-canvas");
    var data = JSON.parse(fig.querySelector(".chart-data").textContent);
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var built = builders[fig.dataset.kind](data);
    chart.setOption(built.option);
    if (built.click) { chart.on("click", built.click); }
    fig._chart = chart;
    return chart;
  }

  function download(name, url) {
    var a = document.createElement("a");
    a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }

  function saveAs(fig, type) {
    var chart = fig._chart;
    if (!chart) { return; }
    var svgUrl = chart.getDataURL({ type: "svg" });
    var name = fig.id.replace(/^chart-/, "sdgmap-") + "." + type;
    if (type === "svg") { download(name, svgUrl); return; }
    var img = new Image();
    img.onload = function () {
      var el = fig.querySelector(".chart-canvas");
      var scale = 2, canvas = document.createElement("canvas");
      canvas.width = el.clientWidth * scale; canvas.height = el.clientHeight * scale;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      download(name, canvas.toDataURL("image/png"));
    };
    img.src = svgUrl;
  }

  function renderAll() {
    if (typeof echarts === "undefined") { return; }
    charts = Array.prototype.map.call(document.querySelectorAll("figure.chart"), draw);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("palette-toggle");
    if (toggle) {
      toggle.setAttribute("aria-pressed", palette() === "cb" ? "true" : "false");
      toggle.addEventListener("click", function () {
        localStorage.setItem("sdgmap-palette", palette() === "cb" ? "sdg" : "cb");
        toggle.setAttribute("aria-pressed", palette() === "cb" ? "true" : "false");
        renderAll();
      });
    }
    document.querySelectorAll("figure.chart [data-act]").forEach(function (b) {
      b.addEventListener("click", function () { saveAs(b.closest("figure"), b.dataset.act); });
    });
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        document.querySelectorAll("input[name=ids]").forEach(function (c) { c.checked = all.checked; });
      });
    }
    var facets = document.getElementById("facets");
    if (facets && facets.dataset.src) {
      facets.setAttribute("aria-busy", "true");
      fetch(facets.dataset.src, { headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { facets.innerHTML = html; })
        .catch(function () { /* the links to the counts page stay in place */ })
        .then(function () { facets.removeAttribute("aria-busy"); });
    }
    renderAll();
    var t;
    window.addEventListener("resize", function () {
      clearTimeout(t);
      t = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
    });
  });
})();
