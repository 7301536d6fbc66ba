"""The process executor and its worker pool, as seen from the parent process.

:class:`ProcessExecutor` sends jobs to worker processes (:class:`_Pool`, one
:class:`_Worker` handle each), collects their outcomes and what they print,
replaces workers that die, and stops them cleanly. What runs inside a worker
is in :mod:`smttask.execution.worker`.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..engine import warm_up
from ..errors import CorruptResultError, SmttaskError
from ..storage.claim import is_heartbeat_thread
from .base import Executor
from .growth import CoreTrial, GrowthTrial
from .history import DurationHistory
from .mainmodule import pack_main_classes
from .outcomes import RunOptions, TaskOutcome, TaskStarted
from .planning import BatchPlan, Job
from .queueing import QueueDepth
from .schedule import SKIPPED, Schedule
from .worker import WorkerSetup, worker_main

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from ..project import Project


class ProcessExecutor(Executor):
    """Runs tasks in up to ``workers`` processes (default: one per CPU), one task per worker at a time.

    Forked workers are started as the jobs waiting make them worth it (see
    :class:`_Pool`), each with its own copy of this project and of the tasks;
    spawned ones all at once, sent the tasks' descriptions. Stored upstream
    tasks are computed once (as jobs of their own); memory-only upstream tasks
    are computed at most once per worker. A worker that dies
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
        The claim heartbeat's thread does not count: a forked child starts its own.
        """
        if hasattr(os, "fork") and sys.platform != "darwin" and _fork_safe():
            return "fork"
        return "spawn"

    def run_jobs(
        self, plan: BatchPlan, options: RunOptions, on_start: Callable[[TaskStarted], None] | None
    ) -> Iterator[tuple[Job, TaskOutcome]]:
        if not plan.jobs:
            return
        method = self.start_method or self.choose_start_method()
        forked = method == "fork"
        descs: dict[int, dict[str, Any]] = {}
        if forked:
            # A forked worker has its own copy of this project, of the tasks (it is sent job ids), of the
            # classes of __main__, and of all this process did: do now what each one's first run would.
            warm_up(self.project, (job.task for job in plan.jobs))
        else:
            from ..storedarrays import StoredArrays
            from ..taskfile import describe

            # Large arrays go to the workers by reference: each reads the stored file, not 1.3x its size in base64.
            arrays = StoredArrays.of(self.project)
            with self.project.activate():
                descs = {job.id: describe(job.task, arrays) for job in plan.jobs}
        setup = WorkerSetup(
            str(self.project.root),
            self.project.config,
            tuple(sys.path),
            self.imports,
            None if forked else pack_main_classes(job.task for job in plan.jobs),
            {job.id: job.task for job in plan.jobs} if forked else None,
            self.project if forked else None,
        )
        schedule = Schedule(plan)
        size = min(self.workers or os.cpu_count() or 1, len(plan.jobs))

        def started(job: Job) -> None:
            if on_start is not None:
                on_start(TaskStarted(job.task.taskname, job.key, tuple(job.indices)))

        pool = _Pool(
            method, setup, size, started, lazy=forked, stored=self._stored_outputs,
            history=self.history,
        )
        try:
            pool.start(schedule)
            while schedule.unfinished:
                if self.stopping and not pool.stopping:
                    pool.begin_stop()
                if self._hard_stop or (pool.stopping and time.monotonic() > pool.deadline(self.stop_grace)):
                    pool.kill()
                if not pool.stopping:
                    pool.dispatch(schedule, descs, options)
                    pool.grow(schedule)
                elif not pool.alive():
                    break
                if self.on_tick is not None:
                    self.on_tick()
                ran_here = False
                turn_ends = time.perf_counter() + QueueDepth.quick_seconds
                while not self.stopping and time.perf_counter() < turn_ends and (job := pool.take_here(schedule)):
                    started(job)
                    outcome = self._run_here(job, options)
                    pool.ran_here(job, outcome)
                    ran_here = True
                    yield job, outcome
                    yield from schedule.finish(job, outcome)
                for job, outcome in pool.wait(timeout=0.0 if ran_here else pool.wait_time(schedule)):
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


    def _stored_outputs(self, job: Job) -> tuple[str, ...] | None:
        """The files of *job*'s stored result, if it has one it did not have when the batch began."""
        if job.recompute or not job.task.store or job.task.unpure:
            return None
        with self.project.activate():
            try:
                found = self.project.storage.locate(job.task)
            except CorruptResultError:
                return None
        return tuple(map(str, found.files)) if found is not None else None


class _Worker:
    """The parent's handle on one worker process and the jobs sent to it (the first one is running)."""

    def __init__(
        self, ctx: BaseContext, slot: int, setup: WorkerSetup, target: Callable[..., None] = worker_main
    ) -> None:
        self.slot = slot
        self.created = time.perf_counter()
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=target, args=(child, slot, setup), name=f"smttask-worker-{slot}")
        with _sigint_blocked(), warnings.catch_warnings():
            if _fork_safe():  # Python 3.12+ warns of any thread; the heartbeat's is reset in the child
                warnings.filterwarnings("ignore", r"This process .* is multi-threaded", DeprecationWarning)
            self.process.start()
        child.close()
        self.jobs: deque[Job] = deque()
        self.started = 0.0  # when the running job started
        self.announced = False  # on_start was called for the running job
        self.ready = False
        self.said_bye = False  # it exited on its own, having started none of its queued jobs
        self.terminated = False
        self.gone = False  # its end of the pipe is closed: it died, and wait() will find out
        self.retiring = False  # it is sent no more jobs, and exits once it has none
        self.exited = False

    def assign(self, jobs: list[tuple[Job, int | dict[str, Any], bool]], options: RunOptions) -> bool:
        """Send *jobs* in one message, each as (job, ref, quick): *ref* is its id for a forked worker, else
        its description, *quick* whether its task type is known to be quick. False if the worker is gone."""
        message = [
            (ref, job.recompute, options.record, options.reason, _task_file(job), quick)
            for job, ref, quick in jobs
        ]
        try:
            self.conn.send(message)
        except OSError:
            self.gone = True
            return False
        self.jobs.extend(job for job, _, _ in jobs)
        return True

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
    """Worker processes, each running one job at a time with the next ones queued, replaced if they die.

    A *lazy* pool (of forked workers) starts with one worker (or none, when
    the project's history says the ready jobs are few and quick: see
    :mod:`smttask.execution.history`) and adds one whenever the jobs ready to
    start are worth a worker's start-up (see :meth:`grow`), so a batch of quick tasks is not slowed by starting workers
    that would mostly compete for the CPU with the one already running; a
    worker added for quick jobs is kept only if the batch goes faster with it,
    and the first one only if it has a CPU of its own
    (see :mod:`smttask.execution.growth`). The parent process takes a slot
    too, for quick jobs only (see :meth:`take_here`): it runs those the
    workers' queues have no room for, between reading their messages.
    """

    #: Seconds a new worker costs at least: its start, its first job's extra work, the parent's share.
    min_startup: ClassVar[float] = 0.02
    #: Seconds of quick jobs a lazy pool's worker holds: enough to outlast the parent's turn at running
    #: quick jobs itself (:attr:`QueueDepth.quick_seconds`) after the worker held its outcomes for up to
    #: 10 ms (see :mod:`smttask.execution.worker`), few enough to leave the parent some.
    shared_queue_seconds: ClassVar[float] = 0.025

    def __init__(
        self,
        method: str,
        setup: WorkerSetup,
        size: int,
        on_start: Callable[[Job], None],
        *,
        lazy: bool,
        history: DurationHistory,
        stored: Callable[[Job], tuple[str, ...] | None] = lambda job: None,
    ) -> None:
        self.method = method
        self.setup = setup
        self.size = size
        self.lazy = lazy
        self.startup = 0.0  # measured: from starting the first worker to its being ready
        self.on_start = on_start
        self.workers: list[_Worker] = []
        self.stopping = False
        self._stop_time = 0.0
        self._idle_deaths: list[int | None] = []
        self._warnings: set[str] = set()
        #: Job durations by task type, from earlier batches and this one.
        self.depths = history.depths
        self.trial = GrowthTrial()
        self._on_trial: _Worker | None = None
        #: The first worker started for quick jobs, on trial for a core of its own (see :class:`CoreTrial`).
        self._core_trial: tuple[_Worker, CoreTrial] | None = None
        self._deadly = history.ended_a_worker  # task types a job of which ended its worker: never run here
        #: The files of a job's result stored during this batch, or None (see :meth:`_held_by_the_dead`).
        self.stored = stored
        #: Whether this pool froze the garbage collector's objects before forking its first worker: only if
        #: nothing was frozen yet. A process that froze its libraries' objects (``smttask run`` does) keeps
        #: that freeze: unfreezing it would make every later collection, and the last one at exit, walk them
        #: all again (20 ms at the exit of a 12-file batch).
        self._froze = False

    def _context(self) -> BaseContext:
        """The ``multiprocessing`` context of :attr:`method`, imported only once a worker starts (a batch the
        parent runs alone does without its 5 ms of imports)."""
        import multiprocessing

        return multiprocessing.get_context(self.method)

    def start(self, schedule: Schedule) -> None:
        """Start the workers: all of them, or for a lazy pool one, or none if the parent can run the
        ready jobs sooner than a worker would start (they are known to be quick and few)."""
        if not self.lazy:
            self.workers = [self._new_worker(slot) for slot in range(self.size)]
        elif not self._parent_suffices(schedule):
            self.workers = [self._new_worker(0)]
            job = schedule.peek()
            if job is not None and self._parent_may_run(job):
                self._try_for_a_core(self.workers[0])

    def _parent_suffices(self, schedule: Schedule) -> bool:
        """Whether the parent alone would run the ready jobs in less than a worker's start-up, judged by
        the next one's task type: known to be quick, and never having ended a worker."""
        job = schedule.peek()
        if job is None or not self._parent_may_run(job):
            return False
        typical = self.depths.typical(job.task.identity) or 0.0
        return typical * schedule.ready_count < self._startup_cost()

    def _parent_may_run(self, job: Job) -> bool:
        """Whether *job*'s task type is known to be quick and never ended a worker (see :meth:`take_here`)."""
        kind = job.task.identity
        return kind not in self._deadly and self.depths.is_quick(kind)

    def grow(self, schedule: Schedule) -> None:
        """Start one more worker, if the pool is lazy and not full, and the jobs ready to start are worth it:
        none runs and the parent would not run them all sooner alone (see :meth:`start`); or a running job
        has taken longer than a worker takes to start (and the next ready job is not known to be quick: the
        parent runs those); or the ready jobs' typical duration (of the next one's task type), shared among
        the workers and the parent, adds up to longer than that. A worker added for the last reason is on
        trial, and retired if the batch did not go faster with it."""
        now = time.perf_counter()
        verdict = self.trial.verdict(now, self._active())
        if verdict is False and self._on_trial is not None:
            self._retire(self._on_trial)
        if verdict is not None:
            self._on_trial = None
        self._judge_core_trial(now)
        if not self._can_grow() or self.stopping:
            return
        waiting = schedule.peek()
        if waiting is None:
            return
        cost = self._startup_cost()
        quick = self._parent_may_run(waiting)
        if not self._active():
            if quick and self.trial.ceiling == 0:
                return  # a worker was not worth it for quick jobs: the parent runs them alone
            if not (quick and self._parent_suffices(schedule)):
                worker = self._add()  # the first worker: there is no rate to compare it with
                if quick:
                    self._try_for_a_core(worker)
                return
        if self._longest_running() > cost and not quick:  # quick jobs have the parent meanwhile
            self._add()
            return
        typical = self.depths.typical(waiting.task.identity)
        if typical is None or quick and self._active() + 1 >= self.size:
            return  # the parent runs quick jobs too: it holds a slot of its own
        backlog = typical * schedule.ready_count / (self._active() + quick)
        ceiling = self.trial.ceiling
        if backlog > cost and self.trial.may_start(now) and (ceiling is None or self._active() < ceiling):
            self._on_trial = self._add()
            self.trial.start(now)

    def _try_for_a_core(self, worker: _Worker) -> None:
        """Put *worker*, the first one, started for quick jobs the parent runs too, on trial for a core."""
        self._core_trial = (worker, CoreTrial(worker.process.pid))

    def _judge_core_trial(self, now: float) -> None:
        """Retire the worker on trial for a core if it had none of its own: the parent runs the quick jobs alone."""
        if self._core_trial is None:
            return
        worker, trial = self._core_trial
        verdict = trial.verdict(now)
        if verdict is False and not worker.exited:
            self._retire(worker)
            self.trial.ceiling = 0
        if not trial.running:
            self._core_trial = None

    def take_here(self, schedule: Schedule) -> Job | None:
        """The next ready job, taken for the parent to run, if the pool is lazy and its task type is known
        to be quick (see :meth:`QueueDepth.is_quick`) and never ended a worker; else None.

        Quick jobs only: the parent reads the workers' messages and starts
        workers between the jobs it runs, so it must be back within
        milliseconds; and a job that crashes its process takes down the
        whole batch when it runs in the parent, so a task type must first
        have finished jobs in a worker without ending it.
        """
        if not self.lazy:
            return None
        job = schedule.peek()
        if job is None or not self._parent_may_run(job):
            return None
        return schedule.next_ready()

    def ran_here(self, job: Job, outcome: TaskOutcome) -> None:
        """The parent ran *job*: its duration counts like a worker's."""
        self.depths.record(job.task.identity, outcome.duration)
        self.trial.finished(time.perf_counter())

    def _add(self) -> _Worker:
        taken = {w.slot for w in self.workers if not w.exited}
        worker = self._new_worker(min(set(range(self.size)) - taken))
        self.workers.append(worker)
        return worker

    def _new_worker(self, slot: int) -> _Worker:
        if self.method == "fork" and not self._froze and not gc.get_freeze_count():
            gc.freeze()  # what exists now is not scanned by the workers' collector, so stays shared, not copied
            self._froze = True
        return _Worker(self._context(), slot, self.setup)

    def _retire(self, worker: _Worker) -> None:
        """Send *worker* no more jobs; it exits once it has none."""
        worker.retiring = True
        if not worker.jobs:
            worker.close()

    def _active(self) -> int:
        """Workers that are alive and not retiring."""
        return sum(1 for w in self.workers if not w.exited and not w.retiring)

    def wait_time(self, schedule: Schedule) -> float:
        """Seconds to wait for workers' messages: a tenth, or less while a lazy pool may need to grow
        as soon as a running job outlasts a worker's start-up."""
        if not self._can_grow() or not schedule.ready_count:
            return 0.1
        return min(0.1, max(0.001, self._startup_cost() - self._longest_running()))

    def _can_grow(self) -> bool:
        return self.lazy and sum(1 for w in self.workers if not w.exited) < self.size

    def _startup_cost(self) -> float:
        return max(self.startup, self.min_startup)

    def _depth_for(self, job: Job) -> int:
        """How many jobs of *job*'s task type a worker may hold; while the pool may still grow, one of a type
        not measured yet, so that a slow job never waits behind another for a worker about to start."""
        kind = job.task.identity
        if self._can_grow() and self.depths.typical(kind) is None:
            return 1
        return self.depths.depth_for(kind, self.shared_queue_seconds if self.lazy else None)

    def _longest_running(self) -> float:
        """Seconds the longest-running job of a ready worker has run (0 if none runs)."""
        now = time.perf_counter()
        return max((now - w.started for w in self.workers if w.jobs and w.ready and not w.exited), default=0.0)

    def dispatch(self, schedule: Schedule, descs: dict[int, dict[str, Any]], options: RunOptions) -> None:
        """Send ready jobs to workers, one message per worker: dealt a round at a time (one to each idle
        worker, then one more behind each), as deep as the next job's task type may be queued (see
        :mod:`smttask.execution.queueing`)."""
        dealt: dict[int, list[Job]] = {}
        self._deal(schedule, dealt)
        for index, jobs in dealt.items():
            worker = self.workers[index]
            idle = not worker.jobs
            sent = [(job, descs.get(job.id, job.id), self.depths.is_quick(job.task.identity)) for job in jobs]
            if not worker.assign(sent, options):  # forked workers have no descs: they are sent job ids
                for job in jobs:
                    schedule.retry(job)
            elif idle:
                self._announce(worker)

    def _deal(self, schedule: Schedule, dealt: dict[int, list[Job]]) -> None:
        for load in range(QueueDepth.max_depth):
            for index, worker in enumerate(self.workers):
                if worker.exited or worker.gone or worker.retiring or len(worker.jobs) + len(dealt.get(index, ())) != load:
                    continue
                job = schedule.next_ready()
                if job is None:
                    return
                if load >= self._depth_for(job):
                    schedule.retry(job)
                    return
                dealt.setdefault(index, []).append(job)

    def _announce(self, worker: _Worker) -> None:
        """Tell that *worker*'s first job starts now."""
        worker.started = time.perf_counter()
        worker.announced = True
        self.on_start(worker.jobs[0])

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
        self.workers = [w for w in self.workers if not (w.exited and w.retiring)]
        for i, worker in enumerate(self.workers):
            if worker.exited:
                self.workers[i] = self._new_worker(worker.slot)

    def wait(self, timeout: float) -> Iterator[tuple[Job, TaskOutcome | None]]:
        """Wait up to *timeout* s for messages; yield the jobs that finished (or whose worker died).

        A job that never started (its worker died before it was ready, or
        while it was queued) comes with outcome None: run it elsewhere.
        """
        live = [w for w in self.workers if not w.exited]
        if not live:
            return
        from multiprocessing.connection import wait

        handles: list[Any] = [w.conn for w in live] + [w.process.sentinel for w in live]
        ready = wait(handles, timeout)
        for worker in live:
            if worker.conn in ready or worker.process.sentinel in ready:
                yield from self._read(worker)

    def _read(self, worker: _Worker) -> Iterator[tuple[Job, TaskOutcome | None]]:
        """Take in what *worker* sent and, if it has exited, what that means for the jobs it still held."""
        yield from self._messages(worker)
        if worker.process.is_alive():
            return
        yield from self._messages(worker)  # what it sent between the last read and its exit (its "bye")
        worker.process.join()
        worker.exited = True
        worker.conn.close()
        if not worker.ready and not worker.terminated and not self.stopping:
            self._idle_deaths.append(worker.process.exitcode)
        elif not worker.said_bye:
            yield from self._held_by_the_dead(worker)
            if worker.jobs:
                yield self._running_when_it_died(worker)
        while worker.jobs:  # queued behind, never started
            yield worker.jobs.popleft(), None

    def _messages(self, worker: _Worker) -> Iterator[tuple[Job, TaskOutcome]]:
        """Read what *worker* has sent so far; yield the jobs it finished."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "ready":
                    worker.ready = True
                    now = time.perf_counter()
                    if not self.startup:
                        self.startup = now - worker.created
                    if worker is self._on_trial:
                        self.trial.worker_ready(now)
                    if self._core_trial is not None and worker is self._core_trial[0]:
                        self._core_trial[1].worker_ready(now)
                    if worker.jobs:  # its first job starts now, not when it was sent
                        worker.started = now
                elif message[0] == "bye":
                    worker.said_bye = True
                elif message[0] == "out":
                    self._write_output(message[1], message[2])
                elif message[0] == "done":
                    for outcome in message[1][: len(worker.jobs)]:
                        job = worker.jobs.popleft()
                        if not worker.announced:  # it started and finished since the last message
                            self.on_start(job)
                        worker.announced = False
                        self.depths.record(job.task.identity, outcome.duration)
                        self.trial.finished(time.perf_counter())
                        yield job, outcome
                    if worker.jobs and not self.stopping:
                        self._announce(worker)
                    elif worker.retiring and not worker.jobs:
                        worker.close()
        except (EOFError, OSError):
            pass

    def _held_by_the_dead(self, worker: _Worker) -> Iterator[tuple[Job, TaskOutcome]]:
        """The jobs at the front of a dead worker's queue that it finished, with their outcomes.

        A worker holds the outcomes of quick jobs while the next is quick too
        (see :mod:`smttask.execution.worker`); killed meanwhile, it never sent
        them. A job whose result is stored now was finished: it is computed
        (its duration is lost), and the first job without a result is the one
        that was running.
        """
        while worker.jobs and (outputs := self.stored(worker.jobs[0])) is not None:
            job = worker.jobs.popleft()
            yield job, TaskOutcome(job.task.taskname, job.key, "computed", 0.0, outputs=outputs)

    def _running_when_it_died(self, worker: _Worker) -> tuple[Job, TaskOutcome]:
        """The job a dead worker was running: interrupted if it was stopped, else failed."""
        job = worker.jobs.popleft()
        duration = time.perf_counter() - worker.started
        if worker.terminated:
            return job, TaskOutcome(job.task.taskname, job.key, "interrupted", duration, "interrupted")
        self._deadly.add(job.task.identity)
        return job, TaskOutcome(
            job.task.taskname, job.key, "failed", duration, _death_message(worker.process.exitcode)
        )

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
        if self._froze:
            gc.unfreeze()  # the batch's tasks and the modules it imported are garbage collected again
            self._froze = False


def _task_file(job: Job) -> str | None:
    """The task file *job*'s task was read from, if any (recorded as the run's input data)."""
    return str(job.task.task_file) if job.task.task_file else None


def _death_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if name == "SIGKILL" else ""
        return f"the worker process running it was killed by {name}{hint}"
    return f"the worker process running it exited unexpectedly (exit code {exitcode})"


#: A warning as Python prints it (``file.py:12: SomeWarning: ...``) or as ``smttask`` does (``warning: SomeWarning: ...``).
_WARNING = re.compile(r"^(\S.*:\d+: |warning: )\w*Warning: ")


def _write_output(stream: str, text: str) -> None:
    target = sys.stderr if stream == "stderr" else sys.stdout
    target.write(text)
    target.flush()


def _fork_safe() -> bool:
    """Whether this process runs no thread but the main one and the claim heartbeat's (see
    :func:`~smttask.storage.claim.is_heartbeat_thread`)."""
    main = threading.main_thread()
    return all(t is main or is_heartbeat_thread(t) for t in threading.enumerate())


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
