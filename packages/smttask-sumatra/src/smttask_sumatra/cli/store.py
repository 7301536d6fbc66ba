"""``smttask store rebuild | recreate | upgrade-keys | migrate | merge | delete``: maintaining results and the store
with the lab book."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .common import errors, project_of


@click.command("rebuild")
@click.pass_context
def rebuild_command(ctx: click.Context) -> None:
    """Recreate the "latest result" links (data/latest/<Task>/) from the records.

    Each task's links point at its newest finished run whose files exist.
    Existing links are updated in place; regular files in the way are left
    alone and listed.
    """
    from ..maintenance import rebuild_latest

    with errors():
        report = rebuild_latest(project_of(ctx))
    counts = report.counts
    click.echo(
        f"Links: {counts['created']} created, {counts['updated']} updated, {counts['unchanged']} already right, "
        f"{report.removed} stale removed."
    )
    for path in report.blocked:
        click.echo(f"Not replaced (a file that is not a link is there): {path}", err=True)


@click.command("recreate")
@click.argument("label")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default=Path("."),
    show_default=True,
    help="Directory to write the task file into (or a path ending in .json).",
)
@click.option("-f", "--force", is_flag=True, help="Overwrite a different existing file.")
@click.pass_context
def recreate_command(ctx: click.Context, label: str, out: Path, force: bool) -> None:
    """Write the task file of the run LABEL, to run it again with `smttask run`."""
    from ..maintenance import recreate_task_file

    with errors():
        path = recreate_task_file(project_of(ctx), label, out, force=force)
    click.echo(str(path))


@click.command("upgrade-keys")
@click.pass_context
def upgrade_keys_command(ctx: click.Context) -> None:
    """Make data keys of older records readable by smtweb (SHA-1 digests, whole-second times).

    Records written before smttask-sumatra 0.3 gave smtweb's data file pages
    HTTP 500 and its downloads 404. A file that is gone or changed since keeps
    its old digest. Safe to run any time.
    """
    from ..keyupgrade import upgrade_data_keys
    from ..store import RecordStore

    with errors():
        project = project_of(ctx)
        report = upgrade_data_keys(RecordStore.of(project))
    click.echo(
        f"Data keys: {report.rehashed} given their SHA-1 digest, {report.rounded} times rounded to "
        f"the second, {len(report.unverified)} left as they were (file missing or changed)."
    )
    for path in report.unverified:
        click.echo(f"left as it was: {path}", err=True)


@click.command("migrate")
@click.option(
    "--to",
    "url",
    required=True,
    metavar="URL",
    help="The PostgreSQL database to move the records to: postgresql://USER@HOST[:PORT]/DB "
    "(the password from PGPASSWORD or ~/.pgpass).",
)
@click.pass_context
def migrate_command(ctx: click.Context, url: str) -> None:
    """Move the project's SQLite lab book to a PostgreSQL database, record for record, verified.

    Every record is copied, read back and compared; only then does the project
    record there (.smt/project names the server). The SQLite file is left as it
    was, as a backup. Safe to run again after an interruption.
    """
    from ..migrate import migrate_store
    from ..store import RecordStore

    with errors():
        project = project_of(ctx)
        report = migrate_store(RecordStore.of(project), url)
    total = len(report.copied) + len(report.already_there)
    click.echo(
        f"{total} record(s) now in {report.target} ({len(report.copied)} copied, "
        f"{len(report.already_there)} already there), each read back and verified. The project "
        "records there from now on; its SQLite store is left as it was (a backup)."
    )


@click.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--clean", is_flag=True,
              help="Remove each source once every one of its records reads back identical from the project's "
                   "store (by default sources are kept).")
@click.pass_context
def merge_command(ctx: click.Context, sources: tuple[Path, ...], clean: bool) -> None:
    """Copy the records of other SQLite record stores (e.g. written with `smttask run --record-store`) into the
    project's.

    Records already there are counted; a different record under a label the
    project's store already has is reported, never overwritten (exit code 1).
    """
    from ..merge import merge_store
    from ..store import RecordStore

    conflicts = False
    with errors():
        project = project_of(ctx)
        store = RecordStore.of(project)
        for source in sources:
            report = merge_store(store, source, clean=clean)
            click.echo(
                f"{source}: {len(report.copied)} record(s) copied, {len(report.already_there)} already there"
                + (", source removed" if report.removed else "") + "."
            )
            for label in report.conflicts:
                conflicts = True
                click.echo(f"{source}: not merged: record {label} differs from the project's record of that "
                           "label (both kept as they are).", err=True)
    if conflicts:
        raise SystemExit(1)


@click.group("delete")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
@click.pass_context
def delete_group(ctx: click.Context, dry_run: bool) -> None:
    """Delete records from the lab book, with the results they wrote (`delete record LABEL`, `delete since AGE`).

    A result another kept record also wrote is kept; a run still going is left alone.
    """
    ctx.meta["smttask_sumatra.dry_run"] = dry_run


def _dry_run_option(command: click.Command) -> click.Command:
    return click.option("--dry-run", "dry_run", is_flag=True,
                        help="List what would be deleted; delete nothing.")(command)


@delete_group.command("record")
@click.argument("labels", nargs=-1, required=True)
@_dry_run_option
@click.pass_context
def delete_record_command(ctx: click.Context, labels: tuple[str, ...], dry_run: bool) -> None:
    """Delete the records LABEL... and the results they wrote."""
    from ..deletion import plan_labels

    with errors():
        plan = plan_labels(project_of(ctx), list(labels))
    _carry_out(ctx, plan, dry_run)


@delete_group.command("since")
@click.argument("age")
@_dry_run_option
@click.pass_context
def delete_since_command(ctx: click.Context, age: str, dry_run: bool) -> None:
    """Delete the records started in the last AGE (e.g. 2h, 30min, 1d) and the results they wrote."""
    from datetime import timedelta

    from smttask.utils import parse_duration_str

    from ..deletion import plan_since

    try:
        seconds = parse_duration_str(age)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="AGE") from None
    with errors():
        plan = plan_since(project_of(ctx), timedelta(seconds=seconds))
    _carry_out(ctx, plan, dry_run)


def _carry_out(ctx: click.Context, plan: Any, dry_run: bool) -> None:
    from ..deletion import delete

    dry_run = dry_run or bool(ctx.meta.get("smttask_sumatra.dry_run"))
    verb = "would delete" if dry_run else "deleting"
    for record in plan.records:
        click.echo(f"{verb} record {record.label} ({record.taskname}, {record.status})")
        for path in plan.files.get(record.label, []):
            click.echo(f"{verb}   {path}")
    for what, why in plan.kept:
        click.echo(f"keeping {what}: {why}")
    if not plan.records:
        click.echo("Nothing to delete.")
        return
    if dry_run:
        click.echo(f"Dry run: {len(plan.records)} record(s) would be deleted; nothing was.")
        return
    with errors():
        report = delete(project_of(ctx), plan)
    click.echo(f"Deleted {len(report.records)} record(s) and {len(report.files)} file(s).")


@click.command("create-surrogates")
@click.argument("taskfiles", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="List what would be recorded; record nothing.")
@click.pass_context
def create_surrogates_command(ctx: click.Context, taskfiles: tuple[Path, ...], dry_run: bool) -> None:
    """Add a lab-book record for each TASKFILE whose result is stored but recorded by no record.

    The record (tags _finished_ and surrogate, version <unknown>) names the
    stored files and their hashes; nothing is computed. Task files are kept.
    """
    from smttask.taskfile import task_from_desc

    from ..surrogates import create_surrogates

    with errors():
        project = project_of(ctx)
        tasks = []
        for path in taskfiles:
            with project.activate():
                try:
                    tasks.append((path, task_from_desc(path)))
                except Exception as exc:  # noqa: BLE001 - one bad file is one line; the others go on
                    click.echo(f"{path}: cannot load the task: {exc}", err=True)
        report = create_surrogates(project, tasks, dry_run=dry_run)
    for path, label in report.created:
        click.echo(f"{path}: would get a surrogate record" if dry_run else f"{path}: recorded as {label}")
    for path, why in report.skipped:
        click.echo(f"{path}: skipped: {why}")
