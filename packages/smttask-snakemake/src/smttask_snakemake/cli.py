"""``smttask snakemake write`` and ``smttask snakemake run`` (added through the ``smttask_cli_commands`` hook)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from smttask_cli.state import CliState

    from .snakefile import JobOptions
    from .workflow import Workflow

#: Where ``smttask snakemake run`` writes its Snakefile, under the project root.
DEFAULT_SNAKEFILE = Path(".smttask", "snakemake", "Snakefile")


@click.group("snakemake", context_settings={"help_option_names": ["-h", "--help"]})
def snakemake_group() -> None:
    """Run task files through Snakemake: on local cores, SLURM or any cluster.

    'write' turns task files into a Snakefile whose jobs run 'smttask run';
    'run' writes it and runs Snakemake on it.
    """


class _PassThrough(click.Command):
    """A command whose arguments after ``--`` are kept apart (``ctx.meta['passthrough']``), for Snakemake."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            at = args.index("--")
            args, ctx.meta["passthrough"] = args[:at], args[at + 1 :]
        return super().parse_args(ctx, args)


def _shared(function: Any) -> Any:
    """The options of both commands: what to read, how to group, what each job passes to 'smttask run'."""
    options = [
        click.argument("paths", nargs=-1, required=True, metavar="TASKFILE|DIR|GLOB...", type=click.Path(path_type=str)),
        click.option("--group-size", "-g", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Task files per Snakemake job: K > 1 runs K task files (of one dependency layer, "
                          "asking for the same resources) in one 'smttask run' process."),
        click.option("--record/--no-record", default=None,
                     help="Whether recorded tasks write a lab-book record (default: they do)."),
        click.option("--reason", metavar="TEXT", help="Reason recorded with each run, replacing the task file's."),
        click.option("--import", "imports", multiple=True, metavar="MODULE",
                     help="Each job imports MODULE first (e.g. one registering serializers); repeatable."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@snakemake_group.command("write", context_settings={"help_option_names": ["-h", "--help"]})
@_shared
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default="Snakefile",
              show_default=True, help="The Snakefile to write.")
@click.pass_obj
def write_command(
    state: CliState, paths: tuple[str, ...], group_size: int, record: bool | None, reason: str | None,
    imports: tuple[str, ...], output: Path,
) -> None:
    """Write a Snakefile whose jobs run the task files with 'smttask run'.

    Each task's target is the marker its storage backend names (the result's
    manifest for the 'local' backend). A task file whose input is a stored
    task that another task file computes waits for that job; a stored
    upstream task no task file names gets a task file and a job of its own.
    Tasks already stored are targets without a rule. A file that cannot be
    loaded is one error line and is left out; the exit code is then 1.
    """
    from .snakefile import write

    workflow = _workflow(state, paths, group_size)
    write(workflow, _job_options(record, reason, imports), output)
    click.echo(f"Wrote {output}: {_summary(workflow)}.", err=True)
    sys.exit(1 if workflow.errors else 0)


@snakemake_group.command("run", cls=_PassThrough, context_settings={"help_option_names": ["-h", "--help"]})
@_shared
@click.option("-c", "--cores", metavar="N", help="Cores Snakemake may use (a number, or 'all'); default 1 "
                                                 "without --executor.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Jobs Snakemake runs (or submits) at a time.")
@click.option("--executor", metavar="NAME", help="Snakemake executor plugin: e.g. 'slurm', 'cluster-generic' "
                                                "(default: local cores).")
@click.option("-s", "--snakefile", type=click.Path(dir_okay=False, path_type=Path),
              help=f"Where to write the Snakefile (default: {DEFAULT_SNAKEFILE} in the project).")
@click.pass_context
def run_command(
    ctx: click.Context, paths: tuple[str, ...], group_size: int, record: bool | None, reason: str | None,
    imports: tuple[str, ...], cores: str | None, jobs: int | None, executor: str | None, snakefile: Path | None,
) -> None:
    """Write the Snakefile of the task files and run Snakemake on it; exit with Snakemake's exit code.

    Arguments after '--' go to Snakemake as they are, after this command's own
    (--keep-going --keep-incomplete --rerun-triggers mtime), so they win. With
    --executor slurm and no SLURM accounting, '--slurm-status-command squeue'
    is added. When Snakemake fails, the task files left without a result are
    listed. After a killed run, pass '-- --unlock' once.
    """
    from .runner import run_snakemake, snakemake_arguments
    from .snakefile import write

    state: CliState = ctx.obj
    workflow = _workflow(state, paths, group_size)
    if cores is None and executor is None:
        cores = "1"
    if snakefile is None:
        from smttask.files import make_state_dir

        make_state_dir(workflow.root)
    path = snakefile if snakefile is not None else workflow.root / DEFAULT_SNAKEFILE
    write(workflow, _job_options(record, reason, imports), path)
    click.echo(f"Wrote {path}: {_summary(workflow)}.", err=True)
    passthrough: list[str] = ctx.meta.get("passthrough", [])
    arguments = snakemake_arguments(path, workflow, cores=cores, jobs=jobs, executor=executor, extra=passthrough)
    click.echo(f"Running: {shlex.join(arguments)}", err=True)
    code = run_snakemake(arguments, workflow.root)
    unlocking = any(word in ("--unlock", "--dry-run", "-n", "--dryrun") for word in passthrough)
    missing = [] if unlocking else workflow.missing()
    for taskfile in missing:
        click.echo(f"not computed: {taskfile}", err=True)
    if missing:
        click.echo(f"{len(missing)} task file(s) without a result; their errors are in Snakemake's output above "
                   "and in .smttask/logs.", err=True)
    if code == 0 and workflow.errors:
        code = 1
    sys.exit(code)


def _job_options(record: bool | None, reason: str | None, imports: tuple[str, ...]) -> JobOptions:
    from .snakefile import JobOptions

    return JobOptions(record, reason, imports)


def _workflow(state: CliState, paths: tuple[str, ...], group_size: int) -> Workflow:
    """Load the task files of *paths* and plan them; problems are printed, one line each."""
    from smttask import SmttaskError
    from smttask_cli.loading import load_entries
    from smttask_cli.paths import collect_task_files

    from .workflow import build_workflow

    files, problems = collect_task_files(paths)
    project = state.project()
    try:
        entries = load_entries(files, project)
        workflow = build_workflow(entries, problems, project, group_size=group_size)
    except SmttaskError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("Interrupted while reading task files; nothing was written.", err=True)
        sys.exit(130)
    for line in workflow.warnings + workflow.errors:
        click.echo(line, err=True)
    return workflow


def _summary(workflow: Workflow) -> str:
    stored = len(workflow.targets) - sum(1 for job in workflow.jobs if not job.generated)
    generated = sum(1 for job in workflow.jobs if job.generated)
    text = f"{len(workflow.jobs)} task(s) to compute in {len(workflow.rules)} rule(s), {stored} already stored"
    if generated:
        text += f", {generated} upstream task file(s) written"
    if workflow.errors:
        text += f", {len(workflow.errors)} left out with errors"
    return text
