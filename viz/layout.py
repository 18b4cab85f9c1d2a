"""Positions computed once in Python, so a large view opens with physics off.

vis-network's own physics needs tens of seconds to settle a few hundred nodes; this
layout takes well under a second for 2,000 (bench/viz.py) and is deterministic: the same
subgraph always gets the same picture.

1. Groups (a node's `group`: its plan, its duplicate group …) are laid out as discs on a
   sunflower spiral, largest first; inside a disc the best-connected node sits in the
   middle and the others spiral around it.
2. Nodes without a group start at the centre of their already placed neighbours.
3. A short Fruchterman–Reingold refinement (repulsion only between nodes in nearby
   cells of a grid, so each step costs O(nodes + edges)) untangles what is left.
"""
from __future__ import annotations

import math
import zlib
from collections import defaultdict

from viz.model import Edge, Node

GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
SPACING = 100.0  # vis-network pixels between neighbouring nodes (a node is up to 84 across)


def _jitter(key: str) -> tuple[float, float]:
    h = zlib.crc32(key.encode("utf-8"))
    return ((h & 0xFFFF) / 0xFFFF - 0.5, (h >> 16) / 0xFFFF - 0.5)


def _sunflower(i: int, scale: float) -> tuple[float, float]:
    r = scale * math.sqrt(i + 0.5)
    return r * math.cos(i * GOLDEN_ANGLE), r * math.sin(i * GOLDEN_ANGLE)


def static_layout(nodes: list[Node], edges: list[Edge], *, iterations: int | None = None,
                  spacing: float = SPACING) -> None:
    """Set `x` and `y` on every node."""
    if not nodes:
        return
    index = {n.id: i for i, n in enumerate(nodes)}
    adj: list[list[int]] = [[] for _ in nodes]
    pairs = []
    for e in edges:
        a, b = index.get(e.source), index.get(e.target)
        if a is not None and b is not None and a != b:
            adj[a].append(b)
            adj[b].append(a)
            pairs.append((a, b))
    groups = [n.group for n in nodes]
    # Within a group an edge pulls fully; an edge leaving it pulls less the busier its ends
    # are, so a unit shared by a hundred tasks settles between them instead of
    # dragging every plan into one ball.
    weighted = [(a, b, 1.0 if groups[a] is not None and groups[a] == groups[b]
                 else 1.0 / max(len(adj[a]), len(adj[b]))) for a, b in pairs]
    xs, ys = _initial(nodes, adj, spacing)
    if iterations is None:
        iterations = 60 if len(nodes) <= 800 else 35
    _refine(xs, ys, weighted, groups, spacing, iterations)
    for n, x, y in zip(nodes, xs, ys):
        n.x, n.y = round(x, 1), round(y, 1)


def _initial(nodes: list[Node], adj: list[list[int]], spacing: float) -> tuple[list[float], list[float]]:
    n = len(nodes)
    xs, ys = [0.0] * n, [0.0] * n
    placed = [False] * n
    groups: dict[str, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        if node.group is not None:
            groups[node.group].append(i)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    # Group discs on a spiral whose radius grows with the members placed so far.
    filled = 0
    for g, (_, members) in enumerate(ordered):
        disc = spacing * 0.55
        cx, cy = _sunflower(filled, spacing * 0.9) if g else (0.0, 0.0)
        filled += len(members) + 6
        members.sort(key=lambda i: (-len(adj[i]), nodes[i].id))
        for j, i in enumerate(members):
            dx, dy = _sunflower(j, disc) if j else (0.0, 0.0)
            xs[i], ys[i] = cx + dx, cy + dy
            placed[i] = True
    # The rest: at the centre of placed neighbours, in rounds, so chains follow their anchors.
    rest = sorted((i for i in range(n) if not placed[i]), key=lambda i: (-len(adj[i]), nodes[i].id))
    outer = math.sqrt(filled + 1) * spacing * 0.9
    for _ in range(3):
        still = []
        for i in rest:
            anchors = [j for j in adj[i] if placed[j]]
            if not anchors:
                still.append(i)
                continue
            jx, jy = _jitter(nodes[i].id)
            xs[i] = sum(xs[j] for j in anchors) / len(anchors) + jx * spacing
            ys[i] = sum(ys[j] for j in anchors) / len(anchors) + jy * spacing
            placed[i] = True
        rest = still
    for k, i in enumerate(rest):  # nothing placed nearby: a ring around everything
        angle = 2 * math.pi * k / max(1, len(rest))
        xs[i], ys[i] = (outer + spacing) * math.cos(angle), (outer + spacing) * math.sin(angle)
    return xs, ys


def _refine(xs: list[float], ys: list[float], pairs: list[tuple[int, int, float]], groups: list[str | None],
            k: float, iterations: int) -> None:
    n = len(xs)
    cell = 2 * k
    cell2, k2 = cell * cell, k * k
    members: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        if g is not None:
            members[g].append(i)
    for step in range(iterations):
        temperature = k * (0.8 * (1 - step / iterations) + 0.05)
        dx, dy = [0.0] * n, [0.0] * n
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in range(n):
            grid[(int(xs[i] // cell), int(ys[i] // cell))].append(i)
        for (gx, gy), here in grid.items():
            near = [j for ox in (-1, 0, 1) for oy in (-1, 0, 1) for j in grid.get((gx + ox, gy + oy), ())]
            pts = [(j, xs[j], ys[j]) for j in near]
            for i in here:
                xi, yi = xs[i], ys[i]
                fx = fy = 0.0
                for j, xj, yj in pts:
                    ddx, ddy = xi - xj, yi - yj
                    d2 = ddx * ddx + ddy * ddy
                    if d2 < cell2 and j != i:
                        if d2 < 1e-4:
                            ddx, ddy, d2 = 0.01 * ((i * 7 + j) % 5 - 2), 0.01 * ((i + j * 3) % 5 - 2), 1e-4
                        f = k2 / d2
                        fx += ddx * f
                        fy += ddy * f
                dx[i] += fx
                dy[i] += fy
        for a, b, w in pairs:
            ddx, ddy = xs[a] - xs[b], ys[a] - ys[b]
            f = math.sqrt(ddx * ddx + ddy * ddy) / k * w
            dx[a] -= ddx * f
            dy[a] -= ddy * f
            dx[b] += ddx * f
            dy[b] += ddy * f
        for group in members.values():  # a group holds together around its centre
            cx = sum(xs[i] for i in group) / len(group)
            cy = sum(ys[i] for i in group) / len(group)
            for i in group:
                dx[i] -= (xs[i] - cx) * 0.3
                dy[i] -= (ys[i] - cy) * 0.3
        for i in range(n):  # a little gravity keeps separate components in sight
            dx[i] -= xs[i] * 0.02
            dy[i] -= ys[i] * 0.02
            d = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if d > 0:
                m = min(d, temperature) / d
                xs[i] += dx[i] * m
                ys[i] += dy[i] * m
