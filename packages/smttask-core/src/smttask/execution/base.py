"""The :class:`Executor` base class: plans a batch, reports cached tasks, handles Ctrl-C.

Subclasses only run the planned jobs (:meth:`Executor.run_jobs`); everything
else an executor does is here, so every executor behaves alike.
"""

from __future__ import annotations

import contextlib
import dataclasses
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from .history import DurationHistory
from .outcomes import RunOptions, TaskOutcome, TaskStarted
from .planning import BatchPlan, Cached, Job, job_key, plan_batch
from .running import run_one

if TYPE_CHECKING:
    from ..project import Project
    from ..task import Task


class Executor(ABC):
    """Runs a batch of tasks and reports each outcome as it completes.

    Subclasses implement :meth:`run_jobs`; :meth:`run` plans the batch, reports
    cached tasks at once, and handles Ctrl-C. While :meth:`run` is iterated in
    the main thread, a first Ctrl-C requests a clean stop (see :meth:`stop`);
    once every outcome is yielded, ``KeyboardInterrupt`` is raised. A second
    Ctrl-C stops at once.
    """

    #: The name users choose this executor by.
    name: ClassVar[str]
    #: Whether jobs run in this process (memory-tier results then count as cached upstream).
    in_process: ClassVar[bool] = False

    def __init__(self, project: Project, *, workers: int | None = None, imports: Sequence[str] = ()) -> None:
        self.project = project
        self.workers = workers
        #: Modules to import before rebuilding tasks (e.g. ones registering serializers).
        self.imports = tuple(imports)
        self._stop_requested = False
        self._hard_stop = False
        self._interrupts = 0
        self._in_task = False
        self.on_tick: Callable[[], None] | None = None
        #: The durations of the project's task types, read as a batch starts and saved as it ends: executors
        #: record their jobs' durations in it (see :mod:`smttask.execution.history`).
        self.history = DurationHistory(project.root)

    def run(
        self,
        tasks: Sequence[Task],
        *,
        recompute: bool = False,
        record: bool | None = None,
        reason: str | None = None,
        on_start: Callable[[TaskStarted], None] | None = None,
        on_tick: Callable[[], None] | None = None,
    ) -> Iterator[TaskOutcome]:
        """Run *tasks*, yielding one outcome per task in completion order.

        Upstream tasks computed as jobs of their own also yield an outcome
        (with ``index=None``). A failing task yields a ``"failed"`` outcome and
        the others still run (those needing its result fail too). *on_start*
        is called as each job starts; *on_tick* about ten times a second while
        waiting for workers (never while a task runs in this process), e.g. to
        redraw a progress display from this thread.
        """
        tasks = list(tasks)
        self._stop_requested = self._hard_stop = False
        self._interrupts = 0
        with self.project.activate():
            plan = plan_batch(tasks, self.project, recompute=recompute, in_process=self.in_process)
        options = RunOptions(recompute=recompute, record=record, reason=reason)
        self.on_tick = on_tick
        if plan.jobs:
            self.history = DurationHistory.of(self.project)
        try:
            with self._catch_sigint():
                for index in range(len(tasks)):
                    if index in plan.failed:
                        yield plan.failed[index]
                    elif index in plan.cached:
                        yield _cached_outcome(tasks[index], index, plan.cached[index])
                for job, outcome in self.run_jobs(plan, options, on_start):
                    if job.indices:
                        for index in job.indices:
                            yield dataclasses.replace(outcome, index=index)
                    else:
                        yield dataclasses.replace(outcome, index=None)
        finally:
            self.history.save()
        if self._interrupts:
            raise KeyboardInterrupt

    @abstractmethod
    def run_jobs(
        self, plan: BatchPlan, options: RunOptions, on_start: Callable[[TaskStarted], None] | None
    ) -> Iterator[tuple[Job, TaskOutcome]]:
        """Run the jobs of *plan* (a job only after its :attr:`Job.deps`), yielding each with its outcome.

        Stop starting jobs once :attr:`stopping` is true; every job gets an
        outcome (``"skipped"`` for those never started).
        """

    def _run_here(self, job: Job, options: RunOptions) -> TaskOutcome:
        """Run *job* in this process; a Ctrl-C interrupts it (its outcome says so) and stops the batch."""
        start = time.perf_counter()
        try:
            self._in_task = True
            if self.stopping:
                raise KeyboardInterrupt
            return run_one(job.task, self.project, job.recompute, record=options.record, reason=options.reason)
        except KeyboardInterrupt:
            self.stop()
            return TaskOutcome(
                job.task.taskname, job.key, "interrupted", time.perf_counter() - start, "interrupted"
            )
        finally:
            self._in_task = False

    @property
    def stopping(self) -> bool:
        """True once a stop was requested."""
        return self._stop_requested

    def stop(self, *, hard: bool = False) -> None:
        """Stop the batch: start no new task and interrupt running ones (their cleanup runs).

        With *hard*, running workers are killed without waiting for cleanup.
        Safe to call from a signal handler or another thread.
        """
        self._stop_requested = True
        if hard:
            self._hard_stop = True

    @contextlib.contextmanager
    def _catch_sigint(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(signum: int, frame: Any) -> None:
            self._interrupts += 1
            self.stop(hard=self._interrupts > 1)
            if self._in_task:
                raise KeyboardInterrupt

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _cached_outcome(task: Task, index: int, cached: Cached) -> TaskOutcome:
    outputs = tuple(str(o.path) for o in cached.stored.outputs.values()) if cached.stored else ()
    return TaskOutcome(task.taskname, job_key(task), "cached", 0.0, index=index, outputs=outputs)
