"""MinHash-LSH (kg_build/linking/minhash.py) on synthetic near-duplicates: recall and selectivity."""
import random

from kg_build.linking.minhash import candidate_pairs, signature

_CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]


def _shingles(s: str) -> set[str]:
    return {s[i:i + 3] for i in range(len(s) - 2)}


def _corpus(n: int, edits: int, seed: int = 7):
    rnd = random.Random(seed)
    docs = {}
    for k in range(n):
        base = [rnd.choice(_CJK) for _ in range(60)]
        near = list(base)
        for _ in range(edits):                  # substitute a few characters: a near-duplicate
            near[rnd.randrange(len(near))] = rnd.choice(_CJK)
        docs[(k, 0)], docs[(k, 1)] = "".join(base), "".join(near)
    return docs


def test_near_duplicates_become_candidates():
    docs = _corpus(200, edits=3)
    sigs = {k: signature(_shingles(v)) for k, v in docs.items()}
    pairs = candidate_pairs(sigs)
    found = sum(((k, 0), (k, 1)) in pairs for k in range(200))
    assert found / 200 >= 0.95


def test_unrelated_texts_rarely_collide():
    docs = _corpus(200, edits=3)
    sigs = {k: signature(_shingles(v)) for k, v in docs.items()}
    false = [(a, b) for a, b in candidate_pairs(sigs) if a[0] != b[0]]
    assert len(false) <= 0.01 * 400 * 399 / 2


def test_signatures_are_stable_across_calls():
    s = _shingles("对瑞贝卡污水处理厂一二期进行提标改造")
    assert signature(s) == signature(set(sorted(s)))
