"""``smttask accept TASKFILE...``: the code of these tasks changed only cosmetically; their results stay valid."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..display import echo_problem, shown
from ..loading import load_entry
from ..state import CliState


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("taskfiles", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def accept(state: CliState, taskfiles: tuple[Path, ...]) -> None:
    """Record that the code of the tasks in TASKFILE... changed only cosmetically.

    Their stored results take the current code fingerprint, so a hit no longer
    warns (on_code_change = "warn") or recomputes ("recompute").
    """
    from smttask.accept import accept_code_change

    project = state.project()
    failed = False
    for path in taskfiles:
        entry = load_entry(path, project)
        if entry.task is None:
            echo_problem(entry.label, entry.error or "")
            failed = True
            continue
        if accept_code_change([entry.task], project):
            click.echo(f"accepted {entry.task.taskname} (key {entry.task.digest}): {shown(entry.label)}")
        else:
            echo_problem(entry.label, f"{entry.task.taskname} has no stored result to accept")
            failed = True
    if failed:
        sys.exit(1)
