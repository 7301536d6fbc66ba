"""``smttask run``: run the tasks of task files, many at a time."""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import TYPE_CHECKING

import click

from ..batch import EXIT_INTERRUPTED, Batch, BatchOptions
from ..display import MESSAGE_LIMIT, shown
from ..durations import format_duration, parse_duration
from ..loading import Entry, load_entries, load_warnings
from ..paths import PathProblem, collect_task_files
from ..reporting import make_reporter
from ..state import CliState

if TYPE_CHECKING:
    from smttask import Project
    from smttask.execution import Executor


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


#: What ``--progress-interval`` (smttask 0.2: how often a progress bar redraws in a log file) prints.
PROGRESS_INTERVAL_NOTE = (
    "smttask run: --progress-interval is ignored: output that is not a terminal (a log file) gets one plain "
    "line per task as it ends, and no progress bar."
)


def configure_logging(verbosity: int) -> None:
    """Log to stderr from WARNING (*verbosity* 0); each step up (-v) one level lower, each down (-q) one higher."""
    import logging

    level = min(logging.CRITICAL, max(logging.DEBUG, logging.WARNING - 10 * verbosity))
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)


def resolve_cores(cores: int) -> int:
    """Worker count for ``-n``: N > 0 as given; 0 means one per CPU, -k all CPUs but k (at least 1)."""
    if cores > 0:
        return cores
    return max(1, (os.cpu_count() or 1) + cores)


def choose_executor(project: Project, workers: int, name: str | None, imports: tuple[str, ...]) -> Executor:
    """``inline`` for one worker (tasks run in this process), else the configured multi-process executor."""
    from smttask import SmttaskError

    if name is None:
        configured = project.config.executor
        name = "inline" if workers == 1 else ("processes" if configured == "inline" else configured)
    try:
        return project.executor(name, workers=workers, imports=imports)
    except SmttaskError as exc:
        raise click.UsageError(str(exc)) from None


def freeze_library_objects() -> None:
    """Put every object that exists now out of the garbage collector's reach (:func:`gc.freeze`).

    Called once smttask, its plugins and the executor are imported and before
    any module of the user's is: what is frozen are the libraries' own objects
    (pydantic's schemas, click's commands, the plugins), which live as long as
    the process. Each automatic collection during the run and the last one at
    exit then walk only what the batch creates: 20-45 ms less for a batch of 12
    trivial task files, as for every Snakemake job. The objects of the user's
    modules and tasks (open files, datasets) are collected and finalized at exit
    exactly as before.
    """
    import gc

    gc.freeze()


def import_modules(modules: tuple[str, ...]) -> None:
    for module in modules:
        try:
            importlib.import_module(module)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: a module exiting on import is a bad --import, not our exit
            raise click.BadParameter(
                f"cannot import module '{shown(module)}': {type(exc).__name__}: {shown(str(exc), MESSAGE_LIMIT)}",
                param_hint="--import",
            ) from None


def wait_before_start(seconds: float, *, quiet: bool) -> None:
    """Sleep *seconds*, showing when the run will start; Ctrl-C exits (code 130) before anything ran."""
    until = time.strftime("%H:%M:%S", time.localtime(time.time() + seconds))
    if not quiet:
        click.echo(f"Waiting {format_duration(seconds)} before starting (until {until}); Ctrl-C to cancel.", err=True)
    end = time.monotonic() + seconds
    try:
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))
    except KeyboardInterrupt:
        click.echo("Interrupted while waiting; nothing was run.", err=True)
        sys.exit(EXIT_INTERRUPTED)


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, metavar="TASKFILE|DIR|GLOB...",
                type=click.Path(path_type=str))
@click.option("-n", "--cores", type=int, default=1, show_default=True,
              help="Tasks to run at a time. 1 runs them in this process (breakpoint() and --pdb work); "
                   "N > 1 uses N worker processes; 0 uses one per CPU, -K all CPUs but K.")
@click.option("--executor", "executor_name", metavar="NAME",
              help="Executor to use (see `smttask plugins`); default: 'inline' for -n 1, else the "
                   "project's configured one ('processes').")
@click.option("--recompute", is_flag=True, help="Compute the tasks even if their result is stored "
                                                 "(upstream results are reused).")
@click.option("--reason", metavar="TEXT", help="Reason recorded with each run, replacing the one in the task file.")
@click.option("--record/--no-record", default=None,
              help="Whether recorded tasks write a lab-book record (default: they do).")
@click.option("--dry-run", is_flag=True, help="Show what would be computed, what is cached and why; run nothing.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failure (running tasks are interrupted).")
@click.option("--keep/--clean", default=True, show_default=True,
              help="--clean deletes each task file whose task succeeded; by default task files are kept.")
@click.option("--wait", "wait", metavar="DURATION", callback=_duration,
              help="Wait this long before starting, e.g. 1h30m, 20min, 90s.")
@click.option("--import", "imports", multiple=True, metavar="MODULE",
              help="Import MODULE first (e.g. one registering serializers); repeatable. Workers import it too.")
@click.option("--pdb", is_flag=True, help="Open the debugger on a failing task (with -n 1).")
@click.option("-q", "--quiet", count=True, help="Print only failures (-qq: log only errors too).")
@click.option("-v", "--verbose", count=True,
              help="Log what smttask and the tasks log: -v at INFO, -vv at DEBUG (to stderr).")
@click.option("-r", "--reverse", is_flag=True, help="Run the task files in reverse order.")
@click.option("--progress-interval", metavar="MINUTES", type=float, hidden=True,
              help="Not needed any more (see the note it prints).")
@click.pass_obj
def run(
    state: CliState,
    paths: tuple[str, ...],
    cores: int,
    executor_name: str | None,
    recompute: bool,
    reason: str | None,
    record: bool | None,
    dry_run: bool,
    fail_fast: bool,
    keep: bool,
    wait: float | None,
    imports: tuple[str, ...],
    pdb: bool,
    quiet: int,
    verbose: int,
    reverse: bool,
    progress_interval: float | None,
) -> None:
    """Run the tasks described by task files.

    Arguments are task files, directories (searched for *.taskdesc.json, in
    natural order: task-9 before task-100) or glob patterns. A task whose
    result is stored is reported as cached; stored upstream tasks several files
    need are computed once. A file that cannot be loaded or a task that fails
    never stops the others: each failure is one line (file: error), full
    tracebacks go to a log under the project's .smttask/logs.

    Exit code: 0 if every task succeeded, 1 if any failed, 2 for a usage
    error, 130 if interrupted. Ctrl-C stops cleanly (finished results are
    kept, nothing half-written remains); press it twice to kill at once.
    """
    workers = resolve_cores(cores)
    if pdb and workers != 1:
        raise click.UsageError("--pdb debugs tasks in this process: use it with -n 1.")
    if progress_interval is not None:
        click.echo(PROGRESS_INTERVAL_NOTE, err=True)
    if verbose or quiet > 1:
        configure_logging(verbose - max(0, quiet - 1))
    files, problems = collect_task_files(paths)
    if reverse:
        files.reverse()
    project = state.project()
    executor = choose_executor(project, workers, executor_name, imports)
    if state.console:
        freeze_library_objects()
    import_modules(imports)
    if wait:
        wait_before_start(wait, quiet=bool(quiet))
    try:
        entries = load_entries(files, project)
    except KeyboardInterrupt:
        click.echo("Interrupted while loading task files; nothing was run.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    plain = not sys.stdout.isatty()  # plain lines for logs, a live display on a terminal
    if dry_run:
        sys.exit(_dry_run(project, entries, problems, executor, recompute, rich=not plain))
    reporter = make_reporter([entry.label for entry in entries], quiet=bool(quiet), plain=plain)
    options = BatchOptions(recompute=recompute, record=record, reason=reason, fail_fast=fail_fast,
                           clean=not keep, pdb=pdb)
    sys.exit(Batch(project, entries, problems, executor, reporter, options).run())


def _dry_run(project: Project, entries: list[Entry], problems: list[PathProblem], executor: Executor,
             recompute: bool, *, rich: bool) -> int:
    """Show what a run would do (the executor's own plan); exit code 1 if some task file would fail."""
    from smttask.execution import plan_batch

    from ..dryrun import predict, show_predictions

    tasks = [entry.task for entry in entries if entry.task is not None]
    with project.activate():
        plan = plan_batch(tasks, project, recompute=recompute, in_process=executor.in_process)
    files, upstream = predict(entries, plan)
    for warning in load_warnings(entries):
        click.echo(warning, err=True)
    show_predictions(files, upstream, problems, rich=rich)
    failing = any(p.verdict == "would fail" for p in files) or any(p.fatal for p in problems)
    return 1 if failing else 0
