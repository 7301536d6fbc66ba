"""``smttask store find-output TASKFILE``: where the stored result of a task file is.

The ``store`` group is made here; plugins (smttask-sumatra) add their store
maintenance commands to it.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..display import MESSAGE_LIMIT, shown
from ..loading import load_entry
from ..state import CliState


@click.group("store", context_settings={"help_option_names": ["-h", "--help"]})
def store() -> None:
    """Find stored results, and maintain them."""


@store.command("find-output")
@click.argument("taskfile", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_obj
def find_output(state: CliState, taskfile: Path) -> None:
    """Print the stored output files of the task in TASKFILE, one per line (NAME<TAB>PATH).

    The task is rebuilt (its module imported) but not run. Exit code 1 if its
    result is not stored.
    """
    from smttask.errors import CorruptResultError

    project = state.project()
    entry = load_entry(taskfile, project)
    if entry.task is None:
        raise click.ClickException(f"{taskfile}: {shown(entry.error, MESSAGE_LIMIT)}")
    task = entry.task
    if not task.store:
        raise click.ClickException(
            f"{taskfile}: {task.taskname} is a {task.kind}, whose results are never stored; nothing to find."
        )
    try:
        with project.activate():
            stored = project.storage.locate(task)
    except CorruptResultError as exc:
        raise click.ClickException(f"{taskfile}: its stored result is unusable: {exc}") from None
    if stored is None:
        click.echo(f"{taskfile}: no stored result for {task.taskname} (key {task.digest}); run it with "
                   "`smttask run`.", err=True)
        raise SystemExit(1)
    for name, output in stored.outputs.items():
        click.echo(f"{name or '(result)'}\t{output.path}")
