"""Executors run a batch of tasks: in this process, or in worker processes.

A batch is first *planned* (:func:`plan_batch`): a task whose result is already
stored is reported as cached without running; every stored upstream task
without a result becomes a job of its own, computed once before the tasks that
need it; every other task becomes a job, in dependency order. The same plan
drives ``smttask run --dry-run``, so a dry run predicts exactly what runs.

Workers receive task descriptions (never pickled task objects) and rebuild
each task in the same project. Task classes defined in ``__main__`` (a script
or a notebook) cannot be imported by name in a worker, so they are shipped
with ``dill``. Ctrl-C (or :meth:`Executor.stop`) stops a batch cleanly: no new
task starts, running tasks are interrupted so their cleanup code runs (nothing
half-written remains), and finished results are kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import importlib
import io
import os
import re
import signal
import sys
import threading
import time
import traceback
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .errors import SmttaskError
from .signature import is_task

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext

    from .config import Config
    from .project import Project
    from .storage import StoredResult
    from .task import Task

Status = Literal["computed", "cached", "failed", "interrupted", "skipped"]

#: Why a job runs (shown by ``smttask run --dry-run``).
WHY_RECOMPUTE = "recompute requested"
WHY_MISSING = "no stored result"
WHY_NOT_STORED = "not stored: computed on every run"
WHY_UNPURE = "unpure: computed on every run"


@dataclass(frozen=True)
class TaskOutcome:
    """What happened to one task of a batch.

    *index* is the task's position in the batch, or None for an upstream task
    the batch needed and computed as a job of its own. *outputs* are the paths
    of the stored result files. *exception* is the exception itself, for tasks
    run in this process only (``--pdb`` uses it).
    """

    task: str
    key: str
    status: Status
    duration: float
    error: str | None = None
    traceback: str | None = None
    index: int | None = None
    outputs: tuple[str, ...] = ()
    exception: BaseException | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True if the task's result is available (computed or cached)."""
        return self.status in ("computed", "cached")


@dataclass(frozen=True)
class TaskStarted:
    """A job has started; *indices* are the batch positions it answers (empty for an upstream task)."""

    task: str
    key: str
    indices: tuple[int, ...]


@dataclass(frozen=True)
class RunOptions:
    """Options applying to every job of a batch."""

    #: Recompute the tasks of the batch even if stored (upstream results are reused).
    recompute: bool = False
    #: Override whether recorded tasks write a lab-book record (None: they do).
    record: bool | None = None
    #: Override the reason recorded with each run.
    reason: str | None = None


# --- planning -----------------------------------------------------------------------


@dataclass
class Job:
    """One task to run; jobs in :attr:`deps` must succeed first."""

    id: int
    task: Task
    key: str
    why: str
    indices: list[int] = field(default_factory=list)
    deps: set[int] = field(default_factory=set)
    recompute: bool = False

    @property
    def upstream(self) -> bool:
        """True if no task of the batch is this job: it is only needed by them."""
        return not self.indices


@dataclass(frozen=True)
class Cached:
    """A task of the batch whose result exists: in storage (*stored*) or, if None, in memory."""

    stored: StoredResult | None


@dataclass
class BatchPlan:
    """What running a batch will do: which tasks are cached, which jobs run, in what order."""

    size: int
    jobs: list[Job] = field(default_factory=list)
    cached: dict[int, Cached] = field(default_factory=dict)
    failed: dict[int, TaskOutcome] = field(default_factory=dict)

    def job_for(self, index: int) -> Job | None:
        """The job that computes the task at *index* of the batch (None if cached or failed)."""
        for job in self.jobs:
            if index in job.indices:
                return job
        return None

    def needed_by(self, job: Job) -> list[int]:
        """Batch positions of the tasks that (directly or not) need *job*."""
        dependents: dict[int, list[Job]] = {}
        for other in self.jobs:
            for dep in other.deps:
                dependents.setdefault(dep, []).append(other)
        found: set[int] = set()
        stack = [job]
        while stack:
            for other in dependents.get(stack.pop().id, ()):
                found.update(other.indices)
                stack.append(other)
        return sorted(found)


def iter_tasks(value: Any) -> Iterator[Task]:
    """The tasks in *value*: itself, or those held in a list/tuple/set/dict (not recursing into tasks)."""
    if is_task(value):
        yield value
        return
    t = type(value)
    if t in (list, tuple, set, frozenset):
        for v in value:
            yield from iter_tasks(v)
    elif t is dict:
        for k, v in value.items():
            yield from iter_tasks(k)
            yield from iter_tasks(v)


def upstream_tasks(task: Task) -> Iterator[Task]:
    """The tasks *task* takes as inputs (direct inputs only)."""
    for value in task.inputs.values():
        yield from iter_tasks(value)


def job_key(task: Task) -> str:
    """The key identifying *task* without running it (an unpure task's input key)."""
    return task.input_digest if task.unpure else task.digest


def plan_batch(
    tasks: Sequence[Task], project: Project, *, recompute: bool = False, in_process: bool = True
) -> BatchPlan:
    """Plan running *tasks* in *project* (call with the project activated).

    *in_process* says whether jobs run in this process, where results already
    in the memory tier count for upstream tasks too. A task that cannot even be
    planned (its key or storage lookup raises) is in :attr:`BatchPlan.failed`.
    """
    from .storage.base import CorruptResultError

    plan = BatchPlan(len(tasks))
    jobs: dict[str, Job] = {}
    settled: dict[str, set[int]] = {}  # key -> jobs a memory-only or stored upstream task brings in
    cached: dict[str, Cached] = {}

    def stored_result(task: Task) -> tuple[StoredResult | None, str]:
        try:
            return project.storage.locate(task), WHY_MISSING
        except CorruptResultError as exc:
            return None, f"stored result unusable ({exc})"

    def add_job(task: Task, key: str, why: str, deps: set[int]) -> Job:
        job = Job(len(plan.jobs), task, key, why, deps=deps)
        plan.jobs.append(job)
        jobs[key] = job
        return job

    def deps_of(task: Task) -> set[int]:
        deps: set[int] = set()
        for upstream in upstream_tasks(task):
            deps |= requirement(upstream)
        return deps

    def requirement(task: Task) -> set[int]:
        """The jobs that must run before a task needing *task* as an input."""
        key = job_key(task)
        if key in jobs:
            return {jobs[key].id}
        if key in settled:
            return settled[key]
        if in_process and not task.unpure and key in project.memory:
            settled[key] = set()
        elif task.unpure or not task.store:
            settled[key] = deps_of(task)  # computed inside the job that needs it
        else:
            stored, why = stored_result(task)
            if stored is not None:
                settled[key] = set()
            else:
                return {add_job(task, key, why, deps_of(task)).id}
        return settled[key]

    for index, task in enumerate(tasks):
        try:
            key = job_key(task)
            if key in cached:  # the same task twice in the batch
                plan.cached[index] = cached[key]
                continue
            job = jobs.get(key)
            if job is None:
                if task.unpure:
                    why = WHY_UNPURE
                elif not task.store:
                    why = WHY_NOT_STORED
                    if not recompute and key in project.memory:
                        plan.cached[index] = cached[key] = Cached(None)
                        continue
                else:
                    stored, why = stored_result(task)
                    if stored is not None and not recompute:
                        plan.cached[index] = cached[key] = Cached(stored)
                        continue
                    if recompute:
                        why = WHY_RECOMPUTE
                job = add_job(task, key, why, deps_of(task))
            job.indices.append(index)
            job.recompute = job.recompute or recompute
        except Exception as exc:
            plan.failed[index] = TaskOutcome(
                getattr(task, "taskname", type(task).__name__),
                "",
                "failed",
                0.0,
                _describe_error(exc),
                traceback.format_exc(),
                index=index,
            )
    return plan


def _describe_error(exc: BaseException) -> str:
    from .errors import TaskFileError

    if isinstance(exc, TaskFileError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


# --- running one task -----------------------------------------------------------------


def run_one(
    task: Task,
    project: Project,
    recompute: bool = False,
    *,
    record: bool | None = None,
    reason: str | None = None,
) -> TaskOutcome:
    """Run *task* in this process and describe the outcome (exceptions become a failed outcome)."""
    start = time.perf_counter()
    key = ""
    with project.activate():
        try:
            key = job_key(task)
            cached = not recompute and (
                key in project.memory or (task.store and project.storage.locate(task) is not None)
            )
            task.run(recompute=recompute, record=record, reason=reason)
            outputs = _output_paths(task, project)
        except Exception as exc:
            return TaskOutcome(
                task.taskname,
                key,
                "failed",
                time.perf_counter() - start,
                _describe_error(exc),
                traceback.format_exc(),
                exception=exc,
            )
    status: Status = "cached" if cached else "computed"
    return TaskOutcome(task.taskname, key, status, time.perf_counter() - start, outputs=outputs)


def _output_paths(task: Task, project: Project) -> tuple[str, ...]:
    if not task.store or task.unpure:
        return ()
    stored = project.storage.locate(task)
    return tuple(str(out.path) for out in stored.outputs.values()) if stored else ()


class _Schedule:
    """Tracks which jobs may start: those whose dependencies all succeeded."""

    def __init__(self, plan: BatchPlan) -> None:
        self.jobs = {job.id: job for job in plan.jobs}
        self.waiting = {job.id: set(job.deps) for job in plan.jobs}
        self.dependents: dict[int, list[int]] = {}
        for job in plan.jobs:
            for dep in job.deps:
                self.dependents.setdefault(dep, []).append(job.id)
        self.ready = [job.id for job in plan.jobs if not job.deps]  # a heap: plan order first
        heapq.heapify(self.ready)
        self.unfinished = set(self.jobs)

    def next_ready(self) -> Job | None:
        return self.jobs[heapq.heappop(self.ready)] if self.ready else None

    def retry(self, job: Job) -> None:
        """Make *job* ready again (it never started)."""
        heapq.heappush(self.ready, job.id)

    def finish(self, job: Job, outcome: TaskOutcome) -> Iterator[tuple[Job, TaskOutcome]]:
        """Record *job*'s outcome; yield failed outcomes of the jobs that now cannot run."""
        self.unfinished.discard(job.id)
        if outcome.ok:
            for other in self.dependents.get(job.id, ()):
                waiting = self.waiting[other]
                waiting.discard(job.id)
                if not waiting and other in self.unfinished:
                    heapq.heappush(self.ready, other)
            return
        if outcome.status != "failed":
            return  # interrupted or skipped: the batch is stopping, dependents are skipped
        error = f"upstream task {job.task.taskname} (key {job.key[:12]}…) failed: {outcome.error}"
        for other in self._dependents_of(job.id):
            if other in self.unfinished:
                self.unfinished.discard(other)
                dependent = self.jobs[other]
                yield dependent, TaskOutcome(dependent.task.taskname, dependent.key, "failed", 0.0, error)

    def _dependents_of(self, job_id: int) -> list[int]:
        found: list[int] = []
        stack = [job_id]
        while stack:
            for other in self.dependents.get(stack.pop(), ()):
                if other not in found:
                    found.append(other)
                    stack.append(other)
        return found

    def skip_rest(self, reason: str) -> Iterator[tuple[Job, TaskOutcome]]:
        for job_id in sorted(self.unfinished):
            job = self.jobs[job_id]
            yield job, TaskOutcome(job.task.taskname, job.key, "skipped", 0.0, reason)
        self.unfinished.clear()
        self.ready.clear()


SKIPPED = "not run: the batch was stopped"


# --- executors ---------------------------------------------------------------------


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


class InlineExecutor(Executor):
    """Runs tasks one after the other in this process (``breakpoint()`` and ``pdb`` work)."""

    name = "inline"
    in_process = True

    def run_jobs(
        self, plan: BatchPlan, options: RunOptions, on_start: Callable[[TaskStarted], None] | None
    ) -> Iterator[tuple[Job, TaskOutcome]]:
        schedule = _Schedule(plan)
        while (job := schedule.next_ready()) is not None:
            if self.stopping:
                break
            if on_start is not None:
                on_start(TaskStarted(job.task.taskname, job.key, tuple(job.indices)))
            outcome = self._run_here(job, options)
            yield job, outcome
            yield from schedule.finish(job, outcome)
        yield from schedule.skip_rest(SKIPPED)

    def _run_here(self, job: Job, options: RunOptions) -> TaskOutcome:
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


# --- worker processes ------------------------------------------------------------------


@dataclass(frozen=True)
class _WorkerSetup:
    """Everything a worker needs before its first job."""

    root: str
    config: Config
    sys_path: tuple[str, ...]
    imports: tuple[str, ...]
    main_classes: bytes | None


class ProcessExecutor(Executor):
    """Runs tasks in ``workers`` processes (default: one per CPU), at most one task per worker at a time.

    Stored upstream tasks are computed once (as jobs of their own); memory-only
    upstream tasks are computed at most once per worker. A worker that dies
    (e.g. killed for lack of memory) fails only its own task. What tasks print
    is forwarded to this process's ``sys.stdout``/``sys.stderr``.
    """

    name = "processes"
    #: Seconds a stopping worker gets to clean up before it is killed.
    stop_grace: ClassVar[float] = 10.0

    def __init__(
        self,
        project: Project,
        *,
        workers: int | None = None,
        imports: Sequence[str] = (),
        start_method: str | None = None,
    ) -> None:
        super().__init__(project, workers=workers, imports=imports)
        #: ``multiprocessing`` start method; None chooses (see :meth:`choose_start_method`).
        self.start_method = start_method

    @staticmethod
    def choose_start_method() -> str:
        """``fork`` where it is safe and fast (POSIX but macOS, this process has a single thread), else ``spawn``.

        A forked worker starts in milliseconds with every module this process
        imported; forking a process that runs other threads (a notebook
        kernel, a live progress display) is unsafe, so those spawn fresh workers.
        """
        import multiprocessing

        if (
            "fork" in multiprocessing.get_all_start_methods()
            and sys.platform != "darwin"
            and threading.active_count() == 1
        ):
            return "fork"
        return "spawn"

    def run_jobs(
        self, plan: BatchPlan, options: RunOptions, on_start: Callable[[TaskStarted], None] | None
    ) -> Iterator[tuple[Job, TaskOutcome]]:
        if not plan.jobs:
            return
        import multiprocessing

        method = self.start_method or self.choose_start_method()
        with self.project.activate():
            descs = {job.id: job.task.desc for job in plan.jobs}
        setup = _WorkerSetup(
            str(self.project.root),
            self.project.config,
            tuple(sys.path),
            self.imports,
            # A forked worker already has the classes of __main__.
            None if method == "fork" else pack_main_classes(job.task for job in plan.jobs),
        )
        schedule = _Schedule(plan)
        size = min(self.workers or os.cpu_count() or 1, len(plan.jobs))

        def started(job: Job) -> None:
            if on_start is not None:
                on_start(TaskStarted(job.task.taskname, job.key, tuple(job.indices)))

        pool = _Pool(multiprocessing.get_context(method), setup, size, started)
        try:
            pool.start()
            while schedule.unfinished:
                if self.stopping and not pool.stopping:
                    pool.begin_stop()
                if self._hard_stop or (pool.stopping and time.monotonic() > pool.deadline(self.stop_grace)):
                    pool.kill()
                if not pool.stopping:
                    pool.dispatch(schedule, descs, options)
                elif not pool.alive():
                    break
                if self.on_tick is not None:
                    self.on_tick()
                for job, outcome in pool.wait(timeout=0.1):
                    if outcome is None:  # it never started: run it elsewhere (or skip it, if stopping)
                        schedule.retry(job)
                        continue
                    yield job, outcome
                    yield from schedule.finish(job, outcome)
                if not pool.stopping and schedule.unfinished:
                    pool.replace_dead()
            yield from schedule.skip_rest(SKIPPED)
        finally:
            pool.shutdown(self.stop_grace)


class _Worker:
    """The parent's handle on one worker process and the jobs sent to it (the first one is running)."""

    def __init__(self, ctx: BaseContext, slot: int, setup: _WorkerSetup) -> None:
        self.slot = slot
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, slot, setup), name=f"smttask-worker-{slot}")
        with _sigint_blocked():
            self.process.start()
        child.close()
        self.jobs: deque[Job] = deque()
        self.started = 0.0  # when the running job started
        self.ready = False
        self.said_bye = False  # it exited on its own, having started none of its queued jobs
        self.terminated = False
        self.exited = False

    def assign(self, job: Job, desc: dict[str, Any], options: RunOptions) -> None:
        if not self.jobs:
            self.started = time.perf_counter()
        self.jobs.append(job)
        self.conn.send((desc, job.recompute, options.record, options.reason))

    def close(self) -> None:
        """Ask an idle worker to exit."""
        with contextlib.suppress(OSError):
            self.conn.send(None)

    def interrupt(self) -> None:
        """Interrupt the running task: its cleanup code runs, then the worker exits."""
        self.terminated = True
        with contextlib.suppress(ProcessLookupError, AttributeError, ValueError):
            self.process.terminate()


class _Pool:
    """Worker processes, each running one job at a time with the next one queued, replaced if they die."""

    #: Jobs sent to a worker at once: the running one and the next, so no worker waits for the parent.
    depth: ClassVar[int] = 2

    def __init__(
        self, ctx: BaseContext, setup: _WorkerSetup, size: int, on_start: Callable[[Job], None]
    ) -> None:
        self.ctx = ctx
        self.setup = setup
        self.size = size
        self.on_start = on_start
        self.workers: list[_Worker] = []
        self.stopping = False
        self._stop_time = 0.0
        self._idle_deaths: list[int | None] = []
        self._warnings: set[str] = set()

    def start(self) -> None:
        self.workers = [_Worker(self.ctx, slot, self.setup) for slot in range(self.size)]

    def dispatch(self, schedule: _Schedule, descs: dict[int, dict[str, Any]], options: RunOptions) -> None:
        """Send ready jobs to workers: first one to each idle worker, then one more to queue behind it."""
        for load in range(self.depth):
            for worker in self.workers:
                if worker.exited or len(worker.jobs) != load:
                    continue
                job = schedule.next_ready()
                if job is None:
                    return
                worker.assign(job, descs[job.id], options)
                if load == 0:
                    self.on_start(job)

    def alive(self) -> bool:
        return any(not w.exited for w in self.workers)

    def deadline(self, grace: float) -> float:
        return self._stop_time + grace

    def begin_stop(self) -> None:
        self.stopping = True
        self._stop_time = time.monotonic()
        for worker in self.workers:
            if worker.exited:
                continue
            if worker.jobs:
                worker.interrupt()
            else:
                worker.close()

    def kill(self) -> None:
        self.stopping = True
        for worker in self.workers:
            if not worker.exited:
                worker.terminated = True
                with contextlib.suppress(ProcessLookupError, AttributeError, ValueError):
                    worker.process.kill()

    def replace_dead(self) -> None:
        if len(self._idle_deaths) > 2:
            raise SmttaskError(
                "Worker processes keep exiting before they are ready "
                f"(exit code {self._idle_deaths[-1]}); "
                "their error output is above. If you run tasks from a script, put its code under "
                "`if __name__ == '__main__':` (workers import the script); or run in this process (-n 1)."
            )
        for i, worker in enumerate(self.workers):
            if worker.exited:
                self.workers[i] = _Worker(self.ctx, worker.slot, self.setup)

    def wait(self, timeout: float) -> Iterator[tuple[Job, TaskOutcome | None]]:
        """Wait up to *timeout* s for messages; yield the jobs that finished (or whose worker died).

        A job that never started (its worker died before it was ready, or
        while it was queued) comes with outcome None: run it elsewhere.
        """
        from multiprocessing.connection import wait

        live = [w for w in self.workers if not w.exited]
        if not live:
            return
        handles: list[Any] = [w.conn for w in live] + [w.process.sentinel for w in live]
        ready = wait(handles, timeout)
        for worker in live:
            if worker.conn in ready or worker.process.sentinel in ready:
                yield from self._read(worker)

    def _read(self, worker: _Worker) -> Iterator[tuple[Job, TaskOutcome | None]]:
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "ready":
                    worker.ready = True
                elif message[0] == "bye":
                    worker.said_bye = True
                elif message[0] == "out":
                    self._write_output(message[1], message[2])
                elif message[0] == "done" and worker.jobs:
                    job = worker.jobs.popleft()
                    if worker.jobs and not self.stopping:
                        worker.started = time.perf_counter()
                        self.on_start(worker.jobs[0])
                    yield job, message[1]
        except (EOFError, OSError):
            pass
        if worker.process.is_alive():
            return
        worker.process.join()
        worker.exited = True
        worker.conn.close()
        if not worker.ready and not worker.terminated and not self.stopping:
            self._idle_deaths.append(worker.process.exitcode)
        elif worker.jobs and not worker.said_bye:
            job = worker.jobs.popleft()
            duration = time.perf_counter() - worker.started
            if worker.terminated:
                yield job, TaskOutcome(job.task.taskname, job.key, "interrupted", duration, "interrupted")
            else:
                yield job, TaskOutcome(
                    job.task.taskname, job.key, "failed", duration, _death_message(worker.process.exitcode)
                )
        while worker.jobs:  # queued behind, never started
            yield worker.jobs.popleft(), None

    def _write_output(self, stream: str, text: str) -> None:
        """Pass on what a worker printed; a warning every worker gives is shown once."""
        if stream == "stderr" and _WARNING.match(text):
            if text in self._warnings:
                return
            self._warnings.add(text)
        _write_output(stream, text)

    def shutdown(self, grace: float) -> None:
        """Stop every worker: idle ones exit, running ones are interrupted, stragglers killed."""
        if not self.stopping:
            self.begin_stop()
        end = time.monotonic() + grace
        for worker in self.workers:
            if worker.exited:
                continue
            worker.process.join(max(0.0, end - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            with contextlib.suppress(OSError, EOFError):
                while worker.conn.poll():
                    message = worker.conn.recv()
                    if message[0] == "out":
                        self._write_output(message[1], message[2])
            worker.conn.close()
            worker.exited = True


def _death_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"the worker process running it was killed by {name}{hint}"
    return f"the worker process running it exited unexpectedly (exit code {exitcode})"


_WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")


def _write_output(stream: str, text: str) -> None:
    target = sys.stderr if stream == "stderr" else sys.stdout
    target.write(text)
    target.flush()


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Block SIGINT while a worker starts, so a Ctrl-C cannot hit it before it ignores SIGINT."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


# --- inside a worker ---------------------------------------------------------------------


class _WorkerState:
    """Turns the first SIGTERM into KeyboardInterrupt, so a running task's cleanup code runs.

    While the worker sends a result the signal only marks it as stopping, so
    no message is cut in half.
    """

    def __init__(self) -> None:
        self.sending = False
        self.stopping = False

    def on_sigterm(self, signum: int, frame: Any) -> None:
        first = not self.stopping
        self.stopping = True
        if first and not self.sending:
            raise KeyboardInterrupt


class _ForwardedStream(io.TextIOBase):
    """A worker's ``sys.stdout``/``sys.stderr``: sends text to the parent, a line at a time."""

    def __init__(self, name: str, send: Callable[[tuple[Any, ...]], None], original: Any) -> None:
        self.name = name
        self._send = send
        self._original = original
        self._buffer: list[str] = []
        self._lock = threading.Lock()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._original.fileno()  # writes at the file-descriptor level go straight out

    def write(self, text: str) -> int:
        with self._lock:
            self._buffer.append(text)
        if "\n" in text or "\r" in text:
            self.flush()
        return len(text)

    def flush(self) -> None:
        with self._lock:
            text, self._buffer = "".join(self._buffer), []
        if text:
            self._send(("out", self.name, text))


def _worker_main(conn: Connection, slot: int, setup: _WorkerSetup) -> None:
    """A worker's life: set up, then run one job at a time until told to stop (or the parent dies)."""
    import multiprocessing
    from multiprocessing.connection import wait

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent coordinates Ctrl-C
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    state = _WorkerState()
    signal.signal(signal.SIGTERM, state.on_sigterm)
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    streams = (_ForwardedStream("stdout", send, sys.__stdout__), _ForwardedStream("stderr", send, sys.__stderr__))
    sys.stdout, sys.stderr = streams
    os.environ["SMTTASK_PROCESS_NUM"] = str(slot)
    sys.path[:0] = [p for p in setup.sys_path if p not in sys.path]
    setup_error: str | None = None
    project: Any = None
    try:
        from .project import Project

        project = Project(setup.root, config=setup.config)
        for module in setup.imports:
            importlib.import_module(module)
        if setup.main_classes is not None:
            install_main_classes(setup.main_classes)
    except Exception as exc:
        setup_error = f"worker setup failed: {_describe_error(exc)}\n{traceback.format_exc()}"
    send(("ready",))
    parent = multiprocessing.parent_process()
    watched = [conn] + ([parent.sentinel] if parent is not None else [])
    while not state.stopping:
        message: Any = None
        start = time.perf_counter()
        try:
            if conn not in wait(watched):
                break  # the parent died
            message = conn.recv()
            if message is None:
                break
            if setup_error is not None:
                error, _, trace = setup_error.partition("\n")
                outcome = TaskOutcome(str(message[0].get("task")), "", "failed", 0.0, error, trace)
            else:
                outcome = _run_desc(project, *message)
        except (EOFError, OSError):
            break
        except KeyboardInterrupt:
            state.stopping = True
            if message is None:
                break
            outcome = TaskOutcome(
                str(message[0].get("task")), "", "interrupted", time.perf_counter() - start, "interrupted"
            )
        state.sending = True
        for stream in streams:
            stream.flush()
        try:
            send(("done", outcome))
        except (OSError, ValueError):
            break
        state.sending = False
    state.sending = True
    with contextlib.suppress(OSError, ValueError):
        for stream in streams:
            stream.flush()
        send(("bye",))


def _run_desc(
    project: Project, desc: dict[str, Any], recompute: bool, record: bool | None, reason: str | None
) -> TaskOutcome:
    from .taskfile import task_from_desc

    start = time.perf_counter()
    with project.activate():
        try:
            task = task_from_desc(desc)
        except Exception as exc:
            return TaskOutcome(
                str(desc.get("task")), "", "failed", time.perf_counter() - start, _describe_error(exc),
                traceback.format_exc(),
            )
    outcome = run_one(task, project, recompute, record=record, reason=reason)
    return dataclasses.replace(outcome, exception=None, duration=time.perf_counter() - start)


# --- tasks defined in __main__ -----------------------------------------------------------


def main_classes(tasks: Iterable[Task]) -> list[type[Task]]:
    """Task classes defined in ``__main__`` among *tasks* and their upstream tasks."""
    found: dict[str, type[Task]] = {}
    seen: set[int] = set()
    stack = list(tasks)
    while stack:
        task = stack.pop()
        if id(task) in seen:
            continue
        seen.add(id(task))
        cls = type(task)
        if cls.module_name == "__main__":
            found.setdefault(cls.identity, cls)
        stack.extend(upstream_tasks(task))
    return list(found.values())


def pack_main_classes(tasks: Iterable[Task]) -> bytes | None:
    """Serialize (with dill) the ``__main__`` task classes among *tasks*, or None if there are none.

    Each is shipped as the decorated function or class plus the decorator's
    options, and rebuilt in the worker with the same identity, hence the same keys.
    """
    classes = main_classes(tasks)
    if not classes:
        return None
    try:
        import dill
    except ImportError:
        raise SmttaskError(
            f"Task '{classes[0].taskname}' is defined in __main__ (a script or notebook); running it in "
            "worker processes needs the 'dill' package: `pip install dill` (or define the task in an "
            "importable module, or run it in this process with the 'inline' executor)."
        ) from None
    specs = []
    for cls in classes:
        if "." in cls.taskname:
            raise SmttaskError(
                f"Task '{cls.taskname}' is defined inside a function or class in __main__; worker processes "
                "cannot rebuild it. Define it at the top level of the script or notebook."
            )
        obj = _with_resolved_annotations(cls.__wrapped__)  # type: ignore[attr-defined]
        cache = cls.__dict__.get("cache")
        specs.append((obj, cls.__bases__[0], cache, cls.version, cls.identity))
    buffer = io.BytesIO()
    _main_pickler(dill)(buffer, recurse=True).dump(specs)
    return buffer.getvalue()


def _main_pickler(dill: Any) -> type:
    """A dill pickler that also ships pydantic models defined in ``__main__`` (e.g. a TaskOutput).

    dill cannot pickle those classes by value; they are rebuilt from their fields
    (validators and methods of such models are not shipped).
    """
    from pydantic import BaseModel

    class MainPickler(dill.Pickler):  # type: ignore[misc, name-defined]
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == "__main__":
                fields = {name: (info.annotation, info) for name, info in obj.model_fields.items()}
                return _rebuild_model, (obj.__name__, obj.__qualname__, obj.__bases__, fields, obj.__doc__)
            return NotImplemented

    return MainPickler


def _rebuild_model(name: str, qualname: str, bases: tuple[type, ...], fields: dict[str, Any], doc: str | None) -> type:
    """Recreate (in a worker) a pydantic model shipped from ``__main__``, and register it there."""
    from pydantic import create_model

    model = create_model(name, __base__=bases, __module__="__main__", __doc__=doc, **fields)
    model.__qualname__ = qualname
    main = sys.modules["__main__"]
    if "." not in qualname and not hasattr(main, qualname):
        setattr(main, qualname, model)
    return model


def _with_resolved_annotations(obj: Any) -> Any:
    """A copy of function *obj* whose annotations are objects, not strings (dill ships only what the code uses)."""
    import types
    import typing

    if not isinstance(obj, types.FunctionType):
        return obj
    copy = types.FunctionType(obj.__code__, obj.__globals__, obj.__name__, obj.__defaults__, obj.__closure__)
    copy.__kwdefaults__ = obj.__kwdefaults__
    copy.__qualname__ = obj.__qualname__
    copy.__module__ = obj.__module__
    copy.__doc__ = obj.__doc__
    copy.__annotations__ = typing.get_type_hints(obj, include_extras=True)
    return copy


def install_main_classes(payload: bytes) -> None:
    """Rebuild shipped ``__main__`` task classes and make them importable from ``__main__``."""
    import dill

    from .decorators import make_task_class

    main = sys.modules["__main__"]
    for obj, kind, cache, version, identity in dill.loads(payload):
        existing = getattr(main, obj.__qualname__, None)
        if getattr(existing, "__smttask_task__", False) and getattr(existing, "identity", None) == identity:
            continue  # the worker already has it (forked, or a re-imported script)
        cls = make_task_class(obj, kind, cache=cache, version=version, name=identity)
        setattr(main, obj.__qualname__, cls)
