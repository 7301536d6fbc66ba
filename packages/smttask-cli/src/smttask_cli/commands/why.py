"""``smttask why TASKFILE|RESULT|RECORD...``: why a task's result would be used or computed."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from ..display import echo_path_problems, echo_problem, shown
from ..loading import load_entry
from ..paths import collect_task_files
from ..state import CliState

if TYPE_CHECKING:
    from smttask import Project
    from smttask.explain import Explanation


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("targets", nargs=-1, required=True, metavar="TASKFILE|RESULT|RECORD...")
@click.option("-n", "--nearest", default=3, show_default=True, type=click.IntRange(1, 100),
              help="How many of the nearest stored results a miss lists.")
@click.pass_obj
def why(state: CliState, targets: tuple[str, ...], nearest: int) -> None:
    """Explain why each task would be loaded or computed.

    TASKFILE (or a directory of them): for a miss, the nearest stored results
    of the same task and the inputs that differ from each, by dotted path
    through upstream tasks; for a hit, where the result is, its record and
    whether the task's code changed since. RESULT: a file of a stored result
    (an output or its manifest). RECORD: a lab-book record's label.
    """
    project = state.project()
    failed = False
    told: set[tuple[str, str | None]] = set()
    for target in targets:
        try:
            explanations = _explain_target(target, project, nearest)
        except _TargetError as exc:
            explanations = [(shown(target), str(exc))]
        for label, explanation in explanations:
            if isinstance(explanation, str):
                echo_problem(label, explanation)
                failed = True
            elif (explanation.key, explanation.location) not in told:  # an output and its manifest: one result
                told.add((explanation.key, explanation.location))
                click.echo(str(explanation))
    if failed:
        sys.exit(1)


class _TargetError(Exception):
    """An argument that names no task file, stored result or record."""


def _explain_target(target: str, project: Project, nearest: int) -> list[tuple[str, Explanation | str]]:
    """``(label, explanation or the problem)`` for each task or result *target* names."""
    from smttask.errors import SmttaskError
    from smttask.explain import explain, explain_result

    if os.path.isfile(target) and _is_result_file(target, project):
        try:
            return [(target, explain_result(target, project))]
        except SmttaskError as exc:
            raise _TargetError(str(exc)) from None
    if os.path.exists(target):
        files, problems = collect_task_files([target])
        echo_path_problems(p for p in problems if not p.fatal)  # warnings: files skipped, as `smttask run` does
        found: list[tuple[str, Explanation | str]] = [(p.argument, p.problem) for p in problems if p.fatal]
        for path in files:
            entry = load_entry(path, project)
            found.append((entry.label, explain(entry.task, project, nearest=nearest) if entry.task is not None
                          else entry.error or "not a task file"))
        return found
    with project.activate():
        try:
            task = project.hook.smttask_task_of_record(project=project, label=target)
        except SmttaskError as exc:
            raise _TargetError(str(exc)) from None
    if task is None:
        raise _TargetError("no such file, and no lab-book record has this label (list them with `smttask records`)")
    return [(target, explain(task, project, nearest=nearest))]


def _is_result_file(target: str, project: Project) -> bool:
    """Whether *target* is a file in the project's data directory, or a result manifest anywhere."""
    from smttask.storage.layout import MANIFEST_SUFFIX

    if target.endswith(MANIFEST_SUFFIX):
        return True
    data = os.path.realpath(project.data_dir)
    return os.path.realpath(target).startswith(data + os.sep)
