"""From loaded task files to Snakemake rules: jobs, their edges, and grouping into rules.

The batch is planned exactly as ``smttask run`` plans it
(:func:`smttask.execution.plan_batch`): a task whose result is stored is done
(its marker is a target and an input, no rule makes it); every other stored
task is a job, and a stored upstream task that no task file names becomes a job
of its own, through a task file written for it. Each job's output is the file
the storage backend names as its marker (:meth:`~smttask.storage.StorageBackend.marker`:
for the ``local`` backend, the result's manifest), never a path made here.

Jobs are grouped into rules of up to ``group_size`` task files. A rule holds
jobs of one dependency layer (so rules never depend on one another in a
circle) that ask for the same resources; one job of a rule runs all its task
files with one ``smttask run``, in one process.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NoMarkerError, ResourceError, UnusablePathError
from .taskresources import Resources, of_task

if TYPE_CHECKING:
    from smttask import Project, Task
    from smttask_cli.loading import Entry
    from smttask_cli.paths import PathProblem

#: Where task files for upstream tasks that no given task file names are written, under the project root.
GENERATED_DIR = Path(".smttask", "snakemake", "upstream")
_RULE_NAME = re.compile(r"[^A-Za-z0-9_]+")


@dataclass
class TaskJob:
    """One task to compute: the task file ``smttask run`` is given and the marker it leaves."""

    id: int
    task: Task
    taskfile: Path
    marker: Path
    resources: Resources
    deps: set[int] = field(default_factory=set)
    #: True if the task file was written here, for an upstream task no given task file names.
    generated: bool = False
    #: True if a marker exists but the stored result is unusable (Snakemake must be told to run it).
    forced: bool = False


@dataclass
class Rule:
    """One Snakemake rule: jobs of one layer and one set of resources, run by one ``smttask run``."""

    name: str
    jobs: list[TaskJob]
    inputs: list[Path]
    resources: Resources

    @property
    def outputs(self) -> list[Path]:
        return [job.marker for job in self.jobs]

    @property
    def taskfiles(self) -> list[Path]:
        return [job.taskfile for job in self.jobs]

    @property
    def forced(self) -> bool:
        return any(job.forced for job in self.jobs)


@dataclass
class Workflow:
    """What a Snakefile says: the targets and the rules making the ones not yet stored."""

    root: Path
    rules: list[Rule]
    #: The marker of every task of a given task file, stored or not, with that task file.
    targets: dict[Path, Path]
    #: ``error: FILE: problem`` lines: files left out because they cannot run.
    errors: list[str]
    #: ``warning: FILE: problem`` lines: files left out that Snakemake has nothing to wait for.
    warnings: list[str]
    taskfile_count: int

    @property
    def jobs(self) -> list[TaskJob]:
        return [job for rule in self.rules for job in rule.jobs]

    def missing(self) -> list[Path]:
        """The task files whose marker does not exist (now): their task is not computed."""
        return [taskfile for marker, taskfile in self.targets.items() if not (self.root / marker).exists()]


def relative(path: Path, root: Path) -> Path:
    """*path* relative to *root* when it is inside it, else absolute; refused if Snakemake would misread it."""
    absolute = Path(os.path.abspath(path))
    try:
        result = absolute.relative_to(root)
    except ValueError:
        result = absolute
    text = str(result)
    if "{" in text or "}" in text:
        raise UnusablePathError(
            f"{text}: Snakemake reads braces in a path as wildcards; rename it (or the data directory) without braces"
        )
    return result


def build_workflow(
    entries: Sequence[Entry],
    problems: Sequence[PathProblem],
    project: Project,
    *,
    group_size: int = 1,
) -> Workflow:
    """Plan the loaded task files *entries* in *project* and group the jobs into rules of *group_size*."""
    from smttask.execution import plan_batch
    from smttask.files import make_state_dir
    from smttask.taskfile import read_document
    from smttask_cli.display import MESSAGE_LIMIT, shown

    if group_size < 1:
        raise ValueError(f"the group size must be at least 1, got {group_size}")
    root = project.root.resolve()
    errors = [f"error: {shown(p.argument)}: {shown(p.problem, MESSAGE_LIMIT)}" for p in problems if p.fatal]
    warnings = [f"warning: {shown(p.argument)}: {shown(p.problem, MESSAGE_LIMIT)}" for p in problems if not p.fatal]
    errors += [f"error: {shown(e.label)}: {shown(e.error, MESSAGE_LIMIT)}" for e in entries if e.task is None]
    warnings += [f"warning: {shown(e.label)}: {e.warning}" for e in entries if e.warning is not None]

    batch: list[tuple[Entry, Task, Resources]] = []
    for entry in entries:
        if entry.task is None:
            continue
        try:
            batch.append((entry, entry.task, of_task(entry.task, read_document(entry.path)[1], entry.label)))
        except ResourceError as exc:
            errors.append(f"error: {shown(exc, MESSAGE_LIMIT)}")
    storage = project.storage
    with project.activate():
        plan = plan_batch([task for _, task, _ in batch], project, in_process=False)

    def marker_of(task: Task) -> Path:
        marker = storage.marker(task)
        if marker is None:
            raise NoMarkerError(
                f"storage backend '{storage.name}' keeps results where Snakemake cannot see them (it names no "
                "marker file); use the 'local' backend, or run the task files with 'smttask run'"
            )
        return relative(marker, root)

    for index, outcome in plan.failed.items():
        errors.append(f"error: {shown(batch[index][0].label)}: {shown(outcome.error, MESSAGE_LIMIT)}")
    targets: dict[Path, Path] = {}
    for index, (entry, task, _) in enumerate(batch):
        if index in plan.failed:
            continue
        if not _leaves_a_marker(task):
            kind = "unpure" if task.unpure else "not stored"
            warnings.append(
                f"warning: {shown(entry.label)}: left out: task '{shown(task.taskname)}' is {kind}, so Snakemake "
                "has no file to wait for; run it with 'smttask run'"
            )
            continue
        targets.setdefault(marker_of(task), relative(entry.path, root))

    jobs: dict[int, TaskJob] = {}
    for planned in plan.jobs:
        task = planned.task
        if not _leaves_a_marker(task):
            continue
        if planned.upstream:
            make_state_dir(project.root)
            taskfile = project.root / GENERATED_DIR
            with project.activate():
                path = task.save(taskfile)
            resources, generated = of_task(task, None, str(path)), True
        else:
            entry, _, resources = batch[planned.indices[0]]
            path, generated = entry.path, False
        marker = marker_of(task)
        jobs[planned.id] = TaskJob(
            planned.id, task, relative(path, root), marker, resources,
            deps={dep for dep in planned.deps if dep in jobs}, generated=generated,
            forced=(root / marker).exists(),
        )
    return Workflow(root, _group(list(jobs.values()), jobs, group_size), targets, errors, warnings, len(entries))


def _leaves_a_marker(task: Task) -> bool:
    """True if running *task* stores a result (so its storage backend has a marker for Snakemake to wait for)."""
    return bool(task.store) and not task.unpure


def _group(ordered: list[TaskJob], jobs: dict[int, TaskJob], group_size: int) -> list[Rule]:
    """Rules of up to *group_size* jobs of one layer and one set of resources, in dependency order."""
    layer: dict[int, int] = {}
    for job in ordered:  # a plan lists every job after the jobs it depends on
        layer[job.id] = 1 + max((layer[dep] for dep in job.deps), default=-1)
    buckets: dict[tuple[int, Resources], list[TaskJob]] = {}
    for job in ordered:
        buckets.setdefault((layer[job.id], job.resources), []).append(job)
    rules: list[Rule] = []
    for (_, resources), members in sorted(buckets.items(), key=lambda item: item[0][0]):
        for start in range(0, len(members), group_size):
            chunk = members[start : start + group_size]
            inputs = sorted({jobs[dep].marker for job in chunk for dep in job.deps})
            names = {job.task.taskname for job in chunk}
            base = _RULE_NAME.sub("_", names.pop()).strip("_") if len(names) == 1 else "tasks"
            rules.append(Rule(f"{base or 'task'}_{len(rules) + 1}", chunk, inputs, resources))
    return rules
