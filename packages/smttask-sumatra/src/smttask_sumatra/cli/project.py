"""``smttask project init`` and ``smttask project flush``."""

from __future__ import annotations

from pathlib import Path

import click

from ..settings import POLICIES
from .common import errors, project_of


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--name", help="Project name (default: the directory's name).")
@click.option("--data", help="Directory for results, relative to the project (default: data).")
@click.option(
    "--repository",
    type=click.Path(file_okay=False, path_type=Path),
    help="The git working copy holding the code (default: the one containing DIRECTORY).",
)
@click.option(
    "--on-changed",
    type=click.Choice(POLICIES),
    help="When code has uncommitted changes: refuse to run (error, the default) or record the diff.",
)
@click.option(
    "--allow-dirty",
    multiple=True,
    help="A directory (relative to the repository) that may have uncommitted changes; repeatable.",
)
@click.option("--description", default="", help="A one-line description of the project.")
@click.option(
    "--store",
    metavar="URL",
    help="Keep the records in a database on a PostgreSQL server: postgresql://USER@HOST[:PORT]/DB "
    "(the password from PGPASSWORD or ~/.pgpass, never in the URL). Default: the SQLite file .smt/records.",
)
@click.option(
    "-y",
    "--yes",
    is_flag=True,
    help="Do not ask: take the options given and defaults for the rest.",
)
def init_command(
    directory: Path,
    name: str | None,
    data: str | None,
    repository: Path | None,
    on_changed: str | None,
    allow_dirty: tuple[str, ...],
    description: str,
    store: str | None,
    yes: bool,
) -> None:
    """Create the Sumatra lab book of the project in DIRECTORY (default: here).

    Asks for each setting not given as an option (unless --yes), then creates
    .smt/ with an SQLite record store, the data directory, .gitignore entries
    and the [sumatra] table of smttask.toml. DIRECTORY must be in a git
    repository.
    """
    from ..gitstate import repository_root
    from ..initialize import default_data, default_name, init_project

    with errors():
        root = directory.resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"{root} does not exist; create it (and `git init` it) first.")
        repo_default = repository_root(repository.resolve() if repository else root)
        if not yes:
            name = name or click.prompt("Project name", default=default_name(root))
            data = data or click.prompt("Directory for results", default=default_data(root))
            if repository is None:
                repository = Path(
                    click.prompt("Git repository with the code", default=str(repo_default))
                )
            on_changed = on_changed or click.prompt(
                "When the code has uncommitted changes (error: refuse to run; store-diff: record the diff)",
                type=click.Choice(POLICIES),
                default="error",
            )
            if not allow_dirty:
                answer = click.prompt(
                    "Directories that may have uncommitted changes (comma-separated, - for none)",
                    default="-",
                )
                allow_dirty = tuple(
                    p.strip() for p in answer.split(",") if p.strip() and p.strip() != "-"
                )
        result = init_project(
            root,
            name=name,
            data=data,
            repository=repository,
            on_changed=on_changed or "error",
            allow_dirty=allow_dirty,
            description=description,
            store=store,
        )
    click.echo(f"Created Sumatra project '{result.name}' in {result.root}")
    click.echo(f"  record store : {result.store_path}")
    click.echo(f"  results      : {result.data_dir}")
    click.echo(f"  repository   : {result.repository}")
    for note in result.notes:
        click.echo(f"Note: {note}")


@click.command("flush")
@click.option(
    "--create-store",
    is_flag=True,
    help="First create an empty record store if the project's store file is missing "
    "(e.g. a corrupt one was moved aside), or Sumatra's tables in a server database without them. "
    "An existing store is never replaced.",
)
@click.pass_context
def flush_command(ctx: click.Context, create_store: bool) -> None:
    """Import spooled records into the record store, and close records a killed run left running.

    Records are spooled (to .smt/spool/, or to the per-user spool directory
    when .smt/ cannot be written) when the store was busy, corrupt, read-only
    or full. A record still `_running_` whose run stored its result (the run
    was killed in between) is completed from that result. Safe to run any time.
    """
    from ..repair import repair_running
    from ..spool import flush
    from ..store import RecordStore

    with errors():
        project = project_of(ctx)
        store = RecordStore.of(project)
        if create_store and store.missing():
            store.create()
            click.echo(f"created an empty record store {store.location}")
        report = flush(store)
        repaired = repair_running(project, store)
    for label in report.imported:
        click.echo(f"imported {label}")
    for label in repaired.repaired:
        click.echo(
            f"completed {label} (its run stored a result but was killed before closing the record)"
        )
    for label, why in repaired.unchecked:
        click.echo(f"left running {label}: its task could not be rebuilt ({why})", err=True)
    for _path, error in report.failed:
        click.echo(f"failed: {error}", err=True)
    click.echo(
        f"{len(report.imported)} record(s) imported, {len(repaired.repaired)} completed, "
        f"{len(report.failed)} failed."
    )
    if report.failed:
        ctx.exit(1)
