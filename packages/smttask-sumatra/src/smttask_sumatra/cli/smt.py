"""``smttask smt ARGS...``: Sumatra's own ``smt`` command, run on the project (``smttask smt list``)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from .common import project_of


@click.command(
    "smt",
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def smt_command(ctx: click.Context, arguments: tuple[str, ...]) -> None:
    """Run Sumatra's `smt` with ARGUMENTS in the project's root (e.g. `smttask smt list`, `smttask smt info`)."""
    beside = Path(sys.executable).with_name("smt")
    executable = str(beside) if beside.is_file() else shutil.which("smt")
    if executable is None:
        raise click.ClickException("Sumatra's `smt` command is not installed here; reinstall smttask-sumatra.")
    import subprocess  # here: every other command's start would pay its ~1 ms of imports

    root = project_of(ctx).root
    raise SystemExit(subprocess.run([executable, *arguments], cwd=root).returncode)
