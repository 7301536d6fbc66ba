"""The commands smttask-viz adds to ``smttask`` (through the ``smttask_cli_commands`` hook).

- ``smttask graph TASKFILE|DIR|GLOB... -o graph.html|.svg|.png|.pdf``
- ``smttask records plot [filters] -o records.html|.png`` (joins smttask-sumatra's
  ``records`` group when it is installed)

A bad task file is one error line and the others are drawn; the exit status
is 1 when something could not be drawn. Errors of smttask are one line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .defaults import DEFAULT_THRESHOLD, ENGINES

GRAPH_SUFFIXES = (".html", ".htm", ".svg", ".png", ".pdf")
RECORD_SUFFIXES = (".html", ".htm", ".svg", ".png", ".pdf")


def add_records_plot(cli: click.Group) -> None:
    """Add ``plot`` to *cli*'s ``records`` group, if it has one."""
    if isinstance(cli.commands.get("records"), click.Group):
        from smttask_cli.extending import extend_command

        extend_command(cli, "records", commands={"plot": records_plot_command})


@contextmanager
def _errors() -> Iterator[None]:
    from smttask.errors import SmttaskError

    try:
        yield
    except (SmttaskError, ValueError, LookupError, OSError) as exc:
        from smttask_cli.display import MESSAGE_LIMIT, shown

        raise click.ClickException(shown(str(exc), MESSAGE_LIMIT)) from None


def _check_suffix(path: Path, suffixes: tuple[str, ...]) -> None:
    if path.suffix.lower() not in suffixes:
        raise click.BadParameter(
            f"{str(path)!r} must end in one of {', '.join(suffixes)} (it chooses the format).", param_hint="-o"
        )


def _project(obj: Any) -> Any:
    getter = getattr(obj, "project", None)
    if callable(getter):
        return getter()
    from smttask import Project

    return Project()


@click.command("graph", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("taskfiles", nargs=-1, required=True, metavar="TASKFILE|DIR|GLOB...")
@click.option("-o", "--output", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: .html (interactive), .svg, .png or .pdf.")
@click.option("--depth", type=int, default=-1, show_default=True, help="Levels of upstream tasks drawn (-1: all).")
@click.option("--collapse", type=click.IntRange(min=0), default=DEFAULT_THRESHOLD, show_default=True,
              help="Draw more than this many same-named tasks on one level as one group node (0: never).")
@click.option("--layout", "engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="dot (graphviz), layered (built in), or auto: dot when installed and the graph is not huge.")
@click.option("--title", help="Title of the page.")
@click.pass_obj
def graph_command(obj: Any, taskfiles: tuple[str, ...], target: Path, depth: int, collapse: int,
                  engine: str, title: str | None) -> None:
    """Draw the task graph of task files: tasks coloured by kind, with their state, edges named by input.

    A directory or glob pattern gives the task files under it, as for `smttask run`.
    """
    from smttask_cli.display import MESSAGE_LIMIT, echo_path_problems, echo_problem, shown
    from smttask_cli.loading import load_entry, load_warnings
    from smttask_cli.paths import collect_task_files

    _check_suffix(target, GRAPH_SUFFIXES)
    files, problems = collect_task_files(list(taskfiles))
    failed = echo_path_problems(problems)
    project = _project(obj)
    tasks = []
    for path in files:
        entry = load_entry(path, project)
        for warning in load_warnings([entry]):
            click.echo(warning, err=True)
        if entry.task is None:
            echo_problem(entry.label, entry.error or "")
            failed = True
        else:
            tasks.append(entry.task)
    if not tasks:
        click.echo("error: no task file could be read: nothing to draw", err=True)
        sys.exit(1)
    from .graph import TaskGraph

    with _errors():
        graph = TaskGraph(tasks, depth, project=project, collapse=collapse, layout=engine, title=title)
        graph.save(target)
    for note in [*graph.shown.notes, *graph.placed.notes]:
        click.echo(f"note: {shown(note, MESSAGE_LIMIT)}", err=True)
    drawn = len(graph.shown.nodes)
    grouped = f", drawn as {drawn} nodes" if drawn != len(graph.nodes) else ""
    click.echo(f"wrote {target}: {repr(graph)[len('<TaskGraph of '):-1]}{grouped} (layout: {graph.placed.engine})")
    if failed:
        sys.exit(1)


def _parse_param(text: str) -> tuple[str, Any]:
    path, sep, raw = text.partition("=")
    if not sep or not path:
        raise click.BadParameter(f"{text!r} is not PATH=VALUE (e.g. a.b=2.0).", param_hint="--param")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return path.strip(), value


@click.command("plot", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-o", "--output", "target", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write: .html (interactive), .png, .svg or .pdf.")
@click.option("--task", "tasks", multiple=True, help="Only records of this task (name); repeatable.")
@click.option("--tag", "tags", multiple=True, help="Only records with this tag; repeatable (all must match).")
@click.option("--status", type=click.Choice(["finished", "crashed", "killed", "running"]), help="Only this status.")
@click.option("--since", help="Only records started on or after this date/time (ISO, e.g. 2024-05-21).")
@click.option("--until", help="Only records started before this date/time (ISO).")
@click.option("--param", "param_filters", multiple=True,
              help="Only records whose parameter PATH equals VALUE (PATH=VALUE, VALUE as JSON); repeatable.")
@click.option("--reason", help="Only records whose reason contains this text.")
@click.option("--sweep", "sweep", metavar="PATH", help="Plot this parameter (dotted path, e.g. dt) ...")
@click.option("--result", "result", metavar="OUTPUT", default=None,
              help="... against this scalar output ('' for a single result, 0, 1, ... for a tuple; default '').")
@click.option("--title", default="Lab book", show_default=True, help="Title of the picture.")
@click.pass_obj
def records_plot_command(obj: Any, target: Path, tasks: tuple[str, ...], tags: tuple[str, ...], status: str | None,
                         since: str | None, until: str | None, param_filters: tuple[str, ...], reason: str | None,
                         sweep: str | None, result: str | None, title: str) -> None:
    """Plot the lab book: durations over time by task, outcome counts, and a parameter against an output."""
    from smttask_sumatra.view import RecordStoreView

    from .records import RecordsPlot

    _check_suffix(target, RECORD_SUFFIXES)
    with _errors():
        view = RecordStoreView(_project(obj))
        for task in tasks:
            view = view.filter(task=task)
        view = view.filter(tags=list(tags) or None, status=status, after=since, before=until, reason=reason)
        if param_filters:
            view = view.params(eq=dict(_parse_param(p) for p in param_filters))
        plot = RecordsPlot(view, param=sweep, output=result if sweep is not None else None, title=title)
        plot.save(target)
    for note in plot.data.notes:
        click.echo(f"note: {note}", err=True)
    swept = f", {len(plot.data.sweep)} in the {sweep} sweep" if sweep else ""
    click.echo(f"wrote {target}: {len(plot.data.points)} records of {len(plot.data.tasks)} task(s){swept}")
