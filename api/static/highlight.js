/* SPARQL syntax highlighting, hand-written so the page needs no network and no build step.
 * tokenize(text) splits the text into [kind, text] pairs that join back to the input;
 * paint(code, text) fills an element with one text node or span per token, so the query
 * text is never parsed as markup. */
(function (global) {
  "use strict";
  var KEYWORDS = ("SELECT ASK CONSTRUCT DESCRIBE WHERE FROM NAMED PREFIX BASE DISTINCT REDUCED " +
    "OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND VALUES UNDEF AS GROUP BY ORDER ASC DESC " +
    "HAVING LIMIT OFFSET NOT EXISTS IN A STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS " +
    "CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE " +
    "STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 " +
    "SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR " +
    "REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR TRUE FALSE").split(" ");
  var KW = {};
  KEYWORDS.forEach(function (k) { KW[k] = true; });

  var RULES = [
    ["comment", /#[^\n\r]*/y],
    ["string", /'''(?:[^'\\]|\\[\s\S]|'(?!''))*(?:'''|$)|"""(?:[^"\\]|\\[\s\S]|"(?!""))*(?:"""|$)|'(?:[^'\\\n\r]|\\.)*'?|"(?:[^"\\\n\r]|\\.)*"?/y],
    ["iri", /<[^<>"{}|^`\\\x00-\x20]*>/y],
    ["variable", /[?$][\w\u00B7\u00C0-\uFFFF]+/y],
    ["pname", /(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00C0-\uFFFF]*)?:(?:[\w\-.:%\u00C0-\uFFFF]|\\.)*/y],
    ["word", /[A-Za-z_][\w]*/y],
    ["number", /[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/y],
    ["space", /\s+/y],
    ["punct", /[\s\S]/y]
  ];

  function tokenize(text) {
    var out = [], pos = 0;
    while (pos < text.length) {
      for (var i = 0; i < RULES.length; i++) {
        var re = RULES[i][1];
        re.lastIndex = pos;
        var m = re.exec(text);
        if (m && m[0].length) {
          var kind = RULES[i][0];
          if (kind === "word") kind = KW[m[0].toUpperCase()] ? "keyword" : "name";
          out.push([kind, m[0]]);
          pos += m[0].length;
          break;
        }
      }
    }
    return out;
  }

  function paint(el, text) {
    var frag = document.createDocumentFragment();
    tokenize(text).forEach(function (t) {
      if (t[0] === "space" || t[0] === "punct" || t[0] === "name") {
        frag.appendChild(document.createTextNode(t[1]));
      } else {
        var span = document.createElement("span");
        span.className = "tok-" + t[0];
        span.textContent = t[1];
        frag.appendChild(span);
      }
    });
    frag.appendChild(document.createTextNode("\n"));  // keeps the last line's height
    el.replaceChildren(frag);
  }

  global.SparqlHighlight = { tokenize: tokenize, paint: paint };
})(window);
