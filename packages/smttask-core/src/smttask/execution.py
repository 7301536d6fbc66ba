"""Executors run many tasks: in this process, or in a pool of worker processes.

Workers receive task descriptions (never pickled task objects), rebuild each
task in the same project, and run it. Tasks two workers both need are
computed once, thanks to the storage claim.
"""

from __future__ import annotations

import time
import traceback
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from .project import Project
    from .task import Task

Status = Literal["computed", "cached", "failed"]


@dataclass(frozen=True)
class TaskOutcome:
    """What happened to one task of a batch."""

    task: str
    key: str
    status: Status
    duration: float
    error: str | None = None
    traceback: str | None = None


class Executor(ABC):
    """Runs a batch of tasks and reports each outcome as it completes."""

    #: The name users choose this executor by.
    name: ClassVar[str]

    def __init__(self, project: Project, *, workers: int | None = None) -> None:
        self.project = project
        self.workers = workers

    @abstractmethod
    def run(self, tasks: Sequence[Task], *, recompute: bool = False) -> Iterator[TaskOutcome]:
        """Run *tasks*, yielding one outcome per task in completion order.

        A failing task yields a ``"failed"`` outcome; the others still run.
        """


def run_one(task: Task, project: Project, recompute: bool) -> TaskOutcome:
    """Run *task* in this process and describe the outcome."""
    start = time.perf_counter()
    with project.activate():
        try:
            key = task.digest
            cached = not recompute and (
                key in project.memory or (task.store and project.storage.locate(task) is not None)
            )
            task.run(recompute=recompute)
        except Exception as exc:
            return TaskOutcome(
                task.taskname,
                task._digest or "",
                "failed",
                time.perf_counter() - start,
                f"{type(exc).__name__}: {exc}",
                traceback.format_exc(),
            )
    return TaskOutcome(task.taskname, key, "cached" if cached else "computed", time.perf_counter() - start)


class InlineExecutor(Executor):
    """Runs tasks one after the other in this process (``breakpoint()`` works)."""

    name = "inline"

    def run(self, tasks: Sequence[Task], *, recompute: bool = False) -> Iterator[TaskOutcome]:
        for task in tasks:
            yield run_one(task, self.project, recompute)


_worker_projects: dict[str, Any] = {}


def _run_in_worker(root: str, desc: dict[str, Any], recompute: bool) -> TaskOutcome:
    from .project import Project
    from .taskfile import task_from_desc

    project = _worker_projects.get(root)
    if project is None:
        project = _worker_projects[root] = Project(root)
    start = time.perf_counter()
    with project.activate():
        try:
            task = task_from_desc(desc)
        except Exception as exc:
            return TaskOutcome(
                str(desc.get("task")), "", "failed", time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
            )
    return run_one(task, project, recompute)


class ProcessExecutor(Executor):
    """Runs tasks in a pool of ``workers`` processes (default: one per CPU)."""

    name = "processes"

    def run(self, tasks: Sequence[Task], *, recompute: bool = False) -> Iterator[TaskOutcome]:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        root = str(self.project.root)
        with self.project.activate():
            descs = [task.desc for task in tasks]
        with ProcessPoolExecutor(max_workers=self.workers) as pool:
            futures = [pool.submit(_run_in_worker, root, desc, recompute) for desc in descs]
            for future in as_completed(futures):
                yield future.result()
