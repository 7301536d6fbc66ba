"""``smttask clean``: remove what interrupted runs left in the data directory, and say what it freed."""

from __future__ import annotations

import click

from ..display import format_size
from ..reporting import display_path
from ..state import CliState


def shown(text: object) -> str:
    """*text* on one line: control characters (a file name may hold any) escaped as Python writes them."""
    raw = str(text)
    return raw if raw.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw)


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@click.pass_obj
def clean(state: CliState, dry_run: bool) -> None:
    """Remove what interrupted runs left in the project's data directory.

    That is: temporary files of writers that are gone (killed, out of memory),
    output files no manifest lists (the run stopped, or the disk filled up,
    before the manifest was written), and claims and takeover locks of
    processes that are gone. Never a stored result, never a file a live process
    is writing, never an output of a task a live process has claimed. Each
    file is listed with its size and why it goes, then the total freed.
    """
    from smttask import SmttaskError

    project = state.project()
    try:
        leftovers = project.storage.clean(dry_run=dry_run)
    except (OSError, SmttaskError) as exc:
        raise click.ClickException(f"cannot clean {display_path(project.data_dir)}: {shown(exc)}") from None
    verb = "would remove" if dry_run else "removed"
    for left in leftovers:
        click.echo(f"{verb:<12}  {shown(display_path(left.path))}  ({format_size(left.size)}, {left.why})")
    total = format_size(sum(left.size for left in leftovers))
    if dry_run:
        click.echo(f"Dry run: would remove {_files(len(leftovers))}, freeing {total}. Nothing was removed.")
    elif leftovers:
        click.echo(f"Removed {_files(len(leftovers))}, {total} freed.")
    else:
        click.echo(f"Nothing to clean in {shown(display_path(project.data_dir))}.")
