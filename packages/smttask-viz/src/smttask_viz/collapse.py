"""Keeping a large graph readable: many tasks of one name on one level become one group node.

A sweep of 1,000 task files is 1,000 ``analyze`` nodes side by side: drawn one
by one they make a picture 150,000 pixels wide. :func:`collapse` replaces every
set of more than *threshold* tasks with the same name on the same level by one
node ``analyze ×1000`` whose details list each member (key, state, record,
inputs), and merges the edges they had (``data ×1000``). The page's search
finds members inside groups.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from .defaults import DEFAULT_THRESHOLD
from .layout import layer_ranks
from .model import Edge, GraphData, Node

_INDEX = re.compile(r"\[\d+\]")


def collapse(graph: GraphData, threshold: int = DEFAULT_THRESHOLD) -> GraphData:
    """*graph* with large same-name, same-level sets of tasks as group nodes (*threshold* <= 0: unchanged)."""
    if threshold <= 0 or len(graph.nodes) <= threshold:
        return graph
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        succ[edge.source].append(edge.target)
        pred[edge.target].append(edge.source)
    rank = layer_ranks(list(graph.nodes), succ, pred)
    sets: dict[tuple[str, int], list[str]] = defaultdict(list)
    for node_id, node in graph.nodes.items():
        sets[(node.taskname, rank[node_id])].append(node_id)
    group_of: dict[str, str] = {}
    nodes: dict[str, Node] = {}
    for node_id, node in graph.nodes.items():
        members = sets[(node.taskname, rank[node_id])]
        if len(members) <= threshold:
            nodes[node_id] = node
            continue
        group_id = f"group:{node.taskname}:{rank[node_id]}"
        group_of[node_id] = group_id
        if group_id not in nodes:
            member_nodes = [graph.nodes[m] for m in members]
            states = Counter(m.state for m in member_nodes)
            nodes[group_id] = Node(
                id=group_id,
                taskname=node.taskname,
                kind=node.kind,
                module=node.module,
                state=states.most_common(1)[0][0],
                key=f"{len(members)} tasks",
                failed=any(m.failed for m in member_nodes),
                in_memory=all(m.in_memory for m in member_nodes),
                requested=any(m.requested for m in member_nodes),
                inputs=_shared_inputs(member_nodes),
                members=member_nodes,
            )
    if not group_of:
        return graph
    merged: dict[tuple[str, str, str], Edge] = {}
    for edge in graph.edges:
        source = group_of.get(edge.source, edge.source)
        target = group_of.get(edge.target, edge.target)
        name = _INDEX.sub("[i]", edge.input) if (source != edge.source or target != edge.target) else edge.input
        found = merged.get((source, target, name))
        if found is None:
            merged[(source, target, name)] = Edge(source, target, name)
        else:
            found.count += 1
    return GraphData(nodes, list(merged.values()), notes=graph.notes, task_count=graph.task_count)


def _shared_inputs(members: list[Node]) -> dict[str, str]:
    """Inputs with one value across the members; others say how many values they take."""
    values: dict[str, set[str]] = defaultdict(set)
    for m in members:
        for name, text in m.inputs.items():
            values[name].add(text)
    return {name: next(iter(v)) if len(v) == 1 else f"{len(v)} different values" for name, v in values.items()}
