"""Writing a :class:`~smttask_snakemake.workflow.Workflow` as a Snakefile, and the command its jobs run."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from smttask.files import write_atomic
from smttask_cli.display import shown

from .workflow import Rule, Workflow

#: Snakemake options the generated Snakefile is meant to run with (``smttask snakemake run`` passes them):
#: keep going past a failed job, keep the results a failed group job did store, and rerun a job only
#: when its marker is missing (a key already says everything about a task's inputs).
SNAKEMAKE_OPTIONS = ("--keep-going", "--keep-incomplete", "--rerun-triggers", "mtime")


@dataclass(frozen=True)
class JobOptions:
    """The ``smttask run`` options every job of the Snakefile passes on."""

    record: bool | None = None
    reason: str | None = None
    imports: tuple[str, ...] = ()


def smttask_command() -> list[str]:
    """The command starting ``smttask`` with this interpreter: its console script, else ``python -m``."""
    script = Path(sys.executable).with_name("smttask")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "smttask_cli.main"]


def job_command(taskfiles: Sequence[Path], options: JobOptions) -> str:
    """The shell command of a job: ``smttask run -q`` on *taskfiles* (braces escaped for Snakemake)."""
    words = [*smttask_command(), "run", "-q"]
    if options.record is not None:
        words.append("--record" if options.record else "--no-record")
    if options.reason is not None:
        words += ["--reason", options.reason]
    for module in options.imports:
        words += ["--import", module]
    words += ["--", *map(str, taskfiles)]
    return shlex.join(words).replace("{", "{{").replace("}", "}}")


def render(workflow: Workflow, options: JobOptions) -> str:
    """The text of the Snakefile of *workflow*."""
    from . import __version__

    lines = [
        f"# Written by 'smttask snakemake write' (smttask-snakemake {__version__}) from "
        f"{workflow.taskfile_count} task file(s): {len(workflow.jobs)} to compute in {len(workflow.rules)} rule(s).",
        "# Each rule runs 'smttask run' on its task files, in one process; its outputs are the results'",
        "# markers (manifests), which the storage backend renames into place when a result is complete.",
        "# Tasks already stored have no rule: their markers are inputs and targets. Run it with",
        f"#   snakemake -s THIS_FILE --cores N {' '.join(SNAKEMAKE_OPTIONS)}",
        "# (as 'smttask snakemake run' does), and write it again after deleting results.",
        "",
        f"workdir: {str(workflow.root)!r}",
        "",
        "localrules: all",
        "",
        "",
        "rule all:",
        "    default_target: True",
        "    input:",
        *(f"        {str(marker)!r},  # {shown(taskfile)}" for marker, taskfile in workflow.targets.items()),
    ]
    if not workflow.targets:
        lines[-1] = "    input: []"
    for rule in workflow.rules:
        lines += ["", "", *_rule(rule, options)]
    return "\n".join(lines) + "\n"


def _rule(rule: Rule, options: JobOptions) -> list[str]:
    lines = [f"rule {rule.name}:"]
    for job in rule.jobs:
        origin = "written for an upstream task" if job.generated else "task file"
        lines.append(f"    # {shown(job.task.taskname)}: {shown(job.taskfile)} ({origin})")
    if rule.inputs:
        lines += ["    input:", *(f"        ancient({str(path)!r})," for path in rule.inputs)]
    lines += ["    output:", *(f"        {str(path)!r}," for path in rule.outputs)]
    lines.append(f"    threads: {rule.resources.threads}")
    if rule.resources.values:
        lines.append("    resources: " + ", ".join(f"{name}={value!r}" for name, value in rule.resources.values))
    lines.append(f"    shell: {job_command(rule.taskfiles, options)!r}")
    return lines


def write(workflow: Workflow, options: JobOptions, path: Path) -> Path:
    """Write the Snakefile of *workflow* to *path*, atomically; returns *path*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render(workflow, options).encode("utf-8"))
    return path
