"""Words of a clause: jieba's segmentation, then the corpus's own multi-word terms (pure).

Character n-grams cut words (`昌市中心城区`, `个工作日压缩至`); a researcher cannot read
such evidence. So a clause is segmented by jieba (its general dictionary, HMM off: an
unknown word stays in single characters rather than being guessed differently in two
contexts), and the terms the general dictionary splits — 黑臭水体 (黑/臭/水体), 厕所革命,
千吨万人, 铁路专用线 — are learned from the corpus itself (`learn_lexicon`): a run of two to
four words that recurs in two or more plans and holds together (most uses of its rarest word
are inside it). `terms` then joins such runs greedily, longest first. Every term is
therefore a whole jieba word or a run of whole jieba words: evidence never cuts a word.
"""
from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache

MAX_RUN = 4             # words in a learned term
MIN_CHARS, MAX_CHARS = 3, 10
COHESION = 0.6          # share of the rarest word's uses that fall inside the run
CLOSED = 0.8            # a run found inside a longer learned run this often is only part of it
_CONTENT = re.compile(r"[\u4e00-\u9fffA-Za-z]")
# Function words: a term does not start or end with one, nor hold 的 (等因素, 良好的, 更好地
# are phrasing, not terms).
_FUNCTION = frozenset("的 地 得 等 和 及 与 或 是 了 在 对 为 以 之 其 并 把 被 从 向 将 由 于 各 每 至 后 前 中".split())
SPECIFIC = 12.0         # surprisal (natural log) in jieba's general dictionary from which a word is specific
_NUMBER = re.compile(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![A-Za-z\d])")


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba
    jieba.setLogLevel(logging.WARNING)      # its "Building prefix dict" notes are not ours to print
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


@lru_cache(maxsize=1)
def _tags() -> dict[str, str]:
    """jieba's part-of-speech tag of every dictionary word (n, v, vn, d, m …)."""
    from jieba.posseg import POSTokenizer
    return POSTokenizer(_tokenizer()).word_tag_tab


_NOMINAL = ("n", "eng", "j")        # nouns of every kind (n, nr, ns, nz …), Latin words, abbreviations
_NOT_HEAD = ("d", "m", "q", "p", "u", "c", "r", "f")     # adverbs, numerals, measure and function words


def nominal(term: str, lexicon: frozenset[str] = frozenset()) -> bool:
    """Whether a term names a thing (a topic) rather than an action or a manner: a noun of
    jieba's dictionary, a word it does not know (5G, a name), or a learned term that holds a
    noun and does not end in a numeral or a function word (厕所革命, not 发现一处).

    >>> nominal("秸秆"), nominal("排查"), nominal("禹州"), nominal("5G"), nominal("厕所革命", frozenset({"厕所革命"}))
    (True, False, False, True, True)
    """
    tags = _tags()
    if term in tags:       # a place name (ns: 禹州, 鄢陵) is where, not what
        return tags[term].startswith(_NOMINAL) and tags[term] != "ns"
    if term not in lexicon:
        return True
    ws = [w for w, _ in words(term)]
    last = tags.get(ws[-1], "n")
    return not last.startswith(_NOT_HEAD) and any(tags.get(w, "n").startswith(_NOMINAL + ("vn",)) for w in ws)


@lru_cache(maxsize=262_144)
def normalise(clause: str) -> str:
    """Free-standing numbers become 0 (2000个 → 0个, 5G stays): two issues that differ only in
    their figures segment alike, and the segmentation is cached per distinct clause."""
    return _NUMBER.sub("0", clause)


@lru_cache(maxsize=262_144)
def words(clause: str) -> tuple[tuple[str, int], ...]:
    """The content words of a (normalised) clause with their offsets, in text order: jieba's
    tokens that hold a Chinese character or a letter (no punctuation, no bare numbers).

    >>> [w for w, _ in words("加大黑臭水体治理力度")]
    ['加大', '黑', '臭', '水体', '治理', '力度']
    """
    out = []
    for word, start, _ in _tokenizer().tokenize(clause, HMM=False):
        if _CONTENT.search(word):
            out.append((word, start))
    return tuple(out)


def _runs(ws: tuple[tuple[str, int], ...]) -> Iterable[tuple[str, ...]]:
    """Runs of 2..MAX_RUN adjacent words (adjacent: nothing but the words between them)."""
    for i in range(len(ws)):
        end = ws[i][1] + len(ws[i][0])
        run = [ws[i][0]]
        for j in range(i + 1, min(len(ws), i + MAX_RUN)):
            if ws[j][1] != end:
                break
            run.append(ws[j][0])
            end = ws[j][1] + len(ws[j][0])
            if MIN_CHARS <= end - ws[i][1] <= MAX_CHARS:
                yield tuple(run)


def learn_lexicon(clauses: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Multi-word terms of a corpus, from (plan key, normalised clause) pairs.

    A run of words is a term when it is found in two or more plans, when most uses of its
    rarest word are inside it (黑 is nearly always in 黑臭水体; 建设 is rarely in 加快建设),
    and when it is not just the part of a longer term that it nearly always is.

    >>> sorted(learn_lexicon([("a", "加大黑臭水体治理"), ("b", "消除黑臭水体"), ("c", "加快建设")]))
    ['黑臭水体']
    """
    uses: Counter[str] = Counter()
    run_uses: Counter[tuple[str, ...]] = Counter()
    run_plans: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for plan, clause in clauses:
        ws = words(clause)
        uses.update(w for w, _ in ws)
        for run in _runs(ws):
            run_uses[run] += 1
            run_plans[run].add(plan)
    kept = {run for run, n in run_uses.items()
            if len(run_plans[run]) >= 2 and n >= COHESION * min(uses[w] for w in run)
            and run[0] not in _FUNCTION and run[-1] not in _FUNCTION and "的" not in run}
    closed = set(kept)
    for run in kept:                # drop a run that is, nearly always, part of a longer one
        for k in range(2, len(run)):
            for i in range(len(run) - k + 1):
                part = run[i:i + k]
                if part in closed and run_uses[run] >= CLOSED * run_uses[part]:
                    closed.discard(part)
    return frozenset("".join(run) for run in closed)


def specificity(term: str) -> float:
    """How unusual a term is in general Chinese: the surprisal of its frequency in jieba's
    dictionary (about 60 million words). 中国 6.1, 程序 9.3, 拆除 10.6 are everyday words;
    秸秆 13.0, 钧瓷 15.6 are a field's words; a learned term is in no general dictionary (17.9).

    >>> specificity("程序") < SPECIFIC < specificity("秸秆")
    True
    """
    tk = _tokenizer()
    return math.log(tk.total / (tk.FREQ.get(term, 0) + 1))


def terms(clause: str, lexicon: frozenset[str]) -> tuple[tuple[str, int], ...]:
    """The clause's terms with offsets: its words, adjacent words joined where they spell a
    term of the lexicon (longest first).

    >>> [t for t, _ in terms("加大黑臭水体治理力度", frozenset({"黑臭水体"}))]
    ['加大', '黑臭水体', '治理', '力度']
    """
    ws = words(clause)
    out = []
    i = 0
    while i < len(ws):
        for k in range(min(MAX_RUN, len(ws) - i), 1, -1):
            run = ws[i:i + k]
            if all(run[m + 1][1] == run[m][1] + len(run[m][0]) for m in range(k - 1)):
                joined = "".join(w for w, _ in run)
                if joined in lexicon:
                    out.append((joined, ws[i][1]))
                    i += k
                    break
        else:
            out.append(ws[i])
            i += 1
    return tuple(out)
