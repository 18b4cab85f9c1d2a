"""MinHash signatures and LSH banding, written here rather than taken from `datasketch`.

Why our own: datasketch needs numpy (not a dependency of gazettekg) and hashes with a
per-process seed unless configured; here a signature is one stable blake2b hash per
shingle plus *one-permutation hashing* (Li, Owen & Zhang 2012): the hash space is cut
into k bins and each bin keeps its minimum, so a signature costs O(shingles), not
O(shingles × k) as with k independent permutations. Empty bins borrow from the next
non-empty bin (rotation densification, Shrivastava & Li 2014), which keeps the
collision probability equal to the Jaccard similarity.

Banding: b bands of r rows; two sets collide in a band with probability J**r, so with
b=24, r=2 a pair at J=0.3 becomes a candidate with probability 0.90, at J=0.5 with 0.999.
A bucket that holds many items (a sentence repeated in many plans) is paired by sorted
neighbourhood — each item with the next `window` items — so the work stays linear.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable, Iterable

K, BANDS, ROWS = 48, 24, 2
_SPACE = 1 << 64


def stable_hash(s: str) -> int:
    """A 64-bit hash that is the same in every process (str.__hash__ is salted).

    >>> stable_hash("污水处理") == stable_hash("污水处理")
    True
    """
    return int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest(), "big")


def signature(shingles: Iterable[str], k: int = K) -> tuple[int, ...] | None:
    """One-permutation MinHash of a set of shingles; None for an empty set.

    >>> a = signature(["abc", "bcd", "cde"]); a == signature(["cde", "abc", "bcd"])
    True
    """
    width = _SPACE // k
    bins: list[int | None] = [None] * k
    for s in shingles:
        h = stable_hash(s)
        i, v = divmod(h, width)
        i = min(i, k - 1)
        if bins[i] is None or v < bins[i]:
            bins[i] = v
    if all(b is None for b in bins):
        return None
    out = []
    for i in range(k):
        j, dist = i, 0
        while bins[j] is None:          # borrow from the next non-empty bin, offset by distance
            j, dist = (j + 1) % k, dist + 1
        out.append(bins[j] + dist * width)
    return tuple(out)


def candidate_pairs(signatures: dict[Hashable, tuple[int, ...]], *, bands: int = BANDS, rows: int = ROWS,
                    window: int = 8) -> set[tuple]:
    """Pairs (a, b), a < b, that share at least one band of their signatures.

    >>> sigs = {"x": signature(["ab", "bc", "cd"]), "y": signature(["ab", "bc", "cd"]), "z": signature(["qq"])}
    >>> sorted(candidate_pairs(sigs))
    [('x', 'y')]
    """
    buckets: dict[tuple, list] = defaultdict(list)
    for item, sig in signatures.items():
        for band in range(bands):
            buckets[(band, sig[band * rows:(band + 1) * rows])].append(item)
    pairs: set[tuple] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1:i + 1 + window]:
                pairs.add((a, b))
    return pairs
