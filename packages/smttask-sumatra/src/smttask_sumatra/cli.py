"""The commands smttask-sumatra adds to ``smttask`` (through the ``smttask_cli_commands`` hook).

- ``smttask project init [DIR]`` / ``smttask project flush``
- ``smttask records`` (list, newest first) / ``smttask records show LABEL``
- ``smttask store rebuild`` / ``smttask store recreate LABEL -o DIR``

Commands join existing ``project`` and ``store`` groups when another plugin made
them. Errors of smttask are printed as one line and exit with status 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .settings import POLICIES

if TYPE_CHECKING:
    from smttask import Project

    from .view import RecordView


def register(cli: click.Group) -> None:
    """Add this plugin's commands to the ``smttask`` group *cli*."""
    project = _group(cli, "project", "Set up the project's lab book, and maintain it.")
    project.add_command(init_command)
    project.add_command(flush_command)
    cli.add_command(records_group)
    store = _group(cli, "store", "Maintain stored results using the lab book.")
    store.add_command(rebuild_command)
    store.add_command(recreate_command)
    store.add_command(upgrade_keys_command)
    store.add_command(migrate_command)


def _group(cli: click.Group, name: str, help: str) -> click.Group:
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name, help=help)
    cli.add_command(group)
    added = cli.commands.get(name)
    return added if isinstance(added, click.Group) else group


@contextmanager
def _errors() -> Iterator[None]:
    """Turn smttask's errors (and bad values) into a one-line ``Error: ...`` and exit status 1."""
    from smttask.errors import SmttaskError

    try:
        yield
    except (SmttaskError, ValueError, LookupError, FileNotFoundError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from None


def _project(ctx: click.Context) -> Project:
    """The invocation's project (from the CLI's state when it has one), else the one found from here."""
    getter = getattr(ctx.obj, "project", None)
    if callable(getter):
        return getter()
    from smttask import Project

    return Project()


# --- project ---------------------------------------------------------------------------
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
    from .gitstate import repository_root
    from .initialize import default_data, default_name, init_project

    with _errors():
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
    from .repair import repair_running
    from .settings import SumatraSettings
    from .smtproject import SumatraProject
    from .spool import flush
    from .store import RecordStore

    with _errors():
        project = _project(ctx)
        smt = SumatraProject.load(project.root)
        store = RecordStore(smt, SumatraSettings.from_config(project.config))
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


# --- records ---------------------------------------------------------------------------
def _parse_param(text: str) -> tuple[str, Any]:
    path, sep, raw = text.partition("=")
    if not sep or not path:
        raise click.BadParameter(
            f"{text!r} is not PATH=VALUE (e.g. a.b=2.0).", param_hint="--param"
        )
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return path.strip(), value


@click.group("records", invoke_without_command=True)
@click.option("--task", "tasks", multiple=True, help="Only records of this task (name).")
@click.option(
    "--tag", "tags", multiple=True, help="Only records with this tag; repeatable (all must match)."
)
@click.option(
    "--status",
    type=click.Choice(["finished", "crashed", "killed", "running"]),
    help="Only this status.",
)
@click.option(
    "--since", help="Only records started on or after this date/time (ISO, e.g. 2024-05-21)."
)
@click.option("--until", help="Only records started before this date/time (ISO).")
@click.option(
    "--param",
    "param_filters",
    multiple=True,
    help="Only records whose parameter PATH equals VALUE (PATH=VALUE, VALUE as JSON); repeatable.",
)
@click.option("--reason", help="Only records whose reason contains this text.")
@click.option(
    "--output",
    "output",
    type=click.Path(path_type=Path),
    help="Only the record(s) that wrote this file (a stored result, or a latest link to one).",
)
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Show at most this many (0: all).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON (one object per record) instead of a table."
)
@click.pass_context
def records_group(
    ctx: click.Context,
    tasks: tuple[str, ...],
    tags: tuple[str, ...],
    status: str | None,
    since: str | None,
    until: str | None,
    param_filters: tuple[str, ...],
    reason: str | None,
    output: Path | None,
    limit: int,
    as_json: bool,
) -> None:
    """List the lab book's records, newest first (or see `records show LABEL`)."""
    if ctx.invoked_subcommand is not None:
        return
    from .spool import pending
    from .view import RecordStoreView

    with _errors():
        project = _project(ctx)
        view = RecordStoreView(project)
        for task in tasks:
            view = view.filter(task=task)
        view = view.filter(
            tags=list(tags) or None,
            status=status,
            after=since,
            before=until,
            reason=reason,
            output=output,
        )
        if param_filters:
            view = view.params(eq=dict(_parse_param(p) for p in param_filters))
        shown = view.head(limit) if limit else view.list
        total = len(view) if limit and len(shown) == limit else len(shown)
        spooled = len(pending(view.smt))
    if as_json:
        click.echo(json.dumps([_summary(r) for r in shown], indent=1))
    else:
        _print_table(shown)
        if len(shown) < total:
            click.echo(f"… {total - len(shown)} older record(s) not shown (use --limit 0 for all).")
    if spooled:
        click.echo(
            f"{spooled} spooled record(s) wait: run `smttask project flush` to import them.",
            err=True,
        )


def _summary(record: RecordView) -> dict[str, Any]:
    return {
        "label": record.label,
        "timestamp": record.timestamp.isoformat(),
        "task": record.taskname,
        "status": record.status,
        "tags": sorted(record.tags),
        "duration": record.duration,
        "reason": record.reason,
        "outcome": record.outcome,
        "version": record.version,
        "key": record.key,
        "outputs": {name: str(path) for name, path in record.output_files.items()},
    }


def _print_table(records: list[RecordView]) -> None:
    from rich.console import Console
    from rich.table import Table

    from .tables import differing_params, duration_text, param_text

    paths = differing_params(records)
    table = Table(box=None, header_style="bold")
    for column in ("Label", "Started", "Task", *paths, "Status", "Duration"):
        table.add_column(column, no_wrap=True)
    for column in ("Reason", "Outcome"):
        table.add_column(column, overflow="fold", ratio=1, min_width=12)
    styles = {"finished": "green", "crashed": "red", "killed": "yellow", "running": "cyan"}
    for r in records:
        table.add_row(
            r.label,
            _local(r.timestamp, seconds=False),
            r.taskname,
            *(param_text(r, p) for p in paths),
            f"[{styles.get(r.status, '')}]{r.status}[/]" if r.status in styles else r.status,
            duration_text(r.duration),
            _first_line(r.reason),
            _first_line(r.outcome),
        )
    if records:
        console = Console(soft_wrap=False)
        if not console.is_terminal:
            console = Console(soft_wrap=False, width=200)  # piped: no screen width to respect
        console.print(table)
    else:
        click.echo("No records.")


@records_group.command("show")
@click.argument("label")
@click.option("--json", "as_json", is_flag=True, help="Print the whole record as Sumatra's JSON.")
@click.pass_context
def show_command(ctx: click.Context, label: str, as_json: bool) -> None:
    """Show everything recorded about the run LABEL."""
    from .settings import SumatraSettings
    from .smtproject import SumatraProject
    from .store import RecordStore

    with _errors():
        project = _project(ctx)
        store = RecordStore(
            SumatraProject.load(project.root), SumatraSettings.from_config(project.config)
        )
        record = store.get(label)
    if as_json:
        from sumatra.formatting import record2json

        click.echo(record2json(record, indent=1))
        return
    _print_record(record)


def _print_record(record: Any) -> None:
    from sumatra.core import STATUS_PATTERN

    from .tables import duration_text

    status = next((t.strip("_") for t in record.tags if STATUS_PATTERN.fullmatch(t)), "unknown")
    other_tags = sorted(t for t in record.tags if not STATUS_PATTERN.fullmatch(t))
    parameters = (
        record.parameters.as_dict() if hasattr(record.parameters, "as_dict") else record.parameters
    )
    rows: list[tuple[str, str]] = [
        ("Label", record.label),
        ("Task", record.script_arguments),
        ("Status", status + (f"  (tags: {', '.join(other_tags)})" if other_tags else "")),
        ("Started", _local(record.timestamp)),
        ("Duration", duration_text(record.duration)),
        ("Reason", record.reason or ""),
        ("Outcome", record.outcome or ""),
        ("Main file", record.main_file),
        (
            "Version",
            record.version
            + ("  (with uncommitted changes: see --json 'diff')" if record.diff else ""),
        ),
        ("Python", f"{record.executable.version} at {record.executable.path}"),
        ("User", record.user),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key:<{width}} : {value}")
    click.echo("Inputs:")
    click.echo(_indent(json.dumps(parameters.get("inputs", parameters), indent=2, sort_keys=True)))
    for title, keys in (("Input data", record.input_data), ("Output data", record.output_data)):
        click.echo(f"{title}:" + ("" if keys else " none"))
        for key in keys:
            size = key.metadata.get("size")
            xxh3 = key.metadata.get("xxh3_128")
            click.echo(
                f"  {key.path}  {key.metadata.get('hash', 'sha1')}:{key.digest}"  # 'hash': older records
                + (f"  xxh3_128:{xxh3}" if xxh3 else "")
                + (f"  {size} bytes" if size is not None else "")
            )
    packages = ", ".join(
        f"{d.name} {d.version}" for d in sorted(record.dependencies, key=lambda d: d.name)
    )
    click.echo(f"Packages: {packages or 'none recorded'}")
    click.echo("Output (stdout/stderr):")
    click.echo(_indent(record.stdout_stderr or "(nothing printed)"))


# --- store -----------------------------------------------------------------------------
@click.command("rebuild")
@click.pass_context
def rebuild_command(ctx: click.Context) -> None:
    """Recreate the "latest result" links (data/latest/<Task>/) from the records.

    Each task's links point at its newest finished run whose files exist.
    Existing links are updated in place; regular files in the way are left
    alone and listed.
    """
    from .maintenance import rebuild_latest

    with _errors():
        report = rebuild_latest(_project(ctx))
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
    from .maintenance import recreate_task_file

    with _errors():
        path = recreate_task_file(_project(ctx), label, out, force=force)
    click.echo(str(path))


@click.command("upgrade-keys")
@click.pass_context
def upgrade_keys_command(ctx: click.Context) -> None:
    """Make data keys of older records readable by smtweb (SHA-1 digests, whole-second times).

    Records written before smttask-sumatra 0.3 gave smtweb's data file pages
    HTTP 500 and its downloads 404. A file that is gone or changed since keeps
    its old digest. Safe to run any time.
    """
    from .keyupgrade import upgrade_data_keys
    from .settings import SumatraSettings
    from .smtproject import SumatraProject
    from .store import RecordStore

    with _errors():
        project = _project(ctx)
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
    from .migrate import migrate_store
    from .settings import SumatraSettings
    from .smtproject import SumatraProject

    with _errors():
        project = _project(ctx)
        report = migrate_store(
            SumatraProject.load(project.root), SumatraSettings.from_config(project.config), url
        )
    total = len(report.copied) + len(report.already_there)
    click.echo(
        f"{total} record(s) now in {report.target} ({len(report.copied)} copied, "
        f"{len(report.already_there)} already there), each read back and verified. The project "
        "records there from now on; its SQLite store is left as it was (a backup)."
    )


# --- formatting ------------------------------------------------------------------------
def _local(timestamp: datetime, *, seconds: bool = True) -> str:
    return timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _first_line(text: str | None, width: int = 60) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
