"""The task graph as data: nodes (tasks, with their state) and edges (named by the input they feed).

:func:`build_graph` walks from the given tasks up through their inputs; a task
reached twice (the same static key) is one node, so a diamond stays a diamond.
Nothing is computed: the state of each task is read from the memory tier,
storage and the lab book (:mod:`smttask_viz.lab`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from smttask.signature import is_task

from .errors import NotATaskError
from .lab import LabBook, task_state
from .states import STATES

if TYPE_CHECKING:
    from smttask import Project, Task

#: Characters of an input value shown in a node's details.
VALUE_LIMIT = 120


@dataclass
class Node:
    """One task of the graph (or, when collapsed, several tasks of one name on one level)."""

    id: str
    taskname: str
    kind: str
    state: str
    key: str
    module: str = ""
    #: The record label of the latest run in the lab book, if any.
    record: str | None = None
    #: The latest run failed (lab book status crashed/killed, or a failure log of `smttask run`).
    failed: bool = False
    failure: str | None = None
    in_memory: bool = False
    #: Input name -> what it is (a value, or the upstream task feeding it).
    inputs: dict[str, str] = field(default_factory=dict)
    #: Output name -> stored file.
    outputs: dict[str, str] = field(default_factory=dict)
    #: True for the tasks asked for (not only reached as upstream tasks).
    requested: bool = False
    #: Tasks this node stands for (more than one for a collapsed group).
    members: list[Node] = field(default_factory=list)
    task: Task | None = field(default=None, repr=False, compare=False)

    @property
    def count(self) -> int:
        return len(self.members) or 1

    @property
    def state_text(self) -> str:
        """The second line of the node's label: its state (and record label)."""
        if self.members:
            counts = state_counts(self.members)
            return ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return "failed" if self.failed else self.state

    @property
    def record_text(self) -> str:
        """The third line of the label: the latest record's label (empty without one, or for a group)."""
        return "" if self.members or not self.record else self.record

    @property
    def label(self) -> str:
        return f"{self.taskname} ×{self.count}" if self.members else self.taskname

    def as_json(self) -> dict[str, Any]:
        """What the interactive page shows when the node is clicked."""
        data: dict[str, Any] = {
            "name": self.label,
            "kind": self.kind,
            "state": self.state_text,
            "key": self.key,
            "module": self.module,
            "record": self.record,
            "failed": self.failed,
            "failure": self.failure,
            "in_memory": self.in_memory,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }
        if self.members:
            data["members"] = [
                {"key": m.key, "state": m.state_text, "record": m.record, "inputs": m.inputs,
                 "outputs": m.outputs, "failed": m.failed}
                for m in self.members
            ]
        return data

    def search_text(self) -> str:
        """Everything the page's search box matches against (lower case)."""
        parts = [self.taskname, self.kind, self.key, self.state_text, self.record or ""]
        parts += [f"{k}={v}" for k, v in self.inputs.items()]
        for m in self.members:
            parts += [m.key, m.record or "", *(f"{k}={v}" for k, v in m.inputs.items())]
        return " ".join(parts).lower()


@dataclass
class Edge:
    """An upstream task feeding input *input* of a downstream one."""

    source: str
    target: str
    input: str
    #: How many task-to-task edges this one stands for (after collapsing).
    count: int = 1

    @property
    def label(self) -> str:
        return f"{self.input} ×{self.count}" if self.count > 1 else self.input


@dataclass
class GraphData:
    """Nodes by id (in the order found: requested tasks first, then upstream) and edges."""

    nodes: dict[str, Node]
    edges: list[Edge]
    #: Things the reader should know (e.g. the lab book could not be read).
    notes: list[str] = field(default_factory=list)
    #: Tasks drawn before collapsing, and whether groups were collapsed.
    task_count: int = 0


def state_counts(nodes: Iterable[Node]) -> dict[str, int]:
    counts = dict.fromkeys((*STATES, "failed"), 0)
    for node in nodes:
        counts["failed" if node.failed else node.state] += 1
    return counts


def as_task_list(tasks: Any) -> list[Task]:
    """*tasks* (a task, or an iterable of them) as a list; anything else is a :class:`NotATaskError`."""
    if is_task(tasks):
        return [tasks]
    if isinstance(tasks, (str, bytes)) or not isinstance(tasks, Iterable):
        raise NotATaskError(tasks)
    found = list(tasks)
    for value in found:
        if not is_task(value):
            raise NotATaskError(value)
    return found


def task_inputs(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """``(input path, task)`` for each task in *value*: ``xs[0]``, ``d['a']``, or *path* itself."""
    if is_task(value):
        yield path, value
        return
    t = type(value)
    if t in (list, tuple):
        for i, v in enumerate(value):
            yield from task_inputs(v, f"{path}[{i}]")
    elif t in (set, frozenset):
        for v in value:
            yield from task_inputs(v, f"{path}{{}}")
    elif t is dict:
        for k, v in value.items():
            yield from task_inputs(v, f"{path}[{k!r}]")


def build_graph(
    tasks: Iterable[Task], project: Project, lab: LabBook | None = None, depth: int = -1
) -> GraphData:
    """The graph of *tasks* and everything upstream of them (*depth* levels up; -1: all)."""
    if lab is None:
        lab = LabBook(project)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    seen_edges: set[tuple[str, str, str]] = set()
    requested = list(tasks)
    stack: list[tuple[Task, int]] = [(t, 0) for t in reversed(requested)]
    for task in requested:
        nodes.setdefault(task.static_key, _node(task, project, lab)).requested = True
    while stack:
        task, level = stack.pop()
        node_id = task.static_key
        if node_id not in nodes:
            nodes[node_id] = _node(task, project, lab)
        if depth >= 0 and level >= depth:
            continue
        for name, value in task.inputs.items():
            for path, upstream in task_inputs(value, name):
                up_id = upstream.static_key
                edge = (up_id, node_id, path)
                if edge in seen_edges:
                    continue
                seen_edges.add(edge)
                edges.append(Edge(up_id, node_id, path))
                if up_id not in nodes:
                    nodes[up_id] = _node(upstream, project, lab)
                    stack.append((upstream, level + 1))
    return GraphData(nodes, edges, notes=list(lab.notes), task_count=len(nodes))


def _node(task: Task, project: Project, lab: LabBook) -> Node:
    facts = task_state(task, project, lab)
    return Node(
        id=task.static_key,
        taskname=task.taskname,
        kind=task.kind,
        module=task.module_name,
        key=task.static_key,
        inputs={name: describe_input(value) for name, value in task.inputs.items()},
        task=task,
        **facts,
    )


def describe_input(value: Any) -> str:
    """One bounded line saying what an input is: a value, or the upstream task(s) feeding it."""
    from smttask.text import one_line

    if is_task(value):
        return f"← {value.taskname} (key {value.static_key[:12]}…)"
    upstream = [t for _, t in task_inputs(value, "")]
    if upstream:
        names = ", ".join(sorted({t.taskname for t in upstream}))
        return one_line(f"{type(value).__name__} of {len(upstream)} task(s): {names}", VALUE_LIMIT)
    t = type(value)
    if t.__module__ == "numpy" and t.__name__ == "ndarray" and value.size > 6:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not stop the picture
        text = f"<{t.__name__} object>"
    return one_line(text, VALUE_LIMIT)
