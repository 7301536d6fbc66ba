"""The ``dask`` executor: a batch's planned jobs become Dask tasks on a ``distributed`` cluster.

The batch is planned by :func:`smttask.execution.plan_batch`, as for every
executor (cached tasks are reported without running; a stored upstream task
several tasks need is one job; memory-only upstream tasks are computed inside
the job that needs them). Each job becomes one Dask task whose Dask
dependencies are the jobs it needs, so Dask's scheduler orders and places the
work; the client only waits for outcomes. Claims in the shared data directory
still guarantee one computation per key, whoever else runs the same task.

Where the cluster comes from: a ``distributed.Client`` passed in (a notebook's),
else the scheduler address given (``--scheduler``, or ``[dask] scheduler`` in
``smttask.toml``), else a ``LocalCluster`` of ``workers`` processes started for
the batch and closed after it.

A worker that dies fails only the task it was running, and Dask runs that task
again on another worker (up to the scheduler's ``allowed-failures``, 3 by
default), except unpure tasks: they are computed on every run because they
depend on more than their inputs, so a second attempt would be a different run
(they fail, saying so). Rerunning any other task is safe: its result is keyed
by its inputs and written atomically under a claim the dead process no longer
holds, and a recorded task writes its record only when its run ends.

Ctrl-C (or :meth:`~smttask.execution.Executor.stop`) cancels the jobs not yet
started and interrupts the running ones on their workers (``KeyboardInterrupt``
in the task's thread, as the built-in workers do), so their cleanup runs:
claims are released and nothing half-written remains. Local-cluster workers
ignore the terminal's Ctrl-C themselves; the executor coordinates the stop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from smttask.execution import (
    SKIPPED,
    Executor,
    Job,
    RunOptions,
    TaskOutcome,
    TaskStarted,
    pack_main_classes,
)
from smttask.files import make_state_dir
from smttask.storedarrays import StoredArrays
from smttask.taskfile import describe

from .errors import DaskSettingsError, SchedulerUnreachableError
from .settings import CLI_SCHEDULER, DaskSettings, check_address
from .worker import STARTED_TOPIC, JobSpec, WorkerSetup, interrupt_batch, provide, run_job

if TYPE_CHECKING:
    from distributed import Client, Future

    from smttask import Project, Task
    from smttask.execution import BatchPlan


class DaskExecutor(Executor):
    """Runs tasks on a Dask cluster: an existing *client*, a *scheduler* address, or a local cluster.

    With neither *client* nor *scheduler* (nor ``--scheduler`` / ``[dask] scheduler``),
    a ``LocalCluster`` of ``workers`` processes (default: one per CPU, never more
    than there are jobs), one thread each, is started for each batch.
    """

    name = "dask"
    #: Seconds to wait for a scheduler to answer before giving up.
    connect_timeout: ClassVar[float] = 10.0
    #: Seconds interrupted tasks get to clean up (release claims, remove temporary files) when stopping.
    stop_grace: ClassVar[float] = 10.0

    def __init__(
        self,
        project: Project,
        *,
        workers: int | None = None,
        imports: Sequence[str] = (),
        scheduler: str | None = None,
        client: Client | None = None,
    ) -> None:
        super().__init__(project, workers=workers, imports=imports)
        if scheduler is not None and client is not None:
            raise DaskSettingsError(
                f"DaskExecutor got both scheduler={scheduler!r} and a client; give one of them "
                "(the client is already connected to its scheduler)."
            )
        #: The client batches run on, if given; else one is made for each batch.
        self.client = client
        if scheduler is not None:
            scheduler = check_address(scheduler, "DaskExecutor(scheduler=...)")
        #: Address of the scheduler to connect to; None: use :attr:`client`, or start a local cluster.
        self.scheduler = scheduler or CLI_SCHEDULER.get() or DaskSettings.of(project).scheduler or None

    def run_jobs(
        self, plan: BatchPlan, options: RunOptions, on_start: Callable[[TaskStarted], None] | None
    ) -> Iterator[tuple[Job, TaskOutcome]]:
        if not plan.jobs:
            return
        batch = uuid.uuid4().hex
        markers = Path(make_state_dir(self.project.root)) / "dask" / batch
        with self.project.activate():
            # A local cluster's workers read this project's files: large arrays go by reference, written once,
            # not as a copy in every description. Another machine may not see them, so gets them inline.
            arrays = StoredArrays.of(self.project) if self.client is None and self.scheduler is None else None
            specs = {job.id: _spec(job, options, markers, arrays) for job in plan.jobs}
        setup = WorkerSetup(
            str(self.project.root), self.project.config, tuple(os.path.abspath(p) for p in sys.path), self.imports,
            pack_main_classes(job.task for job in plan.jobs), batch,
        )
        try:
            with self._connect(len(plan.jobs)) as client:
                yield from self._run_on(client, plan, specs, setup, on_start)
        finally:
            shutil.rmtree(markers, ignore_errors=True)

    @contextlib.contextmanager
    def _connect(self, jobs: int) -> Iterator[Client]:
        """The client to run on: the one given, one connected to :attr:`scheduler`, or a new local cluster's."""
        if self.client is not None:
            yield self.client
            return
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            try:
                client = Client(self.scheduler, timeout=self.connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise SchedulerUnreachableError(
                    f"cannot reach the Dask scheduler at {self.scheduler} ({exc}); start one with "
                    "`dask scheduler` and give the address it prints (--scheduler, or [dask] scheduler in "
                    "smttask.toml), or leave both out to run on a local cluster."
                ) from None
            with contextlib.closing(client):
                yield client
            return
        size = min(self.workers or os.cpu_count() or 1, jobs)
        try:
            with _sigint_ignored():  # workers inherit it: Ctrl-C stops the batch here, not them mid-task
                cluster = LocalCluster(  # no dashboard; its HTTP server on a free port, not 8787 (maybe taken)
                    n_workers=size, threads_per_worker=1, processes=True, dashboard_address=":0",
                    scheduler_kwargs={"dashboard": False}, silence_logs=logging.ERROR,
                )
        except Exception as exc:
            raise SchedulerUnreachableError(
                f"cannot start a local Dask cluster of {size} worker(s): {type(exc).__name__}: {exc}"
            ) from exc
        with contextlib.closing(cluster), Client(cluster, set_as_default=False) as client:
            yield client

    def _run_on(
        self,
        client: Client,
        plan: BatchPlan,
        specs: dict[int, JobSpec],
        setup: WorkerSetup,
        on_start: Callable[[TaskStarted], None] | None,
    ) -> Iterator[tuple[Job, TaskOutcome]]:
        """Submit every job at once (each with its upstream jobs as Dask dependencies), then report outcomes."""
        jobs = {job.id: job for job in plan.jobs}
        events: queue.Queue[tuple[str, int]] = queue.Queue()

        def started(event: tuple[float, Any]) -> None:
            batch, job_id = event[1]
            if batch == setup.batch:
                events.put(("started", job_id))

        client.subscribe_topic(STARTED_TOPIC, started)
        futures: dict[int, Future] = {}
        by_key: dict[str, Job] = {}
        unfinished = set(jobs)
        running: set[int] = set()
        try:
            shared = client.submit(provide, setup, key=f"smttask-setup-{setup.batch}")
            for job in plan.jobs:  # planned in dependency order: a job's deps are submitted before it
                key = f"{job.task.taskname}-{job.key[:16]}-{setup.batch}"
                by_key[key] = job
                future = client.submit(
                    run_job, shared, specs[job.id], *(futures[dep] for dep in sorted(job.deps)), key=key
                )
                future.add_done_callback(lambda _, job_id=job.id: events.put(("done", job_id)))
                futures[job.id] = future
            deadline: float | None = None
            while unfinished:
                if self.stopping and deadline is None:  # cancel what waits, interrupt what runs
                    deadline = time.monotonic() + self.stop_grace
                    client.cancel([futures[job_id] for job_id in unfinished - running])
                    with contextlib.suppress(Exception):  # a worker gone meanwhile has nothing to stop
                        client.run(interrupt_batch, setup.batch)
                if deadline is not None and (
                    self._hard_stop or time.monotonic() > deadline or not unfinished & running
                ):
                    break
                if self.on_tick is not None:
                    self.on_tick()
                for kind, job_id in _drain(events, timeout=0.1):
                    if job_id not in unfinished:
                        continue
                    job = jobs[job_id]
                    if kind == "started":
                        if job_id not in running and on_start is not None:
                            on_start(TaskStarted(job.task.taskname, job.key, tuple(job.indices)))
                        running.add(job_id)
                        continue
                    if futures[job_id].cancelled() and self.stopping and job_id not in running:
                        continue  # never started: skipped below
                    unfinished.discard(job_id)
                    outcome = _outcome(job, futures[job_id], by_key, stopping=self.stopping)
                    futures[job_id].release()  # the cluster forgets it once no dependent needs it
                    yield job, outcome
            for job_id in sorted(unfinished):  # stopped: what never started is skipped
                job = jobs[job_id]
                if job_id in running:
                    yield job, TaskOutcome(job.task.taskname, job.key, "interrupted", 0.0, "interrupted")
                else:
                    yield job, TaskOutcome(job.task.taskname, job.key, "skipped", 0.0, SKIPPED)
        finally:
            left = [futures[job_id] for job_id in unfinished if job_id in futures]
            if left:
                client.cancel(left)
            client.unsubscribe_topic(STARTED_TOPIC)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes start, so they ignore it too (a terminal's Ctrl-C reaches the
    whole process group; the executor coordinates the stop)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _spec(job: Job, options: RunOptions, markers: Path, arrays: StoredArrays | None = None) -> JobSpec:
    """What a worker needs to run *job* (call with the project activated: a task's description needs it);
    with *arrays*, large array inputs are stored there and referenced."""
    task_file = str(job.task.task_file) if job.task.task_file else None
    desc = describe(job.task, arrays) if arrays is not None else job.task.desc
    return JobSpec(
        job.id, job.task.taskname, job.key, desc, job.recompute, options.record, options.reason,
        task_file, str(markers / f"{job.id}.started") if job.task.unpure else None,
    )


def _drain(events: queue.Queue[tuple[str, int]], timeout: float) -> list[tuple[str, int]]:
    """The events waiting (at most *timeout* s for the first): starts first, then completions in plan order."""
    try:
        found = [events.get(timeout=timeout)]
    except queue.Empty:
        return []
    with contextlib.suppress(queue.Empty):
        while True:
            found.append(events.get_nowait())
    return sorted(found, key=lambda event: (event[0] != "started", event[1]))


def _outcome(job: Job, future: Future, by_key: dict[str, Job], *, stopping: bool) -> TaskOutcome:
    """The outcome of *job* from its finished future: the one its worker returned, or why there is none."""
    from distributed.scheduler import KilledWorker

    if future.status == "finished":
        return future.result()
    if future.cancelled():
        if stopping:
            return TaskOutcome(job.task.taskname, job.key, "interrupted", 0.0, "interrupted")
        return TaskOutcome(
            job.task.taskname, job.key, "failed", 0.0,
            "cancelled on the Dask cluster (by another client, or the scheduler lost it)",
        )
    exc = future.exception()
    if isinstance(exc, KilledWorker):
        culprit = by_key.get(str(exc.task))
        last = getattr(exc.last_worker, "address", exc.last_worker)
        deaths = f"{exc.allowed_failures + 1} Dask worker(s) died running it (the last: {last})"
        if culprit is not None and culprit is not job:
            error = (
                f"upstream task {culprit.task.taskname} (key {culprit.key[:12]}…) failed: {deaths}; "
                "out of memory?"
            )
        else:
            error = f"{deaths}; out of memory? Give workers more memory (dask worker --memory-limit)."
        return TaskOutcome(job.task.taskname, job.key, "failed", 0.0, error)
    return TaskOutcome(job.task.taskname, job.key, "failed", 0.0, f"{type(exc).__name__}: {exc}")


def run_tasks(
    tasks: Sequence[Task],
    *,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    project: Project | None = None,
    recompute: bool = False,
    record: bool | None = None,
    reason: str | None = None,
) -> list[TaskOutcome]:
    """Run *tasks* on a Dask cluster and return their outcomes, in completion order.

    The notebook one-liner: ``smttask_dask.run_tasks(tasks, client=client)``
    with an existing ``distributed.Client``. *project* defaults to the current one.
    """
    from smttask.project import current_project

    executor = DaskExecutor(project or current_project(), workers=workers, scheduler=scheduler, client=client)
    return list(executor.run(tasks, recompute=recompute, record=record, reason=reason))
