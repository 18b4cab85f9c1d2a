"""A synthetic collection of gazette issues made from one real issue, for benchmarks and tests.

    python bench/synth.py OUTDIR --issues 40 --seed 1 [--template FILE]

Each issue is the template (by default the bundled sample, 许昌市人民政府公报 2020年第2期)
reissued by another real prefecture-level city of the same province (kg_build/data/regions.tsv):
the city, its county-level divisions (full and short names) and its document-number prefix are
renamed, years shift and the issue and signing dates change, document numbers are new and
distinct across the collection, the figures that carry a unit (97%, 2000个, 50公里) vary, and
about a third of the complete task paragraphs trade places across plans, each keeping its
unit note. The outline numbering stays where it was, so every issue still reads as twelve
plans. The same seed gives the same files, byte for byte.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypinyin import lazy_pinyin  # noqa: E402

from gazettekg.common import sample_path  # noqa: E402
from kg_build.extract import extract_gazette  # noqa: E402
from kg_build.outline_markers import heading_level  # noqa: E402
from kg_build.regions import _divisions, _short_form, division_level  # noqa: E402

SHUFFLED = 0.35          # share of the movable task paragraphs that trade places
_DOC = re.compile(r"^(?P<prefix>.+?)\s*〔\s*(?P<year>\d{4})\s*〕\s*(?P<n>\d+)\s*号$")
_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20[0-4]\d)(?!\d)(?=\s*[年〕—\-–~～至）)]|\s*$)|"
                   r"(?<=[〔（(—\-–~～至])(?:19[5-9]\d|20[0-4]\d)(?!\d)")
_SIGNED = re.compile(r"^(\s*\d{4}\s*年\s*)(\d{1,2})(\s*月\s*)(\d{1,2})(\s*日\s*)$")
_ISSUE_NO = re.compile(r"(年\s*第\s*)(\d{1,2})(\s*期)")
_FIGURE = re.compile(r"(?<![\d.〔])(\d+(?:\.\d+)?)(?=\s*(?P<unit>%|％|个|家|万|亿|千|公里|平方|立方|座|所|项|处|户|张|亩|"
                     r"吨|米|元|台|辆|条|床|名|倍|栋|套|件|艘|人))")
_TASK_MARKER = re.compile(r"^(\s*(?:\d{1,3}\s*[.．、﹒](?!\d)|[（(]\d{1,3}[）)])\s*)")
_UNIT_NOTE = re.compile(r"[（(]\s*(?:牵头|责任)")


@dataclass(frozen=True)
class Template:
    text: str
    city: str                       # 许昌市
    code: str                       # 411000
    doc_prefix: str                 # 许政
    year: int                       # 2020
    counties: tuple[str, ...]       # county-level divisions of the city, in code order


def read_template(path: Path) -> Template:
    """What the generator renames, read from the template by the extractor itself."""
    text = path.read_text(encoding="utf-8")
    record = extract_gazette(text, file_name=path.name)
    plan = next(p for p in record.plans if p.jurisdiction and p.doc_number)
    code = plan.jurisdiction
    if division_level(code) != "prefecture":
        raise SystemExit(f"{path}: the template must be a prefecture-level city's gazette (found {code})")
    m = _DOC.match(plan.doc_number)
    return Template(text, _divisions()[code], code, m.group("prefix"), int(m.group("year")), _counties(code))


def _counties(city_code: str) -> tuple[str, ...]:
    return tuple(name for code, name in sorted(_divisions().items())
                 if code[:4] == city_code[:4] and division_level(code) == "county")


def sibling_cities(template: Template) -> list[tuple[str, str]]:
    """(code, name) of the other prefecture-level cities of the template's province."""
    return [(code, name) for code, name in sorted(_divisions().items())
            if code[:2] == template.code[:2] and code != template.code and division_level(code) == "prefecture"
            and _counties(code)]


def _spaced(word: str) -> str:
    """A pattern for `word` as printed, with the layout spaces PDF conversion leaves between characters."""
    return r"[ \u3000]*".join(re.escape(c) for c in word)


def _renamer(pairs: dict[str, str]):
    keys = sorted(pairs, key=len, reverse=True)
    pattern = re.compile("|".join(_spaced(k) for k in keys))
    plain = {re.sub(r"[ \u3000]", "", k): v for k, v in pairs.items()}
    return lambda text: pattern.sub(lambda m: plain[re.sub(r"[ \u3000]", "", m.group())], text)


def _names(t: Template, city: str, rng: random.Random) -> dict[str, str]:
    """Old name → new name: the city, its short form, each county (full and short form)."""
    pairs = {t.city: city}
    old_short, new_short = _short_form(t.city), _short_form(city)
    if old_short and new_short:
        pairs[old_short] = new_short
    new_counties = list(_counties(next(c for c, n in _divisions().items() if n == city)))
    rng.shuffle(new_counties)
    for i, old in enumerate(t.counties):
        new = new_counties[i % len(new_counties)]
        pairs[old] = new
        if (s := _short_form(old)) and (ns := _short_form(new)) and s not in pairs:
            pairs[s] = ns
    romanised = "".join(lazy_pinyin(t.city)).upper()
    pairs[romanised] = "".join(lazy_pinyin(city)).upper()
    return pairs


def _vary(m: re.Match, rng: random.Random) -> str:
    """A figure moved by up to ±40%, written with as many decimals; a percentage stays ≤ 100."""
    old = m.group(1)
    value = float(old) * rng.uniform(0.6, 1.4)
    if m.group("unit") in ("%", "％") and float(old) <= 100:
        value = min(value, 100.0)
    decimals = len(old.split(".")[1]) if "." in old else 0
    return f"{value:.{decimals}f}" if decimals else str(max(1, round(value)))


def _shuffle_tasks(lines: list[str], rng: random.Random) -> list[str]:
    """Trade the bodies of complete task paragraphs (marker kept in place) across plans.

    Movable: one line opening with a task number, holding its unit note, ending its sentence,
    and followed (after blank lines) by another numbered heading, so no page-break tail is left behind.
    """
    movable = []
    for i, line in enumerate(lines):
        m = _TASK_MARKER.match(line)
        body = line.rstrip()
        if not m or not _UNIT_NOTE.search(body) or not body.endswith(("。", "）", ")")):
            continue
        nxt = next((x for x in lines[i + 1:] if x.strip()), "")
        if heading_level(nxt.strip()) is not None:
            movable.append((i, m.group(1)))
    chosen = [x for x in movable if rng.random() < SHUFFLED]
    bodies = [lines[i][len(marker):] for i, marker in chosen]
    if len(bodies) > 1:
        shift = rng.randrange(1, len(bodies))
        bodies = bodies[shift:] + bodies[:shift]     # each chosen body lands on another marker
    out = list(lines)
    for (i, marker), body in zip(chosen, bodies):
        out[i] = marker + body
    return out


def _prefix(t: Template, city: str) -> str:
    """The city's document-number prefix: 许政 → 郑政 (the first character names the city)."""
    return city[0] + t.doc_prefix[1:] if t.doc_prefix[:1] == t.city[:1] else city[0] + t.doc_prefix


def make_issue(t: Template, city: str, *, serial: int, seed: str) -> tuple[str, str]:
    """(file name, text) of one synthetic issue; `serial` is its first document number."""
    rng = random.Random(seed)
    shift = rng.randint(0, 3)
    year = t.year + shift
    rename = _renamer(_names(t, city, rng))
    new_prefix = _prefix(t, city)
    serials: dict[str, int] = {}

    def doc_number(m: re.Match) -> str:
        n = serials.setdefault(m.group("n"), serial + len(serials))
        return f"{new_prefix}〔{t.year}〕{n}号"     # the year shifts with every other year below

    text = re.sub(rf"{_spaced(t.doc_prefix)}\s*〔\s*{t.year}\s*〕\s*(?P<n>\d+)\s*号", doc_number, t.text)
    text = rename(text)
    text = _YEAR.sub(lambda m: str(int(m.group()) + shift), text)
    text = _FIGURE.sub(lambda m: _vary(m, rng), text)
    month, day = rng.randint(1, 12), rng.randint(1, 20)
    issue = rng.randint(1, 24)
    lines = []
    for line in text.split("\n"):
        signed = _SIGNED.match(line)
        if signed:      # a notice's signing date: the issue's month, a few days apart
            line = f"{signed.group(1)}{month}{signed.group(3)}{day + rng.randint(0, 8)}{signed.group(5)}"
        lines.append(line)
    text = _ISSUE_NO.sub(lambda m: f"{m.group(1)}{issue}{m.group(3)}", "\n".join(_shuffle_tasks(lines, rng)), count=1)
    slug = "".join(lazy_pinyin(city.removesuffix("市")))
    return f"{slug}-gazette-{year}-{issue:02d}-{serial}.txt", text


def generate(out: Path, issues: int, seed: int, template_path: Path | None = None) -> list[Path]:
    """Write `issues` synthetic issues into `out`; returns their paths in order."""
    t = read_template(template_path or sample_path())
    cities = sibling_cities(t)
    random.Random(seed).shuffle(cities)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    blocks: dict[str, int] = {}
    for k in range(issues):
        _, city = cities[k % len(cities)]
        # each issue of a city takes its own block of twenty document numbers
        block = blocks.setdefault(_prefix(t, city), 0)
        blocks[_prefix(t, city)] += 1
        serial = 1 + 20 * block + random.Random(f"{seed}:{k}:serial").randint(0, 7)
        name, text = make_issue(t, city, serial=serial, seed=f"{seed}:{k}")
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to write the issues into (created if missing)")
    ap.add_argument("--issues", type=int, default=40, help="how many issues (default 40)")
    ap.add_argument("--seed", type=int, default=1, help="the same seed gives the same files (default 1)")
    ap.add_argument("--template", type=Path, default=None,
                    help="a prefecture-level city's gazette to start from (default: the bundled sample)")
    a = ap.parse_args(argv)
    paths = generate(a.out, a.issues, a.seed, a.template)
    print(f"wrote {len(paths)} issue(s) to {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
