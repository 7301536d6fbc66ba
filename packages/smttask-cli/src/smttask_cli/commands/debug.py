"""``smttask debug compare | key-parents | humanize``: looking into task files as data.

None of them imports a task's module or runs anything: a task file is read as
JSON, its upstream tasks (``{"$type": "task", "value": {"ref": KEY}}``, the
task under KEY in the file's ``upstream`` table; or, in files of format
version 1, the nested document itself) are put back in their place, and
inputs are named by parameter path as everywhere else: ``b.x`` is input ``x``
of the task given as input ``b``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..display import shown

TYPE_TAG = "$type"
_MISSING = object()


@dataclass(frozen=True)
class Difference:
    """One place where two task files differ: its parameter path and the two values (or their tasks)."""

    path: str
    first: Any
    second: Any

    def line(self) -> str:
        return f"{self.path or '(the task itself)'}: {_show(self.first)}  ≠  {_show(self.second)}"


def read_task_file(path: Path) -> dict[str, Any]:
    """The task file *path* as JSON; :class:`click.ClickException` (one line naming it) if it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read it ({exc.strerror or exc}).") from None
    except ValueError as exc:
        raise click.ClickException(f"{path}: not JSON ({exc}), so not a task file.") from None
    if not isinstance(document, dict) or not isinstance(document.get("task"), str) or not isinstance(
        document.get("inputs"), dict
    ):
        raise click.ClickException(
            f"{path}: not a task file (no 'task' name and 'inputs' table); write one with task.save(directory)."
        )
    return document


def _upstream(document: dict[str, Any], node: Any) -> dict[str, Any] | None:
    """The task document an input *node* stands for, or None if it is no upstream task."""
    if not (isinstance(node, dict) and node.get(TYPE_TAG) == "task" and isinstance(node.get("value"), dict)):
        return None
    value = node["value"]
    if isinstance(value.get("ref"), str):
        table = document.get("upstream")
        found = table.get(value["ref"]) if isinstance(table, dict) else None
        return found if isinstance(found, dict) else {"task": "?", "inputs": {}, "key": value["ref"]}
    return value


def _identity(task: dict[str, Any]) -> str:
    return f"task {task.get('module', '?')}:{task.get('task', '?')}"


def differences(a: dict[str, Any], b: dict[str, Any]) -> Iterator[Difference]:
    """The places where task files *a* and *b* differ, in input order (tasks with equal keys are equal)."""

    def walk(node_a: Any, node_b: Any, path: str) -> Iterator[Difference]:
        task_a, task_b = _upstream(a, node_a), _upstream(b, node_b)
        if task_a is not None or task_b is not None:
            if task_a is None or task_b is None:
                yield Difference(path, task_a and _identity(task_a) or node_a, task_b and _identity(task_b) or node_b)
            else:
                yield from tasks(task_a, task_b, path)
            return
        if isinstance(node_a, dict) and isinstance(node_b, dict) and TYPE_TAG not in node_a and TYPE_TAG not in node_b:
            for name in [*node_a, *(k for k in node_b if k not in node_a)]:
                sub = f"{path}.{name}" if path else str(name)
                yield from walk(node_a.get(name, _MISSING), node_b.get(name, _MISSING), sub)
            return
        if isinstance(node_a, list) and isinstance(node_b, list) and len(node_a) == len(node_b):
            for i, (x, y) in enumerate(zip(node_a, node_b, strict=True)):
                yield from walk(x, y, f"{path}.{i}" if path else str(i))
            return
        if node_a != node_b or type(node_a) is not type(node_b):
            yield Difference(path, node_a, node_b)

    def tasks(task_a: dict[str, Any], task_b: dict[str, Any], path: str) -> Iterator[Difference]:
        if (task_a.get("module"), task_a.get("task")) != (task_b.get("module"), task_b.get("task")):
            yield Difference(path, _identity(task_a), _identity(task_b))
            return
        if task_a.get("key") is not None and task_a.get("key") == task_b.get("key"):
            return  # the same key: the same task, inputs and upstream tasks included
        yield from walk(task_a.get("inputs", {}), task_b.get("inputs", {}), path)

    yield from tasks(a, b, "")


def matching_paths(document: dict[str, Any], pattern: re.Pattern[str]) -> Iterator[str]:
    """Each parameter path of *document* whose input name, task name or value *pattern* matches, with what matched."""

    def walk(node: Any, path: str) -> Iterator[str]:
        task = _upstream(document, node)
        if task is not None:
            if pattern.search(str(task.get("task", ""))):
                yield f"{path}  ({_identity(task)})"
            yield from walk(task.get("inputs", {}), path)
        elif isinstance(node, dict) and TYPE_TAG not in node:
            for name, value in node.items():
                sub = f"{path}.{name}" if path else str(name)
                if pattern.search(str(name)):
                    yield f"{sub} = {_show(value, document)}"
                yield from walk(value, sub)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}.{i}" if path else str(i))
        elif not isinstance(node, dict) and node is not None and pattern.search(str(node)):
            yield f"{path} = {_show(node)}"

    if pattern.search(document["task"]):
        yield f"(the task itself)  ({_identity(document)})"
    yield from walk(document["inputs"], "")


def _show(value: Any, document: dict[str, Any] | None = None) -> str:
    if value is _MISSING:
        return "(absent)"
    if document is not None:
        task = _upstream(document, value)
        if task is not None:
            return _identity(task)
    if isinstance(value, str) and value.startswith("task "):
        return value
    return shown(json.dumps(value, ensure_ascii=False), 120)


@click.group("debug", context_settings={"help_option_names": ["-h", "--help"]})
def debug() -> None:
    """Look into task files: compare two, find a parameter, make one easier to read."""


@debug.command("compare")
@click.argument("first", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("second", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--all", "show_all", is_flag=True, help="List every difference, not only the first.")
def compare(first: Path, second: Path, show_all: bool) -> None:
    """Show where two task files first differ, by parameter path (e.g. b.x: 3.0 ≠ 4.0).

    Exit code 0 if they describe the same task, 1 if they differ.
    """
    a, b = read_task_file(first), read_task_file(second)
    found = differences(a, b)
    head = next(found, None)
    if head is None:
        reasons = "" if a.get("reason") == b.get("reason") else " (only their reasons differ)"
        click.echo(f"Same task: {a['task']} with equal inputs{reasons}.")
        return
    click.echo(("Differences:" if show_all else "First difference:") + f"  ({first}  ≠  {second})")
    click.echo("  " + head.line())
    for more in found if show_all else ():
        click.echo("  " + more.line())
    raise SystemExit(1)


@debug.command("key-parents")
@click.argument("pattern")
@click.argument("taskfile", type=click.Path(path_type=Path, dir_okay=False))
def key_parents(pattern: str, taskfile: Path) -> None:
    """Print the parameter path to every input name, task name or value of TASKFILE that PATTERN matches.

    PATTERN is a regular expression (``seed``, ``^lr$``, ``Fit.*``). Exit
    code 1 if nothing matches.
    """
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise click.BadParameter(f"{pattern!r} is not a regular expression ({exc}).", param_hint="PATTERN") from None
    document = read_task_file(taskfile)
    found = list(matching_paths(document, regex))
    for line in found:
        click.echo(line)
    if not found:
        click.echo(f"Nothing in {taskfile} matches {pattern!r}.", err=True)
        raise SystemExit(1)


@debug.command("humanize")
@click.argument("taskfile", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--create/--inplace", default=True, show_default=True,
              help="--create writes NAME.human.json beside the file; --inplace re-indents the file itself.")
def humanize(taskfile: Path, create: bool) -> None:
    """Re-indent a task file (3 spaces, keys in their order) for reading; its content stays the same."""
    from smttask.files import write_atomic

    document = read_task_file(taskfile)
    text = json.dumps(document, indent=3, ensure_ascii=False) + "\n"
    target = taskfile.with_name(f"{taskfile.stem}.human{taskfile.suffix}") if create else taskfile
    write_atomic(target, text.encode("utf-8"))
    click.echo(str(target))
