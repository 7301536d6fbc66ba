"""What runs on a Dask worker: open the project once per process, then run one job per Dask task.

Workers receive task descriptions (never pickled task objects), exactly as the
built-in worker processes do, and rebuild each task in the same project, so a
task's key, storage and Sumatra record are the same whichever engine ran it.
This module is imported by name on every worker (``smttask-dask`` must be
installed there), so it holds only what a worker needs.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from smttask.execution import TaskOutcome, install_main_classes, run_one

from .errors import WorkerSetupError

if TYPE_CHECKING:
    from smttask import Project
    from smttask.config import Config

#: Topic of the Dask events a worker logs as it starts a job (the executor shows them as progress).
STARTED_TOPIC = "smttask-started"


@dataclass(frozen=True)
class WorkerSetup:
    """Everything a worker needs before running a batch's jobs (sent once per batch, scattered)."""

    root: str
    config: Config
    sys_path: tuple[str, ...]
    imports: tuple[str, ...]
    main_classes: bytes | None
    #: Identifies the batch in the start events.
    batch: str


@dataclass(frozen=True)
class JobSpec:
    """One planned job as sent to a worker: which task, how to run it, and which batch position it is."""

    job_id: int
    taskname: str
    key: str
    desc: dict[str, Any]
    recompute: bool
    record: bool | None
    reason: str | None
    task_file: str | None
    #: For an unpure task, a file created as it starts: finding it means a dead worker started it already.
    started_marker: str | None = None


#: Projects opened in this worker process, by what defines them; reused across batches (and their memory tier).
_projects: dict[tuple[str, str, tuple[str, ...], bytes | None], Project] = {}


def provide(setup: WorkerSetup) -> WorkerSetup:
    """Return *setup*: as a Dask task every job depends on, it reaches each worker once, and the scheduler
    recomputes it if the workers holding it die (scattered data would be lost with them)."""
    return setup


def run_job(setup: WorkerSetup, spec: JobSpec, *upstream: TaskOutcome) -> TaskOutcome:
    """Run one job on this worker and describe its outcome; never raises for a failing task.

    *upstream* are the outcomes of the jobs this one depends on (Dask passes them
    because they are its dependencies); if one did not succeed, this job fails
    with its reason without running, as with the built-in executors.
    """
    for before in upstream:
        if not before.ok:
            return TaskOutcome(
                spec.taskname, spec.key, "failed", 0.0,
                f"upstream task {before.task} (key {before.key[:12]}…) failed: {before.error}",
            )
    start = time.perf_counter()
    if spec.started_marker is not None and not _first_attempt(spec.started_marker):
        return TaskOutcome(
            spec.taskname, spec.key, "failed", 0.0,
            "the Dask worker running it died; unpure tasks are not run a second time (they depend on more "
            "than their inputs, so a retry would be a different run): run it again if that is what you want",
        )
    _announce(setup, spec)
    try:
        project = _project(setup)
        from smttask.taskfile import task_from_desc

        with project.activate():
            task = task_from_desc(spec.desc)
            if spec.task_file is not None:  # recorded as the run's input data
                task.task_file = Path(spec.task_file)
    except Exception as exc:
        return TaskOutcome(
            spec.taskname, spec.key, "failed", time.perf_counter() - start, f"{type(exc).__name__}: {exc}",
            traceback.format_exc(),
        )
    try:
        outcome = run_one(task, project, spec.recompute, record=spec.record, reason=spec.reason)
    except KeyboardInterrupt:  # sent by interrupt_batch: the task's cleanup has run
        return TaskOutcome(spec.taskname, spec.key, "interrupted", time.perf_counter() - start, "interrupted")
    return dataclasses.replace(outcome, exception=None, duration=time.perf_counter() - start)


def interrupt_batch(batch: str, dask_worker: Any = None) -> int:
    """Raise ``KeyboardInterrupt`` in this worker's threads running a job of *batch*; how many there were.

    Called on every worker (``Client.run``) when a batch stops: Dask cannot stop a
    running task, and a task killed with its worker would leave its claim behind,
    so the task is interrupted as the built-in workers interrupt theirs, and its
    cleanup code runs (claims released, temporary files removed).
    """
    import ctypes

    interrupted = 0
    with dask_worker.active_threads_lock:
        threads = list(dask_worker.active_threads.items())
    for ident, key in threads:
        if isinstance(key, str) and key.endswith(f"-{batch}"):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(KeyboardInterrupt))
            interrupted += 1
    return interrupted


def _first_attempt(marker: str) -> bool:
    """Create *marker* (in the shared project directory); False if it exists: this job was started before."""
    os.makedirs(os.path.dirname(marker), exist_ok=True)
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _announce(setup: WorkerSetup, spec: JobSpec) -> None:
    """Tell the client this job started (a Dask event); progress only, so a failure to send is ignored."""
    try:
        from distributed import get_worker

        get_worker().log_event(STARTED_TOPIC, (setup.batch, spec.job_id))
    except (ValueError, RuntimeError):  # not inside a worker (tests calling run_job directly)
        pass


def _project(setup: WorkerSetup) -> Project:
    """This worker's project for *setup*, opened (and the batch's modules imported) on first use."""
    ident = (setup.root, repr(setup.config), setup.imports, setup.main_classes)
    project = _projects.get(ident)
    if project is not None:
        return project
    from smttask import Project

    if not os.path.isdir(setup.root):
        raise WorkerSetupError(
            f"the project directory {setup.root} does not exist on this Dask worker ({_host()}); workers need "
            "the project (task code, data directory and lab book) at the same path: share it (e.g. over NFS) "
            "or start the workers where it is."
        )
    sys.path[:0] = [p for p in setup.sys_path if p not in sys.path]
    for module in setup.imports:
        try:
            importlib.import_module(module)
        except Exception as exc:
            raise WorkerSetupError(
                f"importing module '{module}' (--import) on Dask worker {_host()} raised "
                f"{type(exc).__name__}: {exc}; install it in the workers' environment."
            ) from exc
    if setup.main_classes is not None:
        install_main_classes(setup.main_classes)
    project = Project(setup.root, config=setup.config)
    _projects[ident] = project
    return project


def _host() -> str:
    import socket

    return socket.gethostname()
