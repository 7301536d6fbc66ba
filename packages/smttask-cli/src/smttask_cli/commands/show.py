"""``smttask show``: what a task file describes, and whether its results exist."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..display import MESSAGE_LIMIT, echo_path_problems, echo_problem, shown
from ..loading import load_entry, load_warnings
from ..paths import collect_task_files
from ..reporting import display_path
from ..state import CliState

if TYPE_CHECKING:
    from smttask import Project, Task


def result_status(task: Task, project: Project) -> tuple[str, str]:
    """``(style, text)`` saying whether *task*'s result exists and where."""
    from smttask.errors import CorruptResultError

    if task.unpure:
        return "yellow", "unpure: computed once per session, never stored"
    if not task.store:
        kind = "NonMemoizedTask" if not task.cache else "MemoizedTask"
        return "yellow", f"not stored ({kind}): computed when needed"
    try:
        stored = project.storage.locate(task)
    except CorruptResultError as exc:
        return "red", f"stored result unusable, will be recomputed: {shown(str(exc), MESSAGE_LIMIT)}"
    if stored is None:
        return "red", "not computed yet"
    return "green", "cached: " + ", ".join(map(display_path, stored.files))


def short_value(value: Any, limit: int = 70) -> str:
    """A one-line view of an input value (arrays by shape and dtype)."""
    t = type(value)
    if t.__module__ == "numpy" and t.__name__ == "ndarray" and value.size > 6:
        return f"array(shape={value.shape}, dtype={value.dtype})"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def task_kind(task: Task) -> str:
    from smttask.task import Task as TaskBase

    for cls in type(task).__mro__[1:]:
        if issubclass(cls, TaskBase) and cls.__module__ == "smttask.task_types":
            return cls.__name__
    return type(task).__mro__[1].__name__


def add_inputs(tree: Any, task: Task, project: Project) -> None:
    """Add *task*'s inputs under *tree*; upstream tasks become subtrees."""
    from rich.markup import escape

    from smttask.execution import iter_tasks, job_key
    from smttask.signature import is_task

    for name, value in task.inputs.items():
        upstream = list(iter_tasks(value))
        if not upstream:
            tree.add(f"[bold]{escape(name)}[/] = {escape(short_value(value))}")
            continue
        branch = tree if is_task(value) else tree.add(f"[bold]{escape(name)}[/] = {escape(short_value(value))}")
        for up in upstream:
            style, status = result_status(up, project)
            prefix = f"[bold]{escape(name)}[/] ← " if is_task(value) else ""
            node = branch.add(
                f"{prefix}[bold magenta]{escape(up.taskname)}[/] [dim]{task_kind(up)} · key {job_key(up)[:12]}[/]"
                f"  [{style}]{escape(status)}[/]"
            )
            add_inputs(node, up, project)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("taskfile", metavar="TASKFILE|DIR|GLOB")
@click.pass_obj
def show(state: CliState, taskfile: str) -> None:
    """Show a task file: task name, key, inputs (upstream tasks as a tree), and whether each result is cached.

    A directory or glob pattern shows each task file it gives, as `smttask run` finds them.
    """
    files, problems = collect_task_files([taskfile])
    failed = echo_path_problems(problems)
    if not files:
        sys.exit(1)
    project = state.project()
    for path in files:
        entry = load_entry(path, project)
        for warning in load_warnings([entry]):
            click.echo(warning, err=True)
        if entry.task is None:
            echo_problem(entry.label, entry.error or "")
            failed = True
            continue
        show_task(entry.task, project)
    if failed:
        sys.exit(1)


def show_task(task: Task, project: Project) -> None:
    """Print *task* as a tree: name, kind, module, key, reason, result and inputs."""
    from rich.console import Console
    from rich.markup import escape
    from rich.tree import Tree

    from smttask.execution import job_key

    with project.activate():
        style, status = result_status(task, project)
        tree = Tree(
            f"[bold magenta]{escape(task.taskname)}[/] [dim]({task_kind(task)} from module "
            f"{escape(task.module_name)})[/]"
        )
        tree.add(f"[bold]key[/]     {job_key(task)}")
        if task.reason:
            tree.add(f"[bold]reason[/]  {escape(shown(task.reason, MESSAGE_LIMIT))}")
        tree.add(f"[bold]result[/]  [{style}]{escape(status)}[/]")
        inputs = tree.add("[bold]inputs[/]")
        add_inputs(inputs, task, project)
    Console(highlight=False, soft_wrap=not sys.stdout.isatty()).print(tree)
