/* Charts of SPARQL results with the vendored Chart.js (no network): a bar chart for any
 * result with a label column and a count column; labels on the bars, the IRI on hover and
 * on click. Used by the query page and /charts. */
(function () {
  "use strict";
  var NUMERIC = /#(integer|decimal|double|float|int|long|short|nonNegativeInteger)$/;
  function isNum(t) { return t && t.type === "literal" && t.datatype && NUMERIC.test(t.datatype); }

  // {label, count, iri} columns of a SELECT result, or null when it has no label+count shape
  function shape(data) {
    if (!data || !data.head || !data.head.vars || !data.results) return null;
    var rows = data.results.bindings, vars = data.head.vars;
    if (!rows.length) return null;
    function every(v, test) { return rows.every(function (r) { return !r[v] || test(r[v]); }); }
    var count = vars.filter(function (v) { return every(v, isNum) && rows.some(function (r) { return r[v]; }); })[0];
    var label = vars.filter(function (v) {
      return v !== count && every(v, function (t) { return t.type === "literal" && !isNum(t); }) &&
        rows.some(function (r) { return r[v]; });
    })[0];
    var iri = vars.filter(function (v) { return every(v, function (t) { return t.type === "uri"; }); })[0];
    if (!count || !(label || iri)) return null;
    return { label: label, count: count, iri: iri };
  }

  function pageOf(iri, idBase) {
    return iri && idBase && iri.indexOf(idBase) === 0 ? "/id/" + iri.slice(idBase.length) : iri;
  }

  // draw a horizontal bar chart of `data` into `canvas`; returns the Chart or null
  function bar(canvas, data, opts) {
    var s = shape(data);
    if (!s || !window.Chart) return null;
    opts = opts || {};
    var rows = data.results.bindings.filter(function (r) { return r[s.count]; }).slice(0, opts.max || 40);
    var labels = rows.map(function (r) { return r[s.label] ? r[s.label].value : r[s.iri].value; });
    var iris = rows.map(function (r) { return s.iri && r[s.iri] ? r[s.iri].value : null; });
    canvas.parentNode.style.height = Math.max(160, rows.length * 22 + 60) + "px";
    var chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: [{ label: s.count, data: rows.map(function (r) { return +r[s.count].value; }),
        backgroundColor: "#a3262a" }] },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          afterLabel: function (ctx) { return iris[ctx.dataIndex] || ""; } } } },
        onClick: function (_, elements) {
          if (elements.length && iris[elements[0].index]) location.href = pageOf(iris[elements[0].index], opts.idBase);
        }
      }
    });
    canvas.setAttribute("data-bars", String(rows.length));
    canvas.setAttribute("data-iris", JSON.stringify(iris));
    return chart;
  }

  window.gkCharts = { shape: shape, bar: bar, pageOf: pageOf };
})();
