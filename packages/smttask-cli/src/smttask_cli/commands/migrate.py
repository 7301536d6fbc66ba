"""``smttask migrate``: task files of smttask 0.2 written again in the current format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..display import echo_path_problems, echo_problem, shown
from ..paths import collect_task_files
from ..reporting import display_path
from ..state import CliState


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("old", nargs=-1, required=True, metavar="OLD_TASKFILE|DIR|GLOB...")
@click.option(
    "-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="Directory the migrated task files are written to (created if needed).",
)
@click.option(
    "--embed", is_flag=True,
    help="Write every array input into the task file, even one larger than array_inline_max "
    "(otherwise stored once under the data directory and referenced by hash).",
)
@click.pass_obj
def migrate(state: CliState, old: tuple[str, ...], output: Path, embed: bool) -> None:
    """Write task files of smttask 0.2 as task files of this smttask.

    Each file's task is rebuilt with the current API (its module is imported,
    nothing else is called; a function stored as source code is refused) and
    saved in OUTPUT under its new key, printed beside the old digest: keys are
    computed differently now, so results stored by smttask 0.2 are not found
    under them. The old files are left as they are. A file that cannot be
    migrated gets one line, the others are still written, and the exit code is 1.
    """
    from smttask import SmttaskError
    from smttask.legacy import task_from_legacy

    files, problems = collect_task_files(list(old))
    failed = echo_path_problems(problems)
    if not files:
        sys.exit(1)
    with state.project().activate():
        for path in files:
            try:
                task, old_digest = task_from_legacy(path)
                written = task.save(output, embed=embed)
            except (SmttaskError, OSError) as exc:
                echo_problem(display_path(path), exc)
                failed = True
                continue
            click.echo(
                f"{shown(old_digest or '?'):<12} -> {task.digest}  {shown(display_path(written))}"
                f"  (from {shown(display_path(path))})"
            )
    if failed:
        sys.exit(1)
