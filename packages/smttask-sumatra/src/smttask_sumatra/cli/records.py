"""``smttask records`` (the lab book, newest first) and ``smttask records show LABEL``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .common import errors, first_line, indent, local_time, project_of

if TYPE_CHECKING:
    from ..view import RecordView


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
    from ..spool import pending
    from ..view import RecordStoreView

    with errors():
        project = project_of(ctx)
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

    from ..tables import differing_params, duration_text, param_text

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
            local_time(r.timestamp, seconds=False),
            r.taskname,
            *(param_text(r, p) for p in paths),
            f"[{styles.get(r.status, '')}]{r.status}[/]" if r.status in styles else r.status,
            duration_text(r.duration),
            first_line(r.reason),
            first_line(r.outcome),
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
    from ..store import RecordStore

    with errors():
        project = project_of(ctx)
        record = RecordStore.of(project).get(label)
    if as_json:
        from sumatra.formatting import record2json

        click.echo(record2json(record, indent=1))
        return
    _print_record(record)


def _print_record(record: Any) -> None:
    from sumatra.core import STATUS_PATTERN

    from ..tables import duration_text

    status = next((t.strip("_") for t in record.tags if STATUS_PATTERN.fullmatch(t)), "unknown")
    other_tags = sorted(t for t in record.tags if not STATUS_PATTERN.fullmatch(t))
    parameters = (
        record.parameters.as_dict() if hasattr(record.parameters, "as_dict") else record.parameters
    )
    rows: list[tuple[str, str]] = [
        ("Label", record.label),
        ("Task", record.script_arguments),
        ("Status", status + (f"  (tags: {', '.join(other_tags)})" if other_tags else "")),
        ("Started", local_time(record.timestamp)),
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
    click.echo(indent(json.dumps(parameters.get("inputs", parameters), indent=2, sort_keys=True)))
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
    click.echo(indent(record.stdout_stderr or "(nothing printed)"))
