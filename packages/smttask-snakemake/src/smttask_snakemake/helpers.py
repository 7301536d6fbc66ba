"""Helpers for hand-written Snakefiles: a task file's targets, and a whole rule body.

In a Snakefile::

    from smttask_snakemake import target, taskfile_rule

    fit = taskfile_rule("tasks/fit.taskdesc.json")

    rule fit:
        input: fit.input
        output: fit.output
        threads: fit.threads
        resources: **fit.resources
        shell: fit.shell

    rule plot:
        input: target("tasks/fit.taskdesc.json")
        output: "fit.png"
        shell: "python plot.py {input} {output}"

Paths come from the project's storage backend (its marker files), relative to
the working directory (Snakemake's ``workdir``) when inside it. The project is
the one found from the working directory, as ``smttask run`` finds it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NoMarkerError, TaskFileLoadError

if TYPE_CHECKING:
    from smttask import Project, Task

_projects: dict[str, Project] = {}


@dataclass(frozen=True)
class TaskRule:
    """The parts of a Snakemake rule running task files with ``smttask run``."""

    #: Markers of the stored upstream tasks the task files need (another rule, or storage, provides them).
    input: list[str]
    #: Markers of the task files' own tasks.
    output: list[str]
    #: The ``shell:`` command: ``smttask run -q`` on the task files.
    shell: str
    threads: int = 1
    #: Snakemake resources (``mem_mb``, ``runtime``, ``slurm_partition``, …).
    resources: dict[str, int | str] = field(default_factory=dict)


def _project() -> Project:
    """The project found from the working directory (its root and the directory go on ``sys.path``)."""
    here = os.getcwd()
    project = _projects.get(here)
    if project is None:
        from smttask import Project

        project = _projects[here] = Project()
        for directory in (str(project.root), here):
            if directory not in sys.path:
                sys.path.insert(0, directory)
    return project


def _load(taskfile: str | os.PathLike[str], project: Project) -> tuple[Task, Path]:
    from smttask_cli.loading import load_entry

    path = Path(taskfile)
    entry = load_entry(path, project)
    if entry.task is None:
        raise TaskFileLoadError(f"{path}: {entry.error}")
    return entry.task, path


def _marker(task: Task, project: Project) -> str:
    from .workflow import relative

    marker = project.storage.marker(task)
    if marker is None:
        raise NoMarkerError(
            f"storage backend '{project.storage.name}' names no marker file for task '{task.taskname}', "
            "so Snakemake cannot wait for its result; use the 'local' backend"
        )
    return str(relative(marker, Path.cwd().resolve()))


def target(*taskfiles: str | os.PathLike[str]) -> list[str]:
    """The marker file of each task file's task: what a rule needing its result takes as input."""
    project = _project()
    return [_marker(_load(taskfile, project)[0], project) for taskfile in taskfiles]


def _stored_upstream(task: Task) -> Iterator[Task]:
    """The nearest stored tasks *task* needs (through unstored or unpure ones, computed in the job)."""
    from smttask.execution.planning import upstream_tasks

    for upstream in upstream_tasks(task):
        if upstream.store and not upstream.unpure:
            yield upstream
        else:
            yield from _stored_upstream(upstream)


def taskfile_rule(
    *taskfiles: str | os.PathLike[str], record: bool | None = None, reason: str | None = None
) -> TaskRule:
    """A rule body running *taskfiles* in one ``smttask run``: inputs, outputs, command, threads, resources.

    Resources are the largest each task asks for (``@resources`` on the task
    type, or the task file's ``"resources"`` field).
    """
    from smttask.taskfile import read_document

    from .snakefile import JobOptions, job_command
    from .taskresources import of_task

    if not taskfiles:
        raise TypeError("taskfile_rule() needs at least one task file")
    project = _project()
    loaded = [_load(taskfile, project) for taskfile in taskfiles]
    outputs = [_marker(task, project) for task, _ in loaded]
    inputs = sorted({_marker(up, project) for task, _ in loaded for up in _stored_upstream(task)} - set(outputs))
    threads, resources = 1, {}
    for task, path in loaded:
        asked = of_task(task, read_document(path)[1], str(path))
        threads = max(threads, asked.threads)
        for name, value in asked.values:
            old = resources.get(name)
            resources[name] = value if old is None or not isinstance(value, int) else max(value, old)  # type: ignore[type-var]
    command = job_command([path for _, path in loaded], JobOptions(record, reason))
    return TaskRule(inputs, outputs, command, threads, resources)
