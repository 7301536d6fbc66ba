"""``smttask store gc``, ``store pin`` and ``store unpin``: reclaiming space, and saying what must stay.

The collection itself is :func:`smttask.collect_garbage`; what it keeps comes
through the ``smttask_gc_roots`` hook (pinned task files here, records from
smttask-sumatra), so this command knows nothing of the lab book.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..display import echo_problem, format_size, shown
from ..reporting import display_path
from ..state import CliState

if TYPE_CHECKING:
    from smttask.storage import StoredEntry

#: How the summary names each reason a result is kept (see :data:`smttask.garbage.KeptReason`).
KEPT_LABELS = {
    "root": "kept by a pin or record",
    "upstream": "upstream of a kept result",
    "held": "claimed by a running process",
    "in use": "written or loaded just now",
    "recent": "used more recently than --older-than",
    "fits": "within --max-size",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _where(entry: StoredEntry) -> str:
    return shown(display_path(Path(entry.location, entry.key)) if entry.location else f"{entry.task}/{entry.key}")


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


@click.command("gc", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@click.option("--keep-recorded", is_flag=True,
              help="Keep the result of every lab-book record (by default: of records with a tag of yours).")
@click.option("--older-than", metavar="AGE",
              help="Delete only results last used more than AGE ago (e.g. 30d, 12h).")
@click.option("--max-size", metavar="SIZE",
              help="Delete only until the stored results fit in SIZE (e.g. 50G, 500MB, 2GiB).")
@click.option("-v", "--verbose", is_flag=True, help="Also list every result kept, and why.")
@click.pass_obj
def gc(state: CliState, dry_run: bool, keep_recorded: bool, older_than: str | None, max_size: str | None,
       verbose: bool) -> None:
    """Delete stored results nothing keeps, least recently used first, and say how much space that frees.

    Kept: the results of pinned task files (`smttask store pin`), of lab-book
    records with a tag of yours (all records with --keep-recorded), and the
    results of their upstream tasks; results a running process has claimed or
    loaded in the last claim_stale_after seconds. Of the rest, results used
    more recently than --older-than stay, and the others go oldest use first
    until the store fits in --max-size (all of them without it). What
    interrupted runs left (see `smttask clean`) goes too.
    """
    from smttask import SmttaskError, collect_garbage
    from smttask.utils import parse_duration_str, parse_size

    try:
        age = None if older_than is None else parse_duration_str(older_than)
    except ValueError as exc:
        raise click.ClickException(f"--older-than: {shown(exc)}") from None
    try:
        budget = None if max_size is None else parse_size(max_size)
    except ValueError as exc:
        raise click.ClickException(f"--max-size: {shown(exc)}") from None
    project = state.project()
    try:
        with project.activate():
            report = collect_garbage(project, dry_run=dry_run, keep_recorded=keep_recorded,
                                     older_than=age, max_size=budget)
    except (OSError, SmttaskError) as exc:
        raise click.ClickException(f"nothing was deleted: {shown(exc, 500)}") from None
    verb = "would delete" if dry_run else "deleted"
    for entry in report.deleted:
        click.echo(f"{verb:<12}  {_where(entry)}  ({format_size(entry.size)}, last used {_when(entry.last_used)})")
    for left in report.leftovers:
        click.echo(f"{verb:<12}  {shown(display_path(left.path))}  ({format_size(left.size)}, {left.why})")
    for entry, why in report.skipped:
        click.echo(f"{'left':<12}  {_where(entry)}  ({why})")
    if verbose:
        for kept in report.kept:
            click.echo(f"{'kept':<12}  {_where(kept.entry)}  ({shown(kept.why, 300)})")
    if report.kept:
        counts: dict[str, int] = {}
        for kept in report.kept:
            counts[kept.reason] = counts.get(kept.reason, 0) + 1
        parts = ", ".join(f"{n} {KEPT_LABELS[reason]}" for reason, n in counts.items())
        click.echo(f"Kept {_plural(len(report.kept), 'result')}: {parts}.")
    gone = f"{_plural(len(report.deleted), 'result')} and {_plural(len(report.leftovers), 'leftover file')}"
    if dry_run:
        click.echo(f"Dry run: would delete {gone}, freeing {format_size(report.freed)}. Nothing was deleted.")
    else:
        click.echo(f"Deleted {gone}, {format_size(report.freed)} freed; stored results now take "
                   f"{format_size(report.size_after)}.")


@click.command("pin", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("taskfiles", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def pin(state: CliState, taskfiles: tuple[Path, ...]) -> None:
    """Keep the results of the tasks in TASKFILE... (and of their upstream tasks) through `smttask store gc`.

    Each task file is copied into the project's pin directory (the `pinned`
    setting, default pinned/). Without TASKFILE, list the pins.
    """
    from smttask.pins import pin as pin_file
    from smttask.pins import pinned

    project = state.project()
    if not taskfiles:
        _each(lambda: [click.echo(shown(display_path(path))) for path, _ in pinned(project)], "pinned/")
        return
    failed = False
    for taskfile in taskfiles:
        failed |= not _each(lambda f=taskfile: click.echo(f"pinned {shown(display_path(pin_file(project, f)))}"),
                            str(taskfile))
    if failed:
        raise SystemExit(1)


@click.command("unpin", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("taskfiles", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def unpin(state: CliState, taskfiles: tuple[Path, ...]) -> None:
    """Let `smttask store gc` delete the results of TASKFILE... again (removes their pins; keeps the files given)."""
    from smttask.pins import unpin as unpin_file

    project = state.project()
    failed = False
    for taskfile in taskfiles:

        def one(path: Path = taskfile) -> None:
            removed = unpin_file(project, path)
            for pin_path in removed:
                click.echo(f"unpinned {shown(display_path(pin_path))}")
            if not removed:
                click.echo(f"{shown(path)}: was not pinned")

        failed |= not _each(one, str(taskfile))
    if failed:
        raise SystemExit(1)


def _each(action: Callable[[], object], label: str) -> bool:
    """Run *action*; an smttask or OS error is one line naming *label* (the others go on). True if it worked."""
    from smttask import SmttaskError

    try:
        action()
    except (OSError, SmttaskError) as exc:
        echo_problem(label, str(exc).removeprefix(f"{label}: "))  # the message may name the file already
        return False
    return True
