"""Recorders write a lab-book entry around each run of a recorded task."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import NotRecordingWarning
from .userwarnings import warn_user

if TYPE_CHECKING:
    from .project import Project
    from .storage import StoredResult
    from .task import Task


@dataclass
class RunInfo:
    """What a recorder learns about one run.

    The engine creates it before the run and, inside the recorder's context,
    fills :attr:`values` (once the outputs are validated), :attr:`outcome` and
    :attr:`stored` (once they are saved). Every field after :attr:`inputs` has
    a default, so engines and tests that fill fewer of them keep working.
    """

    #: The task being computed.
    task: Task
    #: Free-text reason for this run (the run's, else the task's).
    reason: str | None
    #: The values passed to the task's function (upstream tasks replaced by their results).
    inputs: dict[str, Any]
    #: When the run started (UTC).
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Where the outputs were stored, with each file's hash (None if not stored).
    stored: StoredResult | None = None
    #: ``"finished"`` once the task returned valid outputs.
    outcome: Any = None
    #: The validated output values by output name. A recorder reads an output named
    #: ``outcome`` (a string or a list of strings) from it as the run's own outcome text.
    values: dict[str, Any] | None = None
    #: The task file this run was started from (``smttask run FILE``), if any.
    task_file: Path | None = None
    #: Data files the task reads besides its upstream tasks' stored outputs.
    input_files: list[Path] = field(default_factory=list)
    #: The label of the record being written, set by the recorder when it opens it; the stored
    #: result's manifest names it.
    record_label: str | None = None


class Recorder:
    """Base class of recorders; plugins return subclasses from ``smttask_recorders``."""

    #: The name the project configuration uses to choose this recorder.
    name: ClassVar[str]
    #: Whether :meth:`record` writes a record. Only then does storing a result hold back Ctrl-C and
    #: SIGTERM until the record is closed (see :func:`signals_deferred`): a result alone is stored atomically.
    writes_records: ClassVar[bool] = True

    def __init__(self, project: Project) -> None:
        self.project = project

    @classmethod
    def is_available(cls, project: Project) -> bool:
        """Whether this recorder can record in *project* (used by ``recorder = "auto"``)."""
        return True

    @contextmanager
    def record(self, run: RunInfo) -> Iterator[RunInfo]:
        """Open a record, let the task run (``yield``), then close the record.

        An exception raised by the task passes through this context: record
        it as a crash and let it propagate.
        """
        yield run


class NullRecorder(Recorder):
    """Records nothing, and says so once per project."""

    name = "none"
    writes_records = False

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self._warned = False

    @contextmanager
    def record(self, run: RunInfo) -> Iterator[RunInfo]:
        if not self._warned and self.project.config.recorder != "none":
            self._warned = True
            warn_user(
                f"'{run.task.taskname}' is a recorded task, but no recorder is installed or "
                f"available here, so nothing is written to a lab book. Results are still stored "
                f"under {self.project.data_dir}. Install smttask-sumatra and run "
                "`smttask project init` to record runs, or set recorder = \"none\" to silence this.",
                NotRecordingWarning,
            )
        yield run


#: The signals that stop a run (Ctrl-C, and a job being cancelled).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_deferring = threading.local()


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM inside the block, then deliver them to their handlers.

    Used around the steps that end a recorded run (storing the result, closing
    its record), so a Ctrl-C or SIGTERM cannot leave a stored result with a
    record that never finished: the signal takes effect right after the block.
    Only the main thread receives signals, so elsewhere this does nothing, as
    it does nested inside another such block.
    """
    if threading.current_thread() is not threading.main_thread() or getattr(_deferring, "active", False):
        yield
        return
    caught: list[tuple[int, FrameType | None]] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append((signum, frame))

    # A handler installed outside Python (getsignal() gives None) cannot be put back: leave it.
    previous = {
        signum: signal.signal(signum, hold)
        for signum in STOP_SIGNALS
        if signal.getsignal(signum) is not None
    }
    _deferring.active = True
    try:
        yield
    finally:
        _deferring.active = False
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _deliver(caught, previous)


def _deliver(caught: list[tuple[int, FrameType | None]], handlers: dict[int, Any]) -> None:
    """Call each held signal's own handler, in arrival order (the first to raise ends the delivery)."""
    for signum, frame in caught:
        handler = handlers[signum]
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            signal.raise_signal(signum)
