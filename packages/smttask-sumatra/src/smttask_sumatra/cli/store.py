"""``smttask store rebuild | recreate | upgrade-keys | migrate``: maintaining results and the store with the lab book."""

from __future__ import annotations

from pathlib import Path

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
        click.echo(f"Not replaced (a regular file is there): {path}", err=True)


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
    from ..settings import SumatraSettings
    from ..smtproject import SumatraProject
    from ..store import RecordStore

    with errors():
        project = project_of(ctx)
        store = RecordStore(
            SumatraProject.load(project.root), SumatraSettings.from_config(project.config)
        )
        report = upgrade_data_keys(store)
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
    from ..settings import SumatraSettings
    from ..smtproject import SumatraProject

    with errors():
        project = project_of(ctx)
        report = migrate_store(
            SumatraProject.load(project.root), SumatraSettings.from_config(project.config), url
        )
    total = len(report.copied) + len(report.already_there)
    click.echo(
        f"{total} record(s) now in {report.target} ({len(report.copied)} copied, "
        f"{len(report.already_there)} already there), each read back and verified. The project "
        "records there from now on; its SQLite store is left as it was (a backup)."
    )
