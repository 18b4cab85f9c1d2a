/* The query page: editor, query library with parameter forms, sortable results, downloads
 * and permalinks. Everything from the server or the URL is put in the page with textContent
 * or as attribute values, never as markup. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var editor = $("sparql"), code = $("highlight");
  var state = { library: {}, lib: null, params: {}, result: null, raw: "", sort: null, dir: 1, filter: "" };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function bi(zh, en) { return [zh + " ", el("span", { class: "en", text: en })]; }
  // replaceChildren without the gaps: a left-out (null) part must not show up as "null"
  function fill(node, children) { node.replaceChildren.apply(node, children.filter(function (c) { return c; })); }

  function prologue() {
    return Object.keys(config.prefixes).map(function (p) {
      return "PREFIX " + p + ": <" + config.prefixes[p] + ">";
    }).join("\n");
  }
  var DEFAULT_QUERY = prologue() + "\n\n# 各方案的任务数 · Tasks per plan\n" +
    "SELECT ?docNumber ?title (COUNT(?task) AS ?tasks) WHERE {\n" +
    "  ?plan a gk:Plan ; gk:docNumber ?docNumber ; dcterms:title ?title .\n" +
    "  OPTIONAL { ?task gk:inPlan ?plan }\n} GROUP BY ?docNumber ?title ORDER BY DESC(?tasks)\n";

  // --- editor ---------------------------------------------------------------------------
  // A CONSTRUCT or DESCRIBE query can also be drawn: /graph/query runs it with the same limits.
  var GRAPH_FORM = /^\s*(?:(?:PREFIX|BASE)\b[^\n]*\n\s*)*(CONSTRUCT|DESCRIBE)\b/i;
  function updateGraphLink() {
    var text = editor.value.replace(/^\s*#[^\n]*$/gm, "");
    var link = $("as-graph");
    link.hidden = !GRAPH_FORM.test(text);
    link.setAttribute("href", "/graph/query?" + new URLSearchParams({ query: editor.value }).toString());
  }
  function repaint() {
    updateGraphLink();
    SparqlHighlight.paint(code, editor.value);
    code.parentNode.scrollTop = editor.scrollTop;
    code.parentNode.scrollLeft = editor.scrollLeft;
  }
  editor.addEventListener("input", function () {
    if (state.lib && editor.value !== state.library[state.lib].text) selectLibrary(null);
    repaint();
  });
  editor.addEventListener("scroll", repaint);
  editor.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); run(); }
    if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      var s = editor.selectionStart;
      editor.setRangeText("  ", s, editor.selectionEnd, "end");
      repaint();
    }
  });
  function setQuery(text) { editor.value = text; repaint(); }

  // --- library --------------------------------------------------------------------------
  function loadLibrary() {
    return fetch(config.library, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("library " + r.status);
      return r.json();
    }).then(function (data) {
      var list = $("lib-list");
      list.replaceChildren();
      data.items.forEach(function (q) {
        state.library[q.name] = q;
        var a = el("a", { href: "#lib=" + encodeURIComponent(q.name), title: q.description }, [
          el("span", { class: "zh", text: q.title_zh }), el("span", { class: "en", text: q.title_en })]);
        a.addEventListener("click", function (e) { e.preventDefault(); resetView(); selectLibrary(q.name, {}); showResults(null); });
        list.appendChild(el("li", { "data-search": (q.name + " " + q.title_zh + " " + q.title_en + " " + q.description).toLowerCase() }, [a]));
      });
    }).catch(function () {
      $("lib-list").replaceChildren(el("li", { text: "查询库无法加载 · the library could not be loaded" }));
    });
  }
  $("lib-filter").addEventListener("input", function () {
    var needle = this.value.toLowerCase();
    Array.prototype.forEach.call($("lib-list").children, function (li) {
      li.hidden = needle && (li.getAttribute("data-search") || "").indexOf(needle) < 0;
    });
  });

  // a row filter or sort belongs to one result: a new query starts without them
  function resetView() {
    state.filter = ""; state.sort = null; state.dir = 1;
    $("filter").value = "";
  }
  function selectLibrary(name, params) {
    var box = $("lib-form");
    state.lib = name;
    state.params = params || {};
    Array.prototype.forEach.call($("lib-list").querySelectorAll("a"), function (a) {
      a.classList.toggle("active", a.getAttribute("href") === "#lib=" + encodeURIComponent(name));
    });
    if (!name) { box.hidden = true; box.replaceChildren(); return; }
    var q = state.library[name];
    setQuery(q.text);
    var fields = q.params.map(function (p) {
      // the example is a real value: prefilled, so Run works at once (optional ones stay empty)
      if (state.params[p.name] === undefined && !p.optional) state.params[p.name] = p.example;
      var input = el("input", { name: p.name, placeholder: p.example, value: state.params[p.name] || "" });
      input.addEventListener("input", function () { state.params[p.name] = this.value; });
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") run(); });
      return el("label", {}, [el("span", { class: "pname", text: "?" + p.name + (p.optional ? "" : " *") }),
        input, el("small", { text: p.type + " — " + p.description })]);
    });
    fill(box, [el("h3", {}, [q.title_zh + " ", el("span", { class: "en", text: q.title_en })]),
      el("p", { text: q.description }),
      fields.length ? el("div", { class: "fields" }, fields)
        : el("p", { class: "muted" }, bi("无参数", "No parameters")),
      el("p", { class: "muted" }, bi("参数作为 RDF 值绑定，不拼接进查询文本。", "Parameters are bound as RDF terms, never pasted into the query text."))]);
    box.hidden = false;
  }

  // --- running ----------------------------------------------------------------------------
  var ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  var lastKey = null;
  function run() {
    var started = performance.now();
    var request;
    var key = state.lib ? state.lib + JSON.stringify(state.params) : editor.value;
    if (lastKey !== null && key !== lastKey) resetView();
    lastKey = key;
    if (state.lib) {
      var qs = new URLSearchParams();
      Object.keys(state.params).forEach(function (k) { if (state.params[k]) qs.append(k, state.params[k]); });
      request = fetch(config.library + "/" + encodeURIComponent(state.lib) + "?" + qs.toString(),
        { headers: { Accept: ACCEPT } });
    } else {
      request = fetch(config.endpoint, {
        method: "POST", headers: { Accept: ACCEPT, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ query: editor.value }).toString()
      });
    }
    status(bi("运行中…", "running…"));
    $("run").disabled = true;
    updatePermalink();
    request.then(function (r) {
      return r.text().then(function (body) { return { r: r, body: body }; });
    }).then(function (x) {
      var ms = Math.round(performance.now() - started);
      if (!x.r.ok) return showError(x.r, x.body);
      state.raw = x.body;
      state.contentType = x.r.headers.get("Content-Type") || "";
      var truncated = x.r.headers.get("X-Gazettekg-Truncated") === "true";
      if (state.contentType.indexOf("json") >= 0) {
        var parsed = JSON.parse(x.body);
        showResults(parsed, truncated);
        showSuggestions(parsed.suggestions);
      }
      else showGraph(x.body, truncated);
      // a query of one's own that answered goes into the history (editor.js)
      if (!state.lib && window.gkEditor) window.gkEditor.remember(editor.value);
      var rows = x.r.headers.get("X-Gazettekg-Rows") || "?";
      status(bi(rows + " 行", rows + " rows · " + ms + " ms"));
    }).catch(function (err) {
      showMessage("网络错误 · Network error", String(err), "检查服务是否在运行 · is the server running?");
      status([]);
    }).then(function () { $("run").disabled = false; });
  }
  $("run").addEventListener("click", run);
  $("reset").addEventListener("click", function () {
    resetView(); selectLibrary(null); setQuery(DEFAULT_QUERY); showResults(null); status([]); updatePermalink();
  });

  function status(children) { fill($("status"), children); }

  function showError(r, body) {
    var e = {};
    try { e = JSON.parse(body).error || {}; } catch (_) { e = { title: r.status + " " + r.statusText, detail: body.slice(0, 500) }; }
    var title = e.title || String(r.status);
    if (r.status === 503 && /timed out/i.test(title)) {
      title = "查询超时 · Query timed out (" + config.timeLimit + " s)";
    } else if (r.status === 400 && /syntax/i.test(title)) {
      title = "语法错误 · " + title;
      markPosition(e.detail || "");
    } else if (r.status === 403) {
      title = "已拒绝 · " + title;
    }
    showMessage(title, e.detail || "", e.hint || "", r.headers.get("Retry-After"));
    showResults(null);
    status([]);
  }
  function markPosition(detail) {
    var m = /error at (\d+):(\d+)/.exec(detail);
    if (!m) return;
    var lines = editor.value.split("\n"), line = +m[1], col = +m[2], offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    offset += Math.max(0, col - 1);
    editor.focus();
    editor.setSelectionRange(offset, Math.min(editor.value.length, offset + 1));
  }
  function showMessage(title, detail, hint, retry) {
    var box = $("message");
    fill(box, [el("strong", { text: title }), el("pre", { text: detail }),
      hint ? el("p", { class: "hint", text: "提示 Hint: " + hint }) : null,
      retry ? el("p", { class: "hint", text: "稍后重试 Retry after " + retry + " s" }) : null]);
    box.hidden = false;
  }

  // --- results ----------------------------------------------------------------------------
  function showResults(data, truncated) {
    $("message").hidden = !!data ? true : $("message").hidden;
    state.result = data;
    state.graph = null;
    if (data === null) { state.raw = ""; }
    renderTable(truncated);
  }
  function showGraph(text, truncated) {
    $("message").hidden = true;
    state.result = null;
    state.graph = text;
    var out = $("results");
    fill(out, [truncated ? truncNote() : null, el("pre", { class: "graph", text: text })]);
    $("downloads").hidden = false;
  }
  function truncNote() {
    return el("p", { class: "warn" }, bi("结果已截断：超过 " + config.rowLimit + " 行上限。",
      "Truncated at the row limit of " + config.rowLimit + ". Add LIMIT/OFFSET or narrow the query."));
  }

  function cellText(t) {
    if (!t) return "";
    if (t.type === "uri") return compact(t.value);
    if (t.type === "bnode") return "_:" + t.value;
    if (t.type === "triple") return "<< " + cellText(t.value.subject) + " " + cellText(t.value.predicate) + " " + cellText(t.value.object) + " >>";
    return t.value;
  }
  function compact(iri) {
    var best = iri;
    Object.keys(config.prefixes).forEach(function (p) {
      var ns = config.prefixes[p];
      if (iri.indexOf(ns) === 0 && iri.length - ns.length + p.length + 1 < best.length) best = p + ":" + iri.slice(ns.length);
    });
    return best;
  }
  function numeric(t) {
    return t && t.type === "literal" && t.datatype && /#(integer|decimal|double|float|int|long)$/.test(t.datatype);
  }
  function sortedRows() {
    var data = state.result, rows = data.results.bindings.slice();
    if (state.sort) {
      var v = state.sort, dir = state.dir;
      rows.sort(function (a, b) {
        var x = a[v], y = b[v];
        if (!x && !y) return 0; if (!x) return 1; if (!y) return -1;
        if (numeric(x) && numeric(y)) return dir * (parseFloat(x.value) - parseFloat(y.value));
        return dir * cellText(x).localeCompare(cellText(y), "zh-Hans-CN");
      });
    }
    if (state.filter) {
      var needle = state.filter.toLowerCase();
      rows = rows.filter(function (r) {
        return Object.keys(r).some(function (k) { return cellText(r[k]).toLowerCase().indexOf(needle) >= 0; });
      });
    }
    return rows;
  }
  function renderTable(truncated) {
    var out = $("results"), data = state.result;
    if (!data) { out.replaceChildren(); $("downloads").hidden = true; return; }
    $("downloads").hidden = false;
    if (typeof data.boolean === "boolean") {
      out.replaceChildren(el("p", { class: "boolean", text: data.boolean ? "是 true" : "否 false" }));
      return;
    }
    var vars = data.head.vars;
    var head = el("tr", {}, vars.map(function (v) {
      var mark = state.sort === v ? (state.dir > 0 ? " ▲" : " ▼") : "";
      var th = el("th", { scope: "col", tabindex: "0", title: "点击排序 · click to sort", text: "?" + v + mark });
      var toggle = function () {
        if (state.sort === v) state.dir = -state.dir; else { state.sort = v; state.dir = 1; }
        renderTable(truncated); updatePermalink();
      };
      th.addEventListener("click", toggle);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") toggle(); });
      return th;
    }));
    var body = el("tbody", {}, sortedRows().map(function (row) {
      return el("tr", {}, vars.map(function (v) { return el("td", {}, [sourceLink(v, row) || cell(row[v])]); }));
    }));
    fill(out, [truncated || data.truncated ? truncNote() : null,
      el("table", { class: "results" }, [el("thead", {}, [head]), body])]);
    if (window.gkCharts) drawChart();
  }
  // a name parameter that matched nothing: the names it may have meant, one click to use one
  function showSuggestions(found) {
    var old = $("suggestions");
    if (old) old.remove();
    if (!found || !state.lib) return;
    var box = el("div", { id: "suggestions", class: "warn", role: "status" });
    Object.keys(found).forEach(function (param) {
      var p = el("p", {}, ["没有找到 no rows for ", el("code", { text: param + "=" + (state.params[param] || "") }),
        " — 是否为 did you mean: "]);
      found[param].forEach(function (hit) {
        var b = el("button", { type: "button", class: "suggestion", "data-param": param, title: hit.iri, text: hit.label });
        b.addEventListener("click", function () {
          state.params[param] = hit.label;
          var input = $("lib-form").querySelector("input[name='" + param + "']");
          if (input) input.value = hit.label;
          run();
        });
        p.appendChild(b);
      });
      box.appendChild(p);
    });
    $("results").insertBefore(box, $("results").firstChild);
  }

  // a line number links to the gazette text there, through the row's task, target or plan
  var SOURCE_OWNERS = ["task/", "target/", "plan/"];
  function sourceLink(v, row) {
    var t = row[v];
    if (!t || !/line$/i.test(v) || !/^\d+$/.test(t.value)) return null;
    var owner = null;
    SOURCE_OWNERS.forEach(function (kind) {
      if (owner) return;
      Object.keys(row).forEach(function (k) {
        var x = row[k];
        if (!owner && x.type === "uri" && x.value.indexOf(config.idBase + kind) === 0) owner = x.value;
      });
    });
    if (!owner) return null;
    var href = "/source?" + new URLSearchParams({ iri: owner, line: t.value }).toString();
    return el("a", { href: href, class: "source-line num", title: "原文 source text", text: t.value });
  }
  // a label + count result is also drawn as bars (chart-results.js, vendored Chart.js)
  function drawChart() {
    if (state.chart) { state.chart.destroy(); state.chart = null; }
    if (!window.gkCharts.shape(state.result)) return;
    var canvas = el("canvas", { id: "result-chart", role: "img", "aria-label": "bar chart" });
    $("results").appendChild(el("div", { class: "chart-box" }, [canvas]));
    state.chart = window.gkCharts.bar(canvas, state.result, { idBase: config.idBase, max: 40 });
  }
  function cell(t) {
    if (!t) return null;
    var text = cellText(t);
    if (t.type === "uri") {
      var href = t.value.indexOf(config.idBase) === 0 ? "/id/" + t.value.slice(config.idBase.length)
        : (/^https?:\/\//.test(t.value) ? t.value : null);
      return href ? el("a", { href: href, title: t.value, text: text }) : el("span", { text: text });
    }
    var span = el("span", { text: text });
    if (t["xml:lang"]) span.appendChild(el("small", { class: "dt", text: " @" + t["xml:lang"] }));
    if (numeric(t)) span.className = "num";
    return span;
  }
  $("filter").addEventListener("input", function () { state.filter = this.value; renderTable(); updatePermalink(); });

  // --- downloads ----------------------------------------------------------------------------
  function download(name, type, text) {
    var a = el("a", { href: URL.createObjectURL(new Blob([text], { type: type })), download: name });
    document.body.appendChild(a); a.click(); a.remove();
  }
  function csvCell(s) { return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  $("dl-csv").addEventListener("click", function () {
    if (state.graph !== null && state.graph !== undefined) return download("result.ttl", "text/turtle", state.graph);
    var data = state.result;
    if (!data || !data.head.vars) return download("result.csv", "text/csv", "boolean\r\n" + data.boolean + "\r\n");
    var lines = [data.head.vars.map(csvCell).join(",")];
    sortedRows().forEach(function (r) {
      lines.push(data.head.vars.map(function (v) { return csvCell(r[v] ? r[v].value : ""); }).join(","));
    });
    download("result.csv", "text/csv;charset=utf-8", "\ufeff" + lines.join("\r\n") + "\r\n");
  });
  $("dl-json").addEventListener("click", function () {
    download(state.graph ? "result.ttl" : "result.json", state.graph ? "text/turtle" : "application/json", state.raw);
  });

  // --- permalinks: the hash holds query or library name, parameters, sort and filter ---------
  function updatePermalink() {
    var h = new URLSearchParams();
    if (state.lib) {
      h.set("lib", state.lib);
      Object.keys(state.params).forEach(function (k) { if (state.params[k]) h.set("p." + k, state.params[k]); });
    } else {
      h.set("query", editor.value);
    }
    if (state.sort) { h.set("sort", state.sort); h.set("dir", state.dir > 0 ? "asc" : "desc"); }
    if (state.filter) h.set("filter", state.filter);
    var url = location.pathname + "#" + h.toString();
    $("permalink").setAttribute("href", url);
    history.replaceState(null, "", url);
  }
  function restore() {
    var h = new URLSearchParams(location.hash.slice(1));
    state.sort = h.get("sort");
    state.dir = h.get("dir") === "desc" ? -1 : 1;
    state.filter = h.get("filter") || "";
    $("filter").value = state.filter;
    if (h.get("lib") && state.library[h.get("lib")]) {
      var params = {};
      h.forEach(function (v, k) { if (k.indexOf("p.") === 0) params[k.slice(2)] = v; });
      selectLibrary(h.get("lib"), params);
      run();
    } else if (h.get("query")) {
      selectLibrary(null);
      setQuery(h.get("query"));
      run();
    } else {
      setQuery(DEFAULT_QUERY);
    }
  }
  $("permalink").addEventListener("click", function (e) {
    e.preventDefault(); updatePermalink();
    if (navigator.clipboard) navigator.clipboard.writeText(location.href).catch(function () {});
    status(bi("链接已复制", "link copied"));
  });

  setQuery(DEFAULT_QUERY);
  loadLibrary().then(restore);
})();
