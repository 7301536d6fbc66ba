"""The lineage of records: which runs, tasks and files a result came from, for ``smttask export``.

A record's parameters are its task's document: the task's key and, in its
``"upstream"`` table (or nested inline, in version 1 documents), every upstream
task by key with the keys of the tasks it reads. So the graph of tasks follows
from the record alone, without importing any task module; each upstream task
is then matched, by key, to the newest finished record that computed it (a
task kept in memory only has no record and stays a task without a run).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RecordFilterError
from .view import RecordStoreView

if TYPE_CHECKING:
    from smttask import Project

    from .records import DataFile, RecordView
    from .smtproject import SumatraProject


@dataclass(frozen=True)
class TaskNode:
    """One task of the graph: its key, name, module and the keys of the tasks it reads directly."""

    key: str
    taskname: str
    module: str
    upstream: tuple[str, ...]


@dataclass
class Lineage:
    """The runs asked for, the runs of their upstream tasks, and the graph of their tasks."""

    smt: SumatraProject
    #: Labels of the records asked for, in the order asked.
    selected: list[str] = field(default_factory=list)
    #: Every record in the lineage, by label.
    runs: dict[str, RecordView] = field(default_factory=dict)
    #: Every task in the lineage, by key.
    tasks: dict[str, TaskNode] = field(default_factory=dict)
    #: The label of the record that computed a task, by the task's key.
    run_of: dict[str, str] = field(default_factory=dict)


def project_path(data: DataFile, root: Path) -> str:
    """Where the file of *data* is, relative to the project *root* (POSIX), the same for a run that wrote it
    (keyed under the data store) and one that read it (keyed under the input store); ``external/...`` outside."""
    path = data.full_path.resolve()
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return "external/" + path.as_posix().lstrip("/")


def task_graph(document: Mapping[str, Any]) -> dict[str, TaskNode]:
    """The tasks a task document describes (itself and every upstream task), by key, without recursion."""
    nodes: dict[str, TaskNode] = {}
    entries: list[Mapping[str, Any]] = [document]
    table = document.get("upstream")
    if isinstance(table, Mapping):
        entries.extend(e for e in table.values() if isinstance(e, Mapping))
    while entries:
        entry = entries.pop()
        key, taskname = entry.get("key"), entry.get("task")
        if not isinstance(key, str) or not isinstance(taskname, str) or key in nodes:
            continue
        references, inline = _references(entry.get("inputs"))
        entries.extend(inline)
        module = entry.get("module")
        nodes[key] = TaskNode(key, taskname, module if isinstance(module, str) else "", tuple(references))
    return nodes


def _references(inputs: Any) -> tuple[list[str], list[Mapping[str, Any]]]:
    """Keys of the upstream tasks *inputs* names (by ``ref`` or inline), and the inline descriptions."""
    keys: dict[str, None] = {}
    inline: list[Mapping[str, Any]] = []
    stack = [inputs]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, Mapping):
            inner = value.get("value")
            if value.get("$type") == "task" and isinstance(inner, Mapping):
                key = inner.get("ref", inner.get("key"))
                if isinstance(key, str):
                    keys.setdefault(key, None)
                if "inputs" in inner:
                    inline.append(inner)
            else:
                stack.extend(value.values())
    return list(keys), inline


def build_lineage(
    project: Project,
    labels: Iterable[str] = (),
    *,
    task: str | None = None,
    every: bool = False,
) -> Lineage:
    """The lineage of the records *labels*, of every record of the task named *task*, or of *every* record.

    An unknown label raises :class:`~smttask_sumatra.errors.RecordNotFoundError`,
    a task without records :class:`~smttask_sumatra.errors.RecordFilterError`.
    """
    view = RecordStoreView(project)
    lineage = Lineage(view.smt)
    if every:
        chosen = list(reversed(view.list))
    elif task is not None:
        chosen = list(reversed(view.filter(task=task).list))
        if not chosen:
            raise RecordFilterError(
                f"No record of task '{task}' in Sumatra project '{view.smt.name}'. "
                "List the records with `smttask records`."
            )
    else:
        chosen = [view[label] for label in labels]
    finished: dict[str, dict[str, RecordView]] = {}  # taskname -> key -> newest finished record

    def record_of(node: TaskNode) -> RecordView | None:
        if node.taskname not in finished:
            by_key: dict[str, RecordView] = {}
            for record in view.filter(task=node.taskname, status="finished"):  # newest first
                if record.key is not None:
                    by_key.setdefault(record.key, record)
            finished[node.taskname] = by_key
        return finished[node.taskname].get(node.key)

    for record in chosen:
        lineage.selected.append(record.label)
        lineage.runs[record.label] = record
        graph = task_graph(record.parameters)
        for key, node in graph.items():
            lineage.tasks.setdefault(key, node)
        if record.key is not None:
            lineage.run_of.setdefault(record.key, record.label)
        for key, node in graph.items():
            if key == record.key or key in lineage.run_of:
                continue
            upstream = record_of(node)
            if upstream is not None:
                lineage.runs.setdefault(upstream.label, upstream)
                lineage.run_of[key] = upstream.label
    return lineage
