"""What executors report: the outcome of each task, a job starting, and the options of a batch.

These value types are shared by planning, the executors and the worker
processes (outcomes travel back from workers pickled), so they live apart from
all of them; :func:`describe_error` is the one way a failed outcome's error
text is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["computed", "cached", "failed", "interrupted", "skipped"]


@dataclass(frozen=True)
class TaskOutcome:
    """What happened to one task of a batch.

    *index* is the task's position in the batch, or None for an upstream task
    the batch needed and computed as a job of its own. *outputs* are the paths
    of the stored result files. *exception* is the exception itself, for tasks
    run in this process only (``--pdb`` uses it). *waited* marks a ``"cached"``
    task whose result another process computed while this one waited for it
    (two batches sharing tasks count each computation once).
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
    waited: bool = False

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


def current_traceback() -> str:
    """The traceback of the exception being handled, as text (:func:`traceback.format_exc`).

    Its module is imported here, on the first failure, not by every process that
    runs a batch: with what it imports, it costs a start-up about 2 ms.
    """
    import traceback

    return traceback.format_exc()


def describe_error(exc: BaseException) -> str:
    """The one line an outcome reports for *exc*: a task file error's own message, else ``Type: message``."""
    from ..errors import TaskFileError

    if isinstance(exc, TaskFileError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
