"""How many jobs the process executor keeps sent to each worker, by how quick their task type has been.

Two by default: the running job and the next, so a worker never waits for
the parent between jobs. Jobs that finish in a millisecond or two would still
leave a worker idle whenever the parent, sharing the machine with its workers,
comes back late to refill its queue: then a batch with ``-n 2`` took longer
than with ``-n 1``. So a task type whose recent jobs were quick is queued
deeper, about :attr:`QueueDepth.queued_seconds` of work per worker. A type not
seen yet, or a slow one, keeps the two: long jobs are never queued behind each
other while another worker could take them.
"""

from __future__ import annotations

import statistics
from collections import deque
from typing import ClassVar


class QueueDepth:
    """The latest job durations of each task type, and the queue depth they call for."""

    #: Jobs sent to a worker at once at least.
    min_depth: ClassVar[int] = 2
    #: ... and at most.
    max_depth: ClassVar[int] = 64
    #: Seconds of work to keep queued per worker, for quick task types.
    queued_seconds: ClassVar[float] = 0.05
    #: How many of a task type's latest durations count.
    recent: ClassVar[int] = 32
    #: Jobs typically at most this long (seconds) are quick: their outcomes may be sent in batches.
    quick_seconds: ClassVar[float] = 0.005

    def __init__(self) -> None:
        self._durations: dict[str, deque[float]] = {}

    def record(self, taskname: str, seconds: float) -> None:
        """A job of *taskname* took *seconds* in its worker."""
        found = self._durations.get(taskname)
        if found is None:
            found = self._durations[taskname] = deque(maxlen=self.recent)
        found.append(seconds)

    def typical(self, taskname: str) -> float | None:
        """The median of *taskname*'s latest durations, in seconds; None before one finished."""
        durations = self._durations.get(taskname)
        return statistics.median(durations) if durations else None

    def tasknames(self) -> list[str]:
        """The task types with durations recorded."""
        return list(self._durations)

    def durations(self, taskname: str) -> list[float]:
        """*taskname*'s latest durations (at most :attr:`recent`), oldest first."""
        return list(self._durations.get(taskname, ()))

    def is_quick(self, taskname: str) -> bool:
        """Whether *taskname*'s jobs are known to be quick (see :attr:`quick_seconds`)."""
        typical = self.typical(taskname)
        return typical is not None and typical <= self.quick_seconds

    def depth_for(self, taskname: str, queued_seconds: float | None = None) -> int:
        """How many jobs of *taskname* a worker may hold, the running one included: about *queued_seconds*
        of work (default :attr:`queued_seconds`)."""
        typical = self.typical(taskname)
        if typical is None:
            return self.min_depth
        seconds = self.queued_seconds if queued_seconds is None else queued_seconds
        return max(self.min_depth, min(self.max_depth, int(seconds / max(typical, 1e-4))))
