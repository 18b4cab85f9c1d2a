/* GazetteKG graph page: draws the view in #graph-data with vis-network.
 *
 * Every value from the graph reaches the page through textContent (or a DOM property
 * such as option.value); nothing from the data is ever parsed as HTML, and vis-network
 * gets no `title` (its tooltips would parse HTML). Links are made only to this
 * service's /id/ pages or to http(s) IRIs.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var links = data.links;
  var byId = new Map();
  var adjacency = new Map();
  var styles = new Map(data.classes.map(function (c) { return [c.name, c]; }));
  var edgeKeys = new Set();
  var edgeSeq = 0;
  var applied = { plans: "", units: "", regions: "" };
  var panel = document.getElementById("panel");
  var message = document.getElementById("filter-message");

  // --- small DOM helpers: text only ---------------------------------------------------------
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function bilingual(zh, en) {
    var span = el("span", zh + " ");
    span.appendChild(el("span", en, "en"));
    return span;
  }
  function pageHref(iri) {
    if (typeof iri !== "string") return null;
    if (links.idBase && iri.indexOf(links.ns) === 0) {
      return links.idBase + iri.slice(links.ns.length).split("/").map(encodeURIComponent).join("/");
    }
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  // --- data → vis ---------------------------------------------------------------------------
  function styleOf(cls) {
    return styles.get(cls) || { color: "#c7c7c7", shape: "dot", label: cls };
  }
  function visNode(n) {
    var s = styleOf(n.cls);
    var v = {
      id: n.id, label: n.label, shape: s.shape, size: n.size,
      color: { background: s.color, border: shade(s.color), highlight: { background: s.color, border: "#111" },
               hover: { background: s.color, border: "#111" } },
      font: { size: Math.round((n.cls === "Plan" || n.cls === "Conflict" ? 20 : 10) + n.size / 4) },
      borderWidth: n.id === data.seed ? 4 : 1
    };
    if (typeof n.x === "number") { v.x = n.x; v.y = n.y; }
    return v;
  }
  function shade(hex) {
    var n = parseInt(hex.slice(1), 16);
    var f = function (c) { return Math.max(0, Math.round(c * 0.7)); };
    return "rgb(" + f(n >> 16) + "," + f((n >> 8) & 255) + "," + f(n & 255) + ")";
  }
  var EDGE_STYLE = {
    structure: { color: { color: "#c3ccd6", highlight: "#555", hover: "#555" }, width: 1 },
    related: { color: { color: "#f28e2b", highlight: "#a85400", hover: "#a85400" }, width: 2.5 },
    conflict: { color: { color: "#d62728", highlight: "#8b0000", hover: "#8b0000" }, width: 2.5, dashes: [6, 4] }
  };
  function visEdge(e) {
    var s = EDGE_STYLE[e.kind] || EDGE_STYLE.structure;
    edgeSeq += 1;
    return { id: "e" + edgeSeq, from: e.from, to: e.to, color: s.color, width: s.width, dashes: s.dashes || false };
  }
  function addData(nodes, edges) {
    var newNodes = [], newEdges = [];
    nodes.forEach(function (n) {
      if (byId.has(n.id)) { byId.get(n.id).more = Math.min(byId.get(n.id).more, n.more); return; }
      byId.set(n.id, n);
      adjacency.set(n.id, new Set());
      newNodes.push(n);
    });
    edges.forEach(function (e) {
      var key = e.from + "\u0000" + e.to + "\u0000" + e.label;
      if (edgeKeys.has(key) || !byId.has(e.from) || !byId.has(e.to)) return;
      edgeKeys.add(key);
      adjacency.get(e.from).add(e.to);
      adjacency.get(e.to).add(e.from);
      var v = visEdge(e);
      e.visId = v.id;
      edgeData.set(v.id, e);
      newEdges.push(v);
    });
    return { nodes: newNodes, edges: newEdges };
  }

  var edgeData = new Map();
  var first = addData(data.nodes, data.edges);
  var nodeSet = new vis.DataSet(first.nodes.map(visNode));
  var edgeSet = new vis.DataSet(first.edges);
  var big = data.nodes.length >= 500;
  var options = {
    autoResize: true,
    nodes: { font: { face: "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", color: "#1f2933",
                     strokeWidth: 3, strokeColor: "rgba(255,255,255,0.9)" },
             scaling: { label: { drawThreshold: data.nodes.length >= 200 ? 8 : 6 } } },
    edges: { smooth: false, selectionWidth: 1.5, hoverWidth: 0.5 },
    interaction: { hover: !big, hideEdgesOnDrag: big, hideEdgesOnZoom: big, tooltipDelay: 3600000,
                   multiselect: false, navigationButtons: false, keyboard: false },
    layout: { improvedLayout: !data.static && data.nodes.length < 120, randomSeed: 7 },
    physics: data.static ? false : {
      solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -60, centralGravity: 0.008, springLength: 90, springConstant: 0.06,
                          avoidOverlap: 0.4 },
      stabilization: { enabled: true, iterations: 400, updateInterval: 40, fit: true },
      minVelocity: 1.5
    }
  };
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodeSet, edges: edgeSet }, options);
  var progress = document.getElementById("progress");
  window.gazetteGraph = { network: network, nodes: nodeSet, edges: edgeSet, data: data, focus: focusNode,
                          show: showNode, stableAt: null };

  // --- stable: physics off once the layout has settled ----------------------------------------
  var stable = false;
  function settle() {
    if (stable) return;
    stable = true;
    network.setOptions({ physics: false });
    network.fit({ animation: false });
    progress.textContent = "";
    window.gazetteGraph.stableAt = performance.now();  // for bench/viz.py
    document.body.dataset.state = "stable";
  }
  if (data.static || data.nodes.length === 0) {
    network.once("afterDrawing", settle);
    if (data.nodes.length === 0) settle();
  } else {
    network.on("stabilizationProgress", function (p) {
      progress.textContent = "布局中 Laying out… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", settle);
    network.once("stabilized", settle);
  }

  // --- duplicate groups: a soft disc behind each group --------------------------------------
  if (data.hulls) {
    network.on("beforeDrawing", function (ctx) {
      var groups = new Map();
      byId.forEach(function (n) {
        if (!n.group) return;
        var item = nodeSet.get(n.id);
        if (!item || item.hidden) return;
        if (!groups.has(n.group)) groups.set(n.group, []);
        groups.get(n.group).push(n.id);
      });
      groups.forEach(function (members, name) {
        if (members.length < 2) return;
        var pos = network.getPositions(members);
        var hull = convexHull(members.map(function (id) { return [pos[id].x, pos[id].y]; }));
        var top = hull.reduce(function (best, p) { return p[1] < best[1] ? p : best; }, hull[0]);
        ctx.save();
        ctx.beginPath();
        hull.forEach(function (p, i) { if (i) ctx.lineTo(p[0], p[1]); else ctx.moveTo(p[0], p[1]); });
        ctx.closePath();
        ctx.lineJoin = "round";
        ctx.lineWidth = 56;  // a thick round stroke pads the hull by 28 px on every side
        ctx.strokeStyle = "rgba(242,142,43,0.10)";
        ctx.fillStyle = "rgba(242,142,43,0.10)";
        ctx.stroke();
        ctx.fill();
        ctx.font = "bold 13px system-ui, sans-serif";
        ctx.fillStyle = "rgba(168,84,0,0.95)";
        ctx.textAlign = "center";
        ctx.fillText(name, top[0], top[1] - 32);
        ctx.restore();
      });
    });
  }
  function convexHull(points) {  // Andrew's monotone chain
    points = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (points.length < 3) return points;
    var cross = function (o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); };
    var lower = [], upper = [];
    points.forEach(function (p) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
      lower.push(p);
    });
    points.slice().reverse().forEach(function (p) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
      upper.push(p);
    });
    return lower.slice(0, -1).concat(upper.slice(0, -1));
  }

  // --- header, notes, legend --------------------------------------------------------------------
  var counts = document.getElementById("counts");
  function updateCounts() {
    var shown = nodeSet.get({ filter: function (n) { return !n.hidden; } }).length;
    counts.textContent = shown === nodeSet.length
      ? nodeSet.length + " 节点 nodes · " + edgeSet.length + " 边 edges"
      : shown + " / " + nodeSet.length + " 节点 nodes shown";
  }
  var notes = document.getElementById("notes");
  data.notes.forEach(function (text, i) {
    var p = el("p", text, "note");
    if (i === 0 && data.hidden && data.seed && links.entity) {
      p.appendChild(document.createTextNode(" "));
      var a = el("a", "显示更多 Show more");
      a.href = links.entity + "?iri=" + encodeURIComponent(data.seed) + "&hops=" + data.hops +
        "&cap=" + Math.min(2000, data.cap * 2);
      p.appendChild(a);
    } else if (i === 0 && data.hidden && data.seed) {
      p.appendChild(document.createTextNode(" 用 gazettekg viz entity --cap 导出更多。Export more with --cap."));
    }
    notes.appendChild(p);
  });

  var legend = document.getElementById("legend");
  var checks = new Map();
  function countBy(cls) {
    var k = 0;
    byId.forEach(function (n) { if (n.cls === cls) k += 1; });
    return k;
  }
  data.classes.forEach(function (c) {
    var row = el("label", null, "legend-row");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = c.name;
    box.dataset.cls = c.name;
    box.addEventListener("change", applyFilters);
    checks.set(c.name, box);
    var swatch = el("span", null, "swatch shape-" + c.shape);
    swatch.style.background = c.color;
    row.appendChild(box);
    row.appendChild(swatch);
    row.appendChild(el("span", c.label, "legend-label"));
    row.appendChild(el("span", String(countBy(c.name)), "legend-count"));
    legend.appendChild(row);
  });
  var edgeLegend = document.getElementById("edge-legend");
  data.edgeKinds.forEach(function (k) {
    var row = el("div", null, "legend-row");
    var line = el("span", null, "edge-swatch edge-" + k.name);
    row.appendChild(line);
    row.appendChild(el("span", k.label, "legend-label"));
    edgeLegend.appendChild(row);
  });

  // --- filters: plan, unit, region, class — never a blank graph --------------------------------
  var selects = { plans: document.getElementById("filter-plans"), units: document.getElementById("filter-units"),
                  regions: document.getElementById("filter-regions") };
  function fillSelects() {
    Object.keys(selects).forEach(function (kind) {
      var select = selects[kind], current = select.value, options = new Map();
      byId.forEach(function (n) {
        n[kind].forEach(function (r) {
          var o = options.get(r[0]) || { label: r[1], count: 0 };
          o.count += 1;
          options.set(r[0], o);
        });
      });
      select.replaceChildren();
      var all = el("option", "全部 All (" + options.size + ")");
      all.value = "";
      select.appendChild(all);
      Array.from(options.entries()).sort(function (a, b) { return a[1].label.localeCompare(b[1].label, "zh"); })
        .forEach(function (entry) {
          var o = el("option", entry[1].label + " (" + entry[1].count + ")");
          o.value = entry[0];
          select.appendChild(o);
        });
      select.value = current;
      select.disabled = options.size === 0;
      select.onchange = applyFilters;
    });
  }
  function wanted() {
    var w = {};
    Object.keys(selects).forEach(function (k) { w[k] = selects[k].value; });
    return w;
  }
  function restore(prev, classes) {
    Object.keys(selects).forEach(function (k) { selects[k].value = prev[k]; });
    checks.forEach(function (box, cls) { box.checked = classes.has(cls); });
  }
  var appliedClasses = new Set(data.classes.map(function (c) { return c.name; }));
  function applyFilters() {
    var w = wanted(), active = Object.keys(w).filter(function (k) { return w[k]; });
    var classes = new Set();
    checks.forEach(function (box, cls) { if (box.checked) classes.add(cls); });
    var visible = new Set(), matching = 0;
    byId.forEach(function (n) {
      if (!classes.has(n.cls)) return;
      var ok = active.every(function (k) { return n[k].some(function (r) { return r[0] === w[k]; }); });
      if (ok) { visible.add(n.id); matching += 1; }
    });
    if (visible.size === 0) {
      message.textContent = active.length
        ? "没有节点符合这些条件，图保持不变。No node matches this filter; the graph is left as it was."
        : "至少保留一个类别。Keep at least one class; the graph is left as it was.";
      message.className = "message warn";
      restore(applied, appliedClasses);
      return;
    }
    if (active.length) {
      Array.from(visible).forEach(function (id) {
        adjacency.get(id).forEach(function (m) { if (classes.has(byId.get(m).cls)) visible.add(m); });
      });
      message.textContent = "显示 " + matching + " 个匹配节点及 " + (visible.size - matching) + " 个相邻节点。Showing " +
        matching + " matching nodes and " + (visible.size - matching) + " neighbours.";
    } else {
      message.textContent = "";
    }
    message.className = "message";
    applied = w;
    appliedClasses = classes;
    var changes = [];
    nodeSet.forEach(function (item) {
      var hide = !visible.has(item.id);
      if (!!item.hidden !== hide) changes.push({ id: item.id, hidden: hide });
    });
    nodeSet.update(changes);
    updateCounts();
  }
  document.getElementById("reset").addEventListener("click", function () {
    Object.keys(selects).forEach(function (k) { selects[k].value = ""; });
    checks.forEach(function (box) { box.checked = true; });
    applyFilters();
    network.fit({ animation: false });
  });

  // --- search: by label, focuses the node ---------------------------------------------------------
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  function matches(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    var found = [];
    byId.forEach(function (n) {
      var item = nodeSet.get(n.id);
      if (item && !item.hidden && (n.label + "\n" + n.title).toLowerCase().indexOf(q) >= 0) found.push(n);
    });
    found.sort(function (a, b) {
      return (a.label.toLowerCase().indexOf(q) === 0 ? 0 : 1) - (b.label.toLowerCase().indexOf(q) === 0 ? 0 : 1) ||
        b.degree - a.degree;
    });
    return found;
  }
  search.addEventListener("input", function () {
    results.replaceChildren();
    var found = matches(search.value);
    if (search.value.trim() && !found.length) results.appendChild(el("li", "无匹配 No match", "none"));
    found.slice(0, 12).forEach(function (n) {
      var li = el("li"), b = el("button", n.label, "result");
      b.type = "button";
      b.appendChild(el("span", styleOf(n.cls).label, "cls"));
      b.addEventListener("click", function () { focusNode(n.id); });
      li.appendChild(b);
      results.appendChild(li);
    });
    if (found.length > 12) results.appendChild(el("li", "… " + (found.length - 12) + " more", "none"));
  });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = matches(search.value);
      if (found.length) focusNode(found[0].id);
    }
  });
  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 300 } });
    showNode(id);
  }

  // --- side panel: the full record of a node or an edge -----------------------------------------------
  function section(parent, zh, en, build) {
    var s = el("section");
    var h = el("h3");
    h.appendChild(bilingual(zh, en));
    s.appendChild(h);
    build(s);
    parent.appendChild(s);
  }
  function refList(parent, refs) {
    var ul = el("ul", null, "refs");
    refs.forEach(function (r) {
      var li = el("li");
      if (byId.has(r[0])) {
        var b = el("button", r[1], "ref");
        b.type = "button";
        b.addEventListener("click", function () { focusNode(r[0]); });
        li.appendChild(b);
      } else {
        li.textContent = r[1];
      }
      ul.appendChild(li);
    });
    parent.appendChild(ul);
  }
  function textList(parent, items) {
    var ul = el("ul", null, "plain");
    items.forEach(function (t) { ul.appendChild(el("li", t)); });
    parent.appendChild(ul);
  }
  function showHint() {
    panel.replaceChildren(el("p", "点击节点查看原文、方案、单位、时限和目标。", "hint"),
                          el("p", "Click a node for its source text, plan, units, deadlines and targets.", "hint en"));
  }
  function showNode(id) {
    var n = byId.get(id);
    if (!n) return;
    panel.replaceChildren();
    panel.dataset.node = id;
    var badge = el("span", styleOf(n.cls).label, "badge");
    badge.style.background = styleOf(n.cls).color;
    panel.appendChild(badge);
    panel.appendChild(el("h2", n.title || n.label, "node-title"));
    if (n.text) {
      section(panel, n.cls === "Conflict" ? "说明" : "原文", n.cls === "Conflict" ? "Finding" : "Source text",
              function (s) { s.appendChild(el("p", n.text, "source-text")); });
    }
    if (n.line || n.plans.length) {
      section(panel, "出处", "Source", function (s) {
        if (n.line) {
          var where = el("p", "第 " + n.line + (n.endLine && n.endLine !== n.line ? "–" + n.endLine : "") +
            " 行 · line" + (n.endLine && n.endLine !== n.line ? "s " + n.line + "–" + n.endLine : " " + n.line),
            "source-line");
          if (links.idBase) {  // served: the gazette text around the line (/source)
            var src = el("a", " 原文 source text", "source-link");
            src.href = "/source?iri=" + encodeURIComponent(id);
            where.appendChild(src);
          }
          s.appendChild(where);
        }
        if (n.plans.length) refList(s, n.plans);
      });
    }
    if (n.units.length && n.cls !== "Unit") {
      section(panel, "单位", "Units", function (s) {
        var lead = new Set(n.leadUnits.map(function (r) { return r[0]; }));
        refList(s, n.units.map(function (r) { return [r[0], r[1] + (lead.has(r[0]) ? "（牵头 lead）" : "")]; }));
      });
    }
    if (n.regions.length && n.cls !== "Region") section(panel, "地区", "Regions", function (s) { refList(s, n.regions); });
    if (n.deadlines.length) section(panel, "时限", "Deadlines", function (s) { textList(s, n.deadlines); });
    if (n.targets.length) section(panel, "目标", "Targets", function (s) { textList(s, n.targets); });
    if (n.fields.length) {
      section(panel, "属性", "Properties", function (s) {
        var dl = el("dl");
        n.fields.forEach(function (f) { dl.appendChild(el("dt", f[0])); dl.appendChild(el("dd", f[1])); });
        s.appendChild(dl);
      });
    }
    section(panel, "连接", "Connections", function (s) {
      var k = adjacency.get(id).size;
      s.appendChild(el("p", "本图中 " + k + " 个相邻节点 · " + k + " neighbours in this view"));
      if (n.more > 0) {
        s.appendChild(el("p", "还有 " + n.more + " 个未显示 · " + n.more + " more not shown", "more"));
        if (links.expand) {
          var b = el("button", "展开 Expand", "expand");
          b.type = "button";
          b.addEventListener("click", function () { expand(id, b); });
          s.appendChild(b);
        } else {
          s.appendChild(el("p", "展开需要服务：gazettekg serve，或用 gazettekg viz entity 导出此节点。" +
            "Expanding needs the service, or export this node with gazettekg viz entity.", "hint"));
        }
      }
      var nav = el("p", null, "links");
      var href = pageHref(id);
      if (href) {
        var a = el("a", "实体页 Entity page");
        a.href = href;
        a.className = "entity-link";
        nav.appendChild(a);
      }
      if (links.entity && href) {
        var b2 = el("a", "邻域图 Neighbourhood");
        b2.href = links.entity + "?iri=" + encodeURIComponent(id);
        nav.appendChild(b2);
      }
      nav.appendChild(el("code", id, "iri"));
      s.appendChild(nav);
    });
  }
  function showEdge(visId) {
    var e = edgeData.get(visId);
    if (!e) return;
    panel.replaceChildren();
    delete panel.dataset.node;
    panel.appendChild(el("span", e.label, "badge edge-badge"));
    [e.from, e.to].forEach(function (id) {
      var b = el("button", byId.get(id).title || byId.get(id).label, "ref");
      b.type = "button";
      b.addEventListener("click", function () { focusNode(id); });
      panel.appendChild(el("p")).appendChild(b);
    });
    if (e.fields.length) {
      section(panel, "证据", "Evidence", function (s) {
        var dl = el("dl");
        e.fields.forEach(function (f) { dl.appendChild(el("dt", f[0])); dl.appendChild(el("dd", f[1])); });
        s.appendChild(dl);
      });
    }
  }
  network.on("click", function (params) {
    if (params.nodes.length) showNode(params.nodes[0]);
    else if (params.edges.length) showEdge(params.edges[0]);
    else showHint();
  });

  // --- expanding a node in place (served pages only) -----------------------------------------------
  function expand(id, button) {
    button.disabled = true;
    button.textContent = "载入中 Loading…";
    var url = links.expand + "?iri=" + encodeURIComponent(id) + "&hops=1&cap=" + (data.cap || 150);
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.json();
    }).then(function (more) {
      var centre = network.getPositions([id])[id];
      var added = addData(more.nodes, more.edges);
      added.nodes.forEach(function (n, i) {
        var angle = 2 * Math.PI * i / added.nodes.length, radius = 120 + 6 * added.nodes.length;
        n.x = centre.x + radius * Math.cos(angle);
        n.y = centre.y + radius * Math.sin(angle);
      });
      more.nodes.forEach(function (n) { if (byId.has(n.id)) byId.get(n.id).more = n.more; });
      nodeSet.add(added.nodes.map(visNode));
      edgeSet.add(added.edges);
      fillSelects();
      applyFilters();
      showNode(id);
    }).catch(function (err) {
      button.disabled = false;
      button.textContent = "展开失败 Expand failed (" + err.message + ")";
    });
  }

  fillSelects();
  updateCounts();
  showHint();

  // served and reached by GET: the same view as a file for Gephi (GraphML, GEXF)
  var nav = document.querySelector("header.bar nav");
  if (links.idBase && nav && /^\/graph\/(overview|cross|entity|query)$/.test(location.pathname) &&
      (location.pathname !== "/graph/query" || location.search)) {
    ["graphml", "gexf"].forEach(function (fmt) {
      var a = el("a", fmt === "graphml" ? "GraphML" : "GEXF", "download-" + fmt);
      a.href = location.pathname + "." + fmt + location.search;
      a.title = "下载供 Gephi 使用 · download for Gephi";
      nav.appendChild(a);
    });
  }
})();
