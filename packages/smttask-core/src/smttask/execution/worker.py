"""What runs inside a worker process: set up, then run one job at a time.

:func:`worker_main` is the target of every worker process; it is imported by
its module path (``smttask.execution.worker``) in spawned workers, so this
module holds only what the worker needs: what it receives before its first
job (:class:`WorkerSetup`), its signal handling, and the forwarding of what
tasks print to the parent.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .mainmodule import install_main_classes
from .outcomes import TaskOutcome, current_traceback, describe_error
from .running import run_one

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ..config import Config
    from ..project import Project
    from ..task import Task


@dataclass(frozen=True)
class WorkerSetup:
    """Everything a worker needs before its first job."""

    root: str
    config: Config
    sys_path: tuple[str, ...]
    imports: tuple[str, ...]
    main_classes: bytes | None
    #: The plan's tasks by job id, for a forked worker: it has its own copy of them, so its jobs are
    #: sent as ids instead of task descriptions it would have to rebuild (spawned workers get None).
    tasks: Mapping[int, Task] | None = None
    #: The parent's project, for a forked worker: its copy has the storage open and the plugins loaded.
    project: Project | None = None


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


def worker_main(conn: Connection, slot: int, setup: WorkerSetup) -> None:
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
        from ..project import Project

        project = setup.project or Project(setup.root, config=setup.config)
        for module in setup.imports:
            setup_error = _import_setup_module(module)
            if setup_error is not None:
                break
        if setup_error is None and setup.main_classes is not None:
            install_main_classes(setup.main_classes)
    except Exception as exc:
        setup_error = f"worker setup failed: {describe_error(exc)}\n{current_traceback()}"
    send(("ready",))
    parent = multiprocessing.parent_process()
    watched = [conn] + ([parent.sentinel] if parent is not None else [])
    queued: deque[tuple[Any, ...]] = deque()  # jobs received and not run yet
    finished = _Finished(send, streams)
    while not state.stopping:
        job: Any = None
        start = time.perf_counter()
        try:
            if not queued:
                if conn not in wait(watched):
                    break  # the parent died
                message = conn.recv()
                if message is None:
                    break
                queued.extend(message)
                continue
            job = queued.popleft()
            if setup_error is not None:
                error, _, trace = setup_error.partition("\n")
                outcome = TaskOutcome(_taskname(setup, job[0]), "", "failed", 0.0, error, trace)
            else:
                outcome = _run_job(project, setup, *job[:-1])
        except (EOFError, OSError):
            break
        except KeyboardInterrupt:
            state.stopping = True
            if job is None:
                break
            outcome = TaskOutcome(
                _taskname(setup, job[0]), "", "interrupted", time.perf_counter() - start, "interrupted"
            )
        finished.add(outcome)
        if finished.may_wait(next_quick=bool(queued) and queued[0][-1]):
            continue
        state.sending = True
        try:
            finished.send()
        except (OSError, ValueError):
            break
        state.sending = False
    state.sending = True
    with contextlib.suppress(OSError, ValueError):
        finished.send()
        for stream in streams:
            stream.flush()
        send(("bye",))


class _Finished:
    """Outcomes not sent to the parent yet: sent together while quick jobs follow each other.

    Every message wakes the parent, which costs more than a job of a
    millisecond; so while the next job is of a type known to be quick (the
    parent says so), outcomes wait, at most :attr:`max_wait` seconds and
    :attr:`max_count` of them. Any other outcome is sent at once, with those
    waiting, so that dependent jobs and the progress display never wait behind
    a slow job.
    """

    max_wait: ClassVar[float] = 0.01
    max_count: ClassVar[int] = 64

    def __init__(self, send: Callable[[tuple[Any, ...]], None], streams: tuple[_ForwardedStream, ...]) -> None:
        self._send = send
        self._streams = streams
        self._outcomes: list[TaskOutcome] = []
        self._since = 0.0

    def add(self, outcome: TaskOutcome) -> None:
        if not self._outcomes:
            self._since = time.perf_counter()
        self._outcomes.append(outcome)

    def may_wait(self, *, next_quick: bool) -> bool:
        """Whether the outcomes may wait for the next job's: it is quick, and they have not waited long."""
        return (
            next_quick
            and len(self._outcomes) < self.max_count
            and time.perf_counter() - self._since < self.max_wait
        )

    def send(self) -> None:
        """Send what the jobs printed, then their outcomes in one message."""
        for stream in self._streams:
            stream.flush()
        if self._outcomes:
            outcomes, self._outcomes = self._outcomes, []
            self._send(("done", outcomes))


class _Discard(io.TextIOBase):
    """A text stream that drops what is written to it."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return len(text)


def _import_setup_module(module: str) -> str | None:
    """Import an ``imports`` module; the worker's setup error if it raised anything but ``KeyboardInterrupt``.

    ``SystemExit`` on import fails this worker's tasks (with the reason) instead
    of ending the worker. What the module prints is dropped: the parent imported
    it before starting workers, where that output was seen once, and N copies of
    it would only garble the parent's display.
    """
    try:
        with contextlib.redirect_stdout(_Discard()), contextlib.redirect_stderr(_Discard()):
            importlib.import_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        return f"worker setup failed: importing module '{module}' raised {describe_error(exc)}\n{current_traceback()}"
    return None


def _taskname(setup: WorkerSetup, ref: int | dict[str, Any]) -> str:
    """The task name of the job *ref* (a job id or a task description)."""
    if isinstance(ref, int):
        return (setup.tasks or {})[ref].taskname
    return str(ref.get("task"))


def _run_job(
    project: Project,
    setup: WorkerSetup,
    ref: int | dict[str, Any],
    recompute: bool,
    record: bool | None,
    reason: str | None,
    task_file: str | None = None,
) -> TaskOutcome:
    """Run the job *ref*: a job id names this forked worker's copy of the task, a description is rebuilt."""
    if isinstance(ref, int):  # only forked workers, which have setup.tasks, are sent ids
        outcome = run_one((setup.tasks or {})[ref], project, recompute, record=record, reason=reason)
        return dataclasses.replace(outcome, exception=None)
    return _run_desc(project, ref, recompute, record, reason, task_file)


def _run_desc(
    project: Project,
    desc: dict[str, Any],
    recompute: bool,
    record: bool | None,
    reason: str | None,
    task_file: str | None = None,
) -> TaskOutcome:
    from ..taskfile import task_from_desc

    start = time.perf_counter()
    with project.activate():
        try:
            task = task_from_desc(desc)
            if task_file is not None:  # recorded as the run's input data
                task.task_file = Path(task_file)
        except Exception as exc:
            return TaskOutcome(
                str(desc.get("task")), "", "failed", time.perf_counter() - start, describe_error(exc),
                current_traceback(),
            )
    # The outcome's duration is run_one's: the task's own run, not reading its file (which imports its module).
    return dataclasses.replace(run_one(task, project, recompute, record=record, reason=reason), exception=None)
