/* /charts: a bar chart of a library query, the deadline timeline (overdue vs today) and
 * regions ranked by GB/T 2260 code. All data from this service; Chart.js is vendored. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var DAY = 86400000;

  function text(node, s) { node.textContent = s; return node; }
  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === "text") n.textContent = attrs[k]; else n.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }
  function fail(where, err) { text($(where), "加载失败 failed to load: " + err); }

  // --- bar chart of a label+count library query ------------------------------------------
  function drawBar() {
    var name = $("bar-query").value;
    var url = "/api/queries/" + encodeURIComponent(name);
    fetch(url, { headers: { Accept: "application/sparql-results+json" } }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      if (window.barChart) window.barChart.destroy();
      window.barChart = window.gkCharts.bar($("bar-chart"), data, { idBase: config.idBase, max: 30 });
      text($("bar-note"), window.barChart ? "" : "此结果没有“标签 + 数量”两列 · this result has no label + count columns");
    }).catch(function (e) { fail("bar-note", e); });
  }
  $("bar-query").addEventListener("change", drawBar);

  // --- deadline timeline ----------------------------------------------------------------
  function drawTimeline() {
    fetch("/charts/deadlines.json").then(function (r) { return r.json(); }).then(function (data) {
      var today = config.today ? Date.parse(config.today) : Date.now();
      var plans = [], points = { overdue: [], open: [] };
      data.items.forEach(function (d) {
        if (plans.indexOf(d.doc) < 0) plans.push(d.doc);
      });
      plans.sort();
      data.items.forEach(function (d) {
        var t = Date.parse(d.date);
        (t < today ? points.overdue : points.open).push({ x: t, y: plans.indexOf(d.doc), item: d });
      });
      var overdue = points.overdue.length, open = points.open.length;
      $("timeline").setAttribute("data-overdue", String(overdue));
      $("timeline").setAttribute("data-open", String(open));
      text($("timeline-note"), overdue + " 个已逾期，" + open + " 个未到期（今天 " + new Date(today).toISOString().slice(0, 10) +
        "） · " + overdue + " overdue, " + open + " due later than today");
      $("timeline").parentNode.style.height = Math.max(220, plans.length * 28 + 80) + "px";
      window.timelineChart = new window.Chart($("timeline"), {
        type: "scatter",
        data: { datasets: [
          { label: "已逾期 overdue", data: points.overdue, backgroundColor: "#c62828", pointRadius: 5 },
          { label: "未到期 upcoming", data: points.open, backgroundColor: "#2e7d32", pointRadius: 5 }] },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          scales: {
            x: { type: "linear", ticks: { callback: function (v) { return new Date(v).toISOString().slice(0, 7); } } },
            y: { type: "linear", min: -1, max: plans.length, reverse: true,
                 ticks: { stepSize: 1, callback: function (v) { return plans[v] || ""; } } }
          },
          plugins: { tooltip: { callbacks: { label: function (ctx) {
            var d = ctx.raw.item;
            return d.date + " " + d.phrase + " · " + d.label + " (" + d.task + ")";
          } } } },
          onClick: function (_, els) {
            if (!els.length) return;
            var ds = els[0].datasetIndex === 0 ? points.overdue : points.open;
            location.href = window.gkCharts.pageOf(ds[els[0].index].item.task, config.idBase);
          }
        }
      });
    }).catch(function (e) { fail("timeline-note", e); });
  }

  // --- regions ranked, with their GB/T 2260 codes ---------------------------------------------
  function drawRegions() {
    fetch("/api/regions").then(function (r) { return r.json(); }).then(function (data) {
      var items = data.items.slice().sort(function (a, b) { return b.tasks - a.tasks || (a.adminCode || "").localeCompare(b.adminCode || ""); });
      var max = Math.max.apply(null, items.map(function (i) { return i.tasks; }).concat([1]));
      var body = $("regions").querySelector("tbody");
      items.forEach(function (i, n) {
        var bar = el("span", { class: "bar" }); bar.style.width = (100 * i.tasks / max) + "%";
        body.appendChild(el("tr", {}, [el("td", { text: String(n + 1) }),
          el("td", {}, [el("a", { href: i.href, title: i.iri, text: i.label })]),
          el("td", { class: "code", text: i.adminCode || "—" }),
          el("td", { class: "num", text: String(i.tasks) }), el("td", { class: "barcell" }, [bar])]));
      });
    }).catch(function (e) { fail("regions-note", e); });
  }

  drawBar();
  drawTimeline();
  drawRegions();
})();
