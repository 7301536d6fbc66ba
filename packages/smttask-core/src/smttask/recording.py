"""Recorders write a lab-book entry around each run of a recorded task."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from .errors import NotRecordingWarning

if TYPE_CHECKING:
    from .project import Project
    from .storage import StoredResult
    from .task import Task


@dataclass
class RunInfo:
    """What a recorder learns about one run; the engine fills :attr:`stored` and :attr:`outcome`."""

    task: Task
    reason: str | None
    inputs: dict[str, Any]
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    stored: StoredResult | None = None
    outcome: Any = None


class Recorder:
    """Base class of recorders; plugins return subclasses from ``smttask_recorders``."""

    #: The name the project configuration uses to choose this recorder.
    name: ClassVar[str]

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

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self._warned = False

    @contextmanager
    def record(self, run: RunInfo) -> Iterator[RunInfo]:
        if not self._warned and self.project.config.recorder != "none":
            self._warned = True
            warnings.warn(
                f"'{run.task.taskname}' is a recorded task, but no recorder is installed or "
                f"available here, so nothing is written to a lab book. Results are still stored "
                f"under {self.project.data_dir}. Install smttask-sumatra and run "
                "`smttask project init` to record runs, or set recorder = \"none\" to silence this.",
                NotRecordingWarning,
                stacklevel=6,
            )
        yield run
