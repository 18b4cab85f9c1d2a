"""`gazettekg report` — duplicate groups and conflicts across plans, most important first.

Reads any built store through SPARQL (queries.linking), so it reports what the graph
holds, not what this build would compute. Formats: md (default), html (one self-contained
page: inline CSS, no scripts, every value escaped), json.
"""
from __future__ import annotations

import html
import json
import sys
from pathlib import Path

from gazettekg.common import OK, store_arg
from kg_build.iris import short_id

_KIND_ZH = {"ValueConflict": "数值冲突", "DeadlineConflict": "时限冲突", "ScopeConflict": "范围冲突",
            "InternalConflict": "方案内部冲突"}
_RELATION_ZH = {"duplicate": "重复承诺", "overlap": "交叉承诺"}
_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
_LABEL_CHARS = 40


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_CHARS else label[:_LABEL_CHARS] + "…"


def gather(store) -> dict:
    from queries import linking
    return {"conflicts": linking.conflicts(store), "duplicate_groups": linking.duplicate_groups(store)}


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def render_md(data: dict) -> str:
    out = ["# 跨方案关联报告 | Cross-plan report", ""]
    out += [f"## 冲突 | Conflicts ({len(data['conflicts'])})", ""]
    for n, c in enumerate(data["conflicts"], 1):
        out.append(f"{n}. **{_KIND_ZH.get(c['kind'], c['kind'])} · {c['kind']} · 严重程度{_SEVERITY_ZH.get(c['severity'], '')} "
                   f"severity {c['severity']}** — `{short_id(c['id'])}`")
        for lang in ("zh", "en"):
            if lang in c.get("reason", {}):
                out.append(f"   - {'判定理由' if lang == 'zh' else 'Why'}: {c['reason'][lang]}")
        for lang in ("zh", "en"):
            if lang in c["comment"]:
                out.append(f"   - {c['comment'][lang]}")
        for i in c["involves"]:
            out.append(f"   - {i['doc'] or ''} 第{i['line']}行 line {i['line']}: “{_short(i['quote'] or '')}” `{short_id(i['iri'])}`")
    out += ["", f"## 重复与关联 | Duplicate groups ({len(data['duplicate_groups'])})", ""]
    for n, g in enumerate(data["duplicate_groups"], 1):
        shared = "、".join(g["shared"][:4])
        relation = g.get("relation", "overlap")
        out.append(f"{n}. **{_RELATION_ZH.get(relation, relation)} · {relation} · {g['basis']}** · {g['plans']} plans · "
                   f"score {g['score']:.2f} — {_md_cell(shared)}")
        for t in g["tasks"]:
            out.append(f"   - {t['doc'] or ''} {t['path']} 第{t['line']}行: {_md_cell(_short(t['label']))} `{short_id(t['iri'])}`")
    return "\n".join(out) + "\n"


_CSS = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.5}"
        ".high{color:#a00}.medium{color:#a60}.low{color:#555}li{margin:.3em 0}code{font-size:.85em;color:#555}"
        "blockquote{margin:.2em 0 .2em 1em;color:#333}")


def _links_html(iri: str, task: str | None, line: int | None, quote: str | None, base: str) -> str:
    """The same three links as the /findings page: source text, task page, graph."""
    from api import urls
    e = html.escape
    out = [f'<a href="{e(urls.source(iri, line, quote, base=base))}">原文 source</a>']
    if task:
        out.append(f'<a href="{e(urls.entity(task, base=base))}">任务 task</a>')
    out.append(f'<a href="{e(urls.graph(task or iri, base=base))}">图 graph</a>')
    return " · ".join(out)


def render_html(data: dict, base_url: str = "http://127.0.0.1:8000") -> str:
    """The report as one page; every side links to the service at `base_url` (its source
    text, its task and its graph), as /findings does."""
    e = html.escape
    base = base_url.rstrip("/")
    parts = ["<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">",
             "<title>跨方案关联报告 | Cross-plan report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>跨方案关联报告 | Cross-plan report</h1>",
             f"<h2>冲突 | Conflicts ({len(data['conflicts'])})</h2><ol>"]
    for c in data["conflicts"]:
        parts.append(f"<li><strong class=\"{e(c['severity'])}\">{e(_KIND_ZH.get(c['kind'], c['kind']))} · "
                     f"{e(c['kind'])} · 严重程度{e(_SEVERITY_ZH.get(c['severity'], ''))} severity {e(c['severity'])}</strong> "
                     f"<code>{e(short_id(c['id']))}</code>")
        for lang in ("zh", "en"):
            if lang in c.get("reason", {}):
                parts.append(f"<p lang=\"{lang}\"><em>{'判定理由' if lang == 'zh' else 'Why'}:</em> {e(c['reason'][lang])}</p>")
        for lang in ("zh", "en"):
            if lang in c["comment"]:
                parts.append(f"<p lang=\"{lang}\">{e(c['comment'][lang])}</p>")
        parts.append("<ul>" + "".join(
            f"<li>{e(i['doc'] or '')} 第{e(str(i['line']))}行: <q>{e(_short(i['quote'] or ''))}</q> <code>{e(short_id(i['iri']))}</code> "
            f"{_links_html(i['iri'], i.get('task'), i['line'], i['quote'], base)}</li>"
            for i in c["involves"]) + "</ul></li>")
    parts.append(f"</ol><h2>重复与关联 | Duplicate groups ({len(data['duplicate_groups'])})</h2><ol>")
    for g in data["duplicate_groups"]:
        relation = g.get("relation", "overlap")
        parts.append(f"<li><strong>{e(_RELATION_ZH.get(relation, relation))} · {e(relation)} · {e(g['basis'])}</strong> · "
                     f"{g['plans']} plans · score {g['score']:.2f} — "
                     f"{e('、'.join(g['shared'][:4]))}<ul>" + "".join(
                         f"<li>{e(t['doc'] or '')} {e(t['path'])} 第{t['line']}行: {e(_short(t['label']))} "
                         f"<code>{e(short_id(t['iri']))}</code> {_links_html(t['iri'], t['iri'], t['line'], None, base)}</li>"
                         for t in g["tasks"]) + "</ul></li>")
    parts.append("</ol></body></html>")
    return "\n".join(parts) + "\n"


def render(data: dict, fmt: str, base_url: str = "http://127.0.0.1:8000") -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    return render_html(data, base_url) if fmt == "html" else render_md(data)


def cmd_report(args) -> int:
    from queries.engines import open_store
    text = render(gather(open_store(args.store)), args.format, args.base_url)
    if args.out:
        from kg_build.pipeline import write_atomic
        write_atomic(Path(args.out), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return OK


def register(sub) -> None:
    p = sub.add_parser("report", help="list duplicate groups and conflicts across plans (from the store)")
    store_arg(p)
    p.add_argument("--format", choices=("md", "html", "json"), default="md")
    p.add_argument("--base-url", default="http://127.0.0.1:8000",
                   help="where `gazettekg serve` runs: the HTML report links each side to its source text, "
                        "task and graph there (default: http://127.0.0.1:8000)")
    p.add_argument("--out", type=Path, default=None, help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_report)
