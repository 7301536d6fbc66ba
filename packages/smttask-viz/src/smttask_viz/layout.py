"""Layered (top-to-bottom) layouts of a task graph: graphviz ``dot`` where installed, else our own.

Upstream tasks sit above the tasks they feed. :func:`layout` returns the same
:class:`Layout` whichever engine made it, so the SVG, HTML and PNG renderers
draw one picture. ``dot`` (Debian package ``graphviz``) gives the best
layouts; the pure-Python fallback (longest-path layering, barycentre ordering
with dummy nodes for long edges, then coordinates that stay as close to their
neighbours as the spacing allows) needs nothing installed and lays out
thousands of nodes in about a second.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field

from .defaults import ENGINES
from .errors import LayoutError
from .model import GraphData, Node

NODE_HEIGHT = 54.0
RANK_GAP = 64.0
NODE_GAP = 28.0
DUMMY_GAP = 12.0
MAX_NODE_WIDTH = 320.0
#: Above this many nodes, ``auto`` uses the pure-Python layout (dot takes seconds to minutes there).
DOT_MAX_NODES = 400
DOT_TIMEOUT = 60.0

Point = tuple[float, float]


@dataclass
class Box:
    """A node's place: centre, width and height (pixels, y downwards)."""

    x: float
    y: float
    w: float
    h: float


@dataclass
class Route:
    """An edge's path: ``[p0, c1, c2, p1, c1, c2, p2, ...]`` (cubic Bézier segments) and its label's place."""

    points: list[Point]
    label_at: Point


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    width: float
    height: float
    engine: str
    notes: list[str] = field(default_factory=list)


def node_width(node: Node) -> float:
    """Room for the node's name (bold, 12 px), state line (11 px) and record label (10 px)."""
    return min(MAX_NODE_WIDTH, max(90.0, 7.4 * len(node.label) + 24, 6.3 * len(node.state_text) + 34,
                                   5.8 * len(node.record_text) + 20))


def dot_available() -> bool:
    return shutil.which("dot") is not None


def layout(graph: GraphData, engine: str = "auto") -> Layout:
    """Lay out *graph* with *engine*: ``dot``, ``layered`` (pure Python), or ``auto``.

    ``auto`` uses dot when it is installed and the graph has at most
    :data:`DOT_MAX_NODES` nodes, and falls back to ``layered`` if dot fails.
    """
    if engine not in ENGINES:
        raise LayoutError(f"Unknown layout engine {engine!r}: choose one of {', '.join(ENGINES)}.")
    if engine == "dot" or (engine == "auto" and dot_available() and len(graph.nodes) <= DOT_MAX_NODES):
        try:
            return dot_layout(graph)
        except LayoutError as exc:
            if engine == "dot":
                raise
            result = layered_layout(graph)
            result.notes.append(f"dot failed ({exc}); used the built-in layout")
            return result
    return layered_layout(graph)


# --- graphviz dot ------------------------------------------------------------------------
def dot_source(graph: GraphData) -> tuple[str, list[str]]:
    """The DOT text giving each node its size (nodes named n0, n1, ...) and the node ids in that order."""
    ids = list(graph.nodes)
    index = {node_id: i for i, node_id in enumerate(ids)}
    lines = [
        "digraph G {",
        '  graph [rankdir=TB, nodesep=0.35, ranksep=0.55, fontsize=10, fontname="DejaVu Sans"];',
        '  node [shape=box, fixedsize=true, label="", fontsize=10];',
        '  edge [arrowhead=none, fontsize=10, fontname="DejaVu Sans"];',
    ]
    for node_id in ids:
        node = graph.nodes[node_id]
        lines.append(f"  n{index[node_id]} [width={node_width(node) / 72:.3f}, height={NODE_HEIGHT / 72:.3f}];")
    for edge in graph.edges:
        label = edge.label.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'  n{index[edge.source]} -> n{index[edge.target]} [label="{label}"];')
    lines.append("}")
    return "\n".join(lines), ids


def dot_layout(graph: GraphData) -> Layout:
    """Positions from ``dot -Tplain`` (coordinates in inches, y upwards, converted to pixels)."""
    executable = shutil.which("dot")
    if executable is None:
        raise LayoutError("graphviz's dot is not installed (Debian package 'graphviz'); use layout='layered'.")
    source, ids = dot_source(graph)
    try:
        done = subprocess.run([executable, "-Tplain"], input=source, capture_output=True, text=True,
                              timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise LayoutError(f"dot took more than {DOT_TIMEOUT:.0f} s for {len(ids)} nodes") from None
    if done.returncode != 0:
        raise LayoutError(f"dot exited with status {done.returncode}: {done.stderr.strip()[:300]}")
    boxes: dict[str, Box] = {}
    routes: list[Route] = []
    height = width = 0.0
    margin = 16.0
    for line in done.stdout.splitlines():
        parts = shlex.split(line)
        if not parts:
            continue
        if parts[0] == "graph":
            width, height = float(parts[2]) * 72, float(parts[3]) * 72
        elif parts[0] == "node":
            node_id = ids[int(parts[1][1:])]
            x, y, w, h = (float(v) * 72 for v in parts[2:6])
            boxes[node_id] = Box(x + margin, height - y + margin, w, h)
        elif parts[0] == "edge":
            n = int(parts[3])
            coords = [float(v) * 72 for v in parts[4 : 4 + 2 * n]]
            points = [(coords[i] + margin, height - coords[i + 1] + margin) for i in range(0, 2 * n, 2)]
            rest = parts[4 + 2 * n :]
            if len(rest) >= 5:  # label xl yl style color
                label_at = (float(rest[1]) * 72 + margin, height - float(rest[2]) * 72 + margin)
            else:
                label_at = points[len(points) // 2]
            routes.append(Route(points, label_at))
    if len(boxes) != len(ids) or len(routes) != len(graph.edges):
        raise LayoutError(f"dot's output has {len(boxes)} nodes and {len(routes)} edges, "
                          f"expected {len(ids)} and {len(graph.edges)}")
    return Layout(boxes, routes, width + 2 * margin, height + 2 * margin, "dot")


# --- the pure-Python layered layout ------------------------------------------------------
def layered_layout(graph: GraphData) -> Layout:
    ids = list(graph.nodes)
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        succ[edge.source].append(edge.target)
        pred[edge.target].append(edge.source)
    rank = layer_ranks(ids, succ, pred)

    # Chains of dummy nodes for edges spanning several ranks.
    layers: dict[int, list[str]] = defaultdict(list)
    width: dict[str, float] = {}
    up: dict[str, list[str]] = defaultdict(list)   # neighbours one rank above
    down: dict[str, list[str]] = defaultdict(list)  # neighbours one rank below
    for node_id in ids:
        layers[rank[node_id]].append(node_id)
        width[node_id] = node_width(graph.nodes[node_id])
    chains: list[list[str]] = []
    for i, edge in enumerate(graph.edges):
        chain = [edge.source]
        for r in range(rank[edge.source] + 1, rank[edge.target]):
            dummy = f"\0{i}:{r}"
            rank[dummy] = r
            layers[r].append(dummy)
            width[dummy] = 0.0
            chain.append(dummy)
        chain.append(edge.target)
        for a, b in zip(chain, chain[1:], strict=False):
            down[a].append(b)
            up[b].append(a)
        chains.append(chain)

    order = _order(layers, up, down)
    xs = _coordinates(order, width, up, down)

    boxes: dict[str, Box] = {}
    ys = {r: 20 + NODE_HEIGHT / 2 + r * (NODE_HEIGHT + RANK_GAP) for r in order}
    left = min((xs[v] - width[v] / 2 for v in xs), default=0.0)
    shift = 20 - left
    for node_id in ids:
        boxes[node_id] = Box(xs[node_id] + shift, ys[rank[node_id]], width[node_id], NODE_HEIGHT)
    routes = []
    for chain in chains:
        pts: list[Point] = []
        for v in chain:
            y = ys[rank[v]]
            if v == chain[0]:
                pts.append((xs[v] + shift, y + NODE_HEIGHT / 2))
            elif v == chain[-1]:
                pts.append((xs[v] + shift, y - NODE_HEIGHT / 2))
            else:
                pts.append((xs[v] + shift, y))
        routes.append(Route(_smooth(pts), _label_point(pts)))
    right = max((b.x + b.w / 2 for b in boxes.values()), default=0.0)
    bottom = max((b.y + b.h / 2 for b in boxes.values()), default=0.0)
    return Layout(boxes, routes, right + 20, bottom + 20, "layered")


def layer_ranks(ids: list[str], succ: dict[str, list[str]], pred: dict[str, list[str]]) -> dict[str, int]:
    """Longest path from the sources, then each upstream task moved down next to its first consumer."""
    indegree = {v: len(pred[v]) for v in ids}
    queue = [v for v in ids if indegree[v] == 0]
    topo: list[str] = []
    while queue:
        v = queue.pop()
        topo.append(v)
        for w in succ[v]:
            indegree[w] -= 1
            if indegree[w] == 0:
                queue.append(w)
    rank = dict.fromkeys(ids, 0)
    for v in topo:
        for w in succ[v]:
            rank[w] = max(rank[w], rank[v] + 1)
    for v in reversed(topo):
        if succ[v]:
            rank[v] = min(rank[w] for w in succ[v]) - 1
    return rank


def _order(layers: dict[int, list[str]], up: dict[str, list[str]], down: dict[str, list[str]]) -> dict[int, list[str]]:
    """Order each layer by the barycentre of its neighbours, sweeping down and up a few times."""
    ranks = sorted(layers)
    order = {r: list(layers[r]) for r in ranks}
    pos = {v: i for r in ranks for i, v in enumerate(order[r])}
    for sweep in range(6):
        sequence = ranks[1:] if sweep % 2 == 0 else list(reversed(ranks[:-1]))
        for r in sequence:
            neighbours = up if sweep % 2 == 0 else down

            def barycentre(v: str, neighbours: dict[str, list[str]] = neighbours) -> float:
                near = neighbours.get(v)
                return sum(pos[u] for u in near) / len(near) if near else pos[v]

            order[r].sort(key=barycentre)
            for i, v in enumerate(order[r]):
                pos[v] = i
    return order


def _coordinates(order: dict[int, list[str]], width: dict[str, float],
                 up: dict[str, list[str]], down: dict[str, list[str]]) -> dict[str, float]:
    """Packed x positions, then pulled towards the neighbours' mean without overlapping."""
    xs: dict[str, float] = {}
    gaps: dict[int, list[float]] = {}
    for r, layer in order.items():
        x = 0.0
        g = []
        for i, v in enumerate(layer):
            if i:
                gap = DUMMY_GAP if width[v] == 0 or width[layer[i - 1]] == 0 else NODE_GAP
                sep = (width[layer[i - 1]] + width[v]) / 2 + gap
                g.append(sep)
                x += sep
            xs[v] = x
        gaps[r] = g
    ranks = sorted(order)
    # centre the layers on the widest one before pulling them together
    widest = max((xs[order[r][-1]] for r in ranks if order[r]), default=0.0)
    for r in ranks:
        if order[r]:
            offset = (widest - xs[order[r][-1]]) / 2
            for v in order[r]:
                xs[v] += offset
    for sweep in range(8):
        sequence = ranks if sweep % 2 == 0 else list(reversed(ranks))
        neighbours = up if sweep % 2 == 0 else down
        for r in sequence:
            layer = order[r]
            desired = []
            for v in layer:
                near = neighbours.get(v) or (down if neighbours is up else up).get(v)
                desired.append(sum(xs[u] for u in near) / len(near) if near else xs[v])
            for v, x in zip(layer, _spread(desired, gaps[r]), strict=True):
                xs[v] = x
    return xs


def _spread(desired: list[float], gaps: list[float]) -> list[float]:
    """The positions closest to *desired* (least squares) keeping at least *gaps* between neighbours.

    With ``y_i = x_i - (gap_0 + ... + gap_{i-1})`` the constraint is ``y``
    non-decreasing: isotonic regression by pooling adjacent violators.
    """
    offsets = [0.0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    blocks: list[list[float]] = []  # [mean, size]
    for d, c in zip(desired, offsets, strict=True):
        blocks.append([d - c, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, n2 = blocks.pop()
            m1, n1 = blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    ys: list[float] = []
    for mean, size in blocks:
        ys.extend([mean] * int(size))
    return [y + c for y, c in zip(ys, offsets, strict=True)]


def _smooth(points: list[Point]) -> list[Point]:
    """A polyline (top to bottom) as cubic Bézier segments with vertical tangents."""
    out = [points[0]]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        dy = (y1 - y0) / 2
        out += [(x0, y0 + dy), (x1, y1 - dy), (x1, y1)]
    return out


def _label_point(points: list[Point]) -> Point:
    (x0, y0), (x1, y1) = points[-2], points[-1]
    t = 0.55
    return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)

