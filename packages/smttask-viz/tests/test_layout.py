"""Layered layouts: upstream above downstream, no two boxes of a level overlap, with dot and without."""

from __future__ import annotations

import itertools

import pytest

from smttask_viz.layout import dot_available, layered_layout, layout
from smttask_viz.model import Edge, GraphData, Node


def _graph(n_sources: int, n_mid: int) -> GraphData:
    """Sources feeding each of n_mid analyses, all feeding one summary (plus one long edge)."""
    nodes = {}
    edges = []

    def add(node_id: str, name: str) -> None:
        nodes[node_id] = Node(id=node_id, taskname=name, kind="RecordedTask", state="stored", key=node_id)

    add("sum", "Summary")
    for i in range(n_sources):
        add(f"s{i}", "Data")
    for j in range(n_mid):
        add(f"m{j}", "Analyze")
        for i in range(n_sources):
            edges.append(Edge(f"s{i}", f"m{j}", "xs"))
        edges.append(Edge(f"m{j}", "sum", f"values[{j}]"))
    edges.append(Edge("s0", "sum", "baseline"))  # spans two levels
    return GraphData(nodes, edges)


def _check(graph: GraphData, result) -> None:
    boxes = result.boxes
    assert set(boxes) == set(graph.nodes)
    for edge in graph.edges:
        assert boxes[edge.source].y < boxes[edge.target].y, edge
    for a, b in itertools.combinations(boxes.values(), 2):
        if abs(a.y - b.y) < 1:
            assert abs(a.x - b.x) >= (a.w + b.w) / 2, (a, b)
    assert len(result.routes) == len(graph.edges)
    for box in boxes.values():
        assert 0 <= box.x - box.w / 2 and box.x + box.w / 2 <= result.width
        assert 0 <= box.y - box.h / 2 and box.y + box.h / 2 <= result.height


def test_the_built_in_layout_is_layered_and_without_overlaps():
    graph = _graph(3, 5)
    result = layered_layout(graph)
    assert result.engine == "layered"
    _check(graph, result)


@pytest.mark.skipif(not dot_available(), reason="graphviz's dot is not installed (Debian package 'graphviz')")
def test_dot_lays_out_the_same_graph():
    graph = _graph(3, 5)
    result = layout(graph, "dot")
    assert result.engine == "dot"
    _check(graph, result)


def test_auto_uses_the_built_in_layout_for_huge_graphs():
    graph = _graph(2, 600)
    result = layout(graph, "auto")
    assert result.engine == "layered"
    _check(graph, result)


def test_auto_without_dot_installed_uses_the_built_in_layout(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert not dot_available()
    assert layout(_graph(2, 2), "auto").engine == "layered"


def test_an_unknown_engine_is_a_clear_error():
    from smttask_viz import LayoutError

    with pytest.raises(LayoutError, match="choose one of auto, dot, layered"):
        layout(_graph(1, 1), "neato")
