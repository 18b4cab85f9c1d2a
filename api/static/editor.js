/* The query editor's helpers: completion of prefixes and of the ontology's terms, a warning
 * for a gk: name the ontology does not declare (gk:Taks), and a history of the queries run
 * (localStorage). The vocabulary comes from /api/vocabulary (read from the ontology; no
 * network). It works on the page's #sparql textarea and adds its own elements. */
(function () {
  "use strict";
  var editor = document.getElementById("sparql");
  if (!editor) return;
  var vocab = { prefixes: {}, closed: {}, terms: [] };
  var box = document.getElementById("editor");
  var list = document.createElement("ul");
  list.id = "completion"; list.setAttribute("role", "listbox"); list.hidden = true;
  box.appendChild(list);
  var warning = document.createElement("div");
  warning.id = "vocab-warning"; warning.className = "warn"; warning.setAttribute("role", "status"); warning.hidden = true;
  box.parentNode.insertBefore(warning, box.nextSibling);
  var items = [], active = 0, word = null;

  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text) n.textContent = text;
    return n;
  }

  // --- completion ------------------------------------------------------------------------
  function wordBeforeCaret() {
    var upto = editor.value.slice(0, editor.selectionStart);
    var m = /(?:^|[\s{}().;,^|\/!])([A-Za-z][\w-]*:?[\w-]*)$/.exec(upto);
    return m ? { text: m[1], start: editor.selectionStart - m[1].length } : null;
  }
  function candidates(text) {
    var lower = text.toLowerCase();
    if (text.indexOf(":") < 0) {
      return Object.keys(vocab.prefixes).filter(function (p) { return p.indexOf(lower) === 0; }).map(function (p) {
        return { insert: p + ":", label: p + ":", hint: vocab.prefixes[p] };
      });
    }
    // the shortest first: what was typed is most likely the whole of a short name
    return vocab.terms.filter(function (t) { return t.term.toLowerCase().indexOf(lower) === 0; }).sort(function (a, b) {
      return a.term.length - b.term.length || (a.term < b.term ? -1 : 1);
    }).map(function (t) {
      return { insert: t.term, label: t.term, hint: (t.zh ? t.zh + " · " : "") + (t.en || "") + " (" + t.kind + ")" };
    });
  }
  function close() { list.hidden = true; items = []; word = null; }
  function show() {
    word = wordBeforeCaret();
    if (!word || word.text.length < 2) return close();
    items = candidates(word.text).slice(0, 12);
    if (!items.length || (items.length === 1 && items[0].insert === word.text)) return close();
    active = 0;
    list.replaceChildren.apply(list, items.map(function (c, i) {
      var li = el("li", { role: "option", "data-term": c.insert });
      li.appendChild(el("code", {}, c.label));
      li.appendChild(el("small", {}, " " + c.hint));
      li.addEventListener("mousedown", function (e) { e.preventDefault(); accept(i); });
      return li;
    }));
    mark();
    list.hidden = false;
  }
  function mark() {
    Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", String(i === active)); });
  }
  function accept(i) {
    var c = items[i];
    editor.setRangeText(c.insert, word.start, editor.selectionStart, "end");
    close();
    editor.dispatchEvent(new Event("input"));  // the page repaints its highlighting
    editor.focus();
  }
  editor.addEventListener("keydown", function (e) {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length; mark();
    } else if (e.key === "Enter" || e.key === "Tab") {
      if (e.ctrlKey || e.metaKey) return;
      accept(active);
    } else if (e.key === "Escape") {
      close();
    } else {
      return;
    }
    e.preventDefault(); e.stopImmediatePropagation();
  }, true);
  editor.addEventListener("input", function (e) { if (e.isTrusted) show(); check(); });
  editor.addEventListener("blur", function () { setTimeout(close, 150); check(); });

  // --- terms the ontology does not declare -----------------------------------------------------
  function distance(a, b) {
    var d = [], i, j;
    for (i = 0; i <= a.length; i++) { d[i] = [i]; }
    for (j = 1; j <= b.length; j++) { d[0][j] = j; }
    for (i = 1; i <= a.length; i++) for (j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  }
  function nearest(term) {
    var best = null, score = 4;
    vocab.terms.forEach(function (t) {
      var s = distance(term.toLowerCase(), t.term.toLowerCase());
      if (s < score) { score = s; best = t.term; }
    });
    return best;
  }
  function unknownTerms(text) {
    // comments, strings and <IRIs> are not names
    var code = text.replace(/#[^\n]*/g, " ").replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ").replace(/<[^>\s]*>/g, " ");
    var known = {}, seen = {}, out = [];
    vocab.terms.forEach(function (t) { known[t.term] = true; });
    Object.keys(vocab.closed).forEach(function (p) {
      var re = new RegExp("(^|[^\\w:])" + p + ":([A-Za-z_][\\w-]*)", "g"), m;
      while ((m = re.exec(code))) {
        var term = p + ":" + m[2].replace(/[.-]+$/, "");
        if (!known[term] && !seen[term]) { seen[term] = true; out.push(term); }
      }
    });
    return out;
  }
  var timer = null;
  function check() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      // the name being typed at the caret is not finished yet: judge it once the caret leaves
      var typing = document.activeElement === editor ? wordBeforeCaret() : null;
      var bad = unknownTerms(editor.value).filter(function (t) { return !typing || typing.text !== t; });
      warning.hidden = !bad.length;
      warning.replaceChildren.apply(warning, bad.map(function (t) {
        var p = el("p", { "data-term": t });
        p.appendChild(el("code", {}, t));
        p.appendChild(document.createTextNode(" 不在词表中 · is not in the vocabulary"));
        var near = nearest(t);
        if (near) {
          p.appendChild(document.createTextNode(" — 是否为 did you mean "));
          p.appendChild(el("code", { class: "suggestion" }, near));
          p.appendChild(document.createTextNode("?"));
        }
        return p;
      }));
    }, 150);
  }

  // --- history ---------------------------------------------------------------------------
  var KEY = "gazettekg.history", MAX = 30;
  var picker = el("select", { id: "history", "aria-label": "查询历史 query history" });
  function history() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (_) { return []; }
  }
  function renderHistory() {
    var h = history();
    picker.replaceChildren(el("option", { value: "" }, "历史 History (" + h.length + ")"));
    h.forEach(function (q, i) {
      var first = q.replace(/^(\s*(PREFIX|BASE)[^\n]*\n)*/i, "").replace(/\s+/g, " ").trim();
      picker.appendChild(el("option", { value: String(i), title: q }, first.slice(0, 80)));
    });
  }
  function remember(text) {
    var h = history().filter(function (q) { return q !== text; });
    h.unshift(text);
    try { localStorage.setItem(KEY, JSON.stringify(h.slice(0, MAX))); } catch (_) { /* storage full or off */ }
    renderHistory();
  }
  picker.addEventListener("change", function () {
    var h = history(), i = parseInt(picker.value, 10);
    if (!isNaN(i) && h[i]) { editor.value = h[i]; editor.dispatchEvent(new Event("input")); }
    picker.value = "";
  });
  var actions = document.querySelector(".actions");
  if (actions) actions.insertBefore(picker, document.getElementById("status"));
  renderHistory();
  fetch("/api/vocabulary").then(function (r) { return r.json(); }).then(function (v) {
    vocab = v;
    check();
  }).catch(function () { /* no completion, the editor still works */ });

  window.gkEditor = { unknownTerms: unknownTerms, candidates: candidates, remember: remember, history: history };
})();
