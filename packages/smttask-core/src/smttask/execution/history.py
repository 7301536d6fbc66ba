"""How long each task type's jobs took in earlier batches of a project, kept in ``.smttask/durations.json``.

The process executor decides from job durations how deep to queue a worker,
when a job may run in the parent, and when one more worker is worth its
start-up (see :mod:`smttask.execution.queueing` and
:mod:`smttask.execution.processes`). Learned afresh by every ``smttask run``,
those durations were unknown at the start of each batch, so even a batch of
twelve jobs that take a millisecond each started a worker first. Kept between
batches, a re-run of familiar task types is planned right from its first job.

The file is a hint, never an input: it is read with :func:`json.loads` only, and
one that is missing, unreadable, too large or malformed counts as no history.
It is written atomically, and only when a task type is new or its typical
duration moved (so a cluster of one-job runs does not rewrite it each time);
a project it cannot be written to keeps no history, silently.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..errors import SmttaskError
from ..files import STATE_DIR, make_state_dir, write_atomic
from .queueing import QueueDepth

if TYPE_CHECKING:
    from ..project import Project

#: Where a project keeps its task types' durations, relative to its root.
HISTORY_FILE = Path(STATE_DIR) / "durations.json"


class DurationHistory:
    """The durations of a project's task types, as read at the start of a batch and learned during it."""

    #: A file larger than this (bytes) is not read: no history.
    max_bytes: ClassVar[int] = 1 << 20
    #: How far (a ratio) a task type's typical duration may move before the file is written again.
    tolerance: ClassVar[float] = 1.25

    def __init__(
        self, root: Path, depths: QueueDepth | None = None, ended_a_worker: set[str] | None = None
    ) -> None:
        #: The project's root directory, and the file under it.
        self.root = Path(root)
        self.path = self.root / HISTORY_FILE
        #: The durations, seeded from the file; executors record into it.
        self.depths = depths if depths is not None else QueueDepth()
        #: Task types a job of which ended its worker process: never run in the parent.
        self.ended_a_worker = ended_a_worker if ended_a_worker is not None else set()
        self._typical_read = {name: self.depths.typical(name) for name in self.depths.tasknames()}
        self._ended_read = set(self.ended_a_worker)

    @classmethod
    def of(cls, project: Project) -> DurationHistory:
        """The history kept in *project* (empty if it has none, or none that can be read)."""
        path = Path(project.root) / HISTORY_FILE
        depths = QueueDepth()
        ended: set[str] = set()
        try:
            if path.stat().st_size <= cls.max_bytes:
                found = json.loads(path.read_bytes())
                if isinstance(found, dict):
                    _seed(depths, ended, found)
        except (OSError, ValueError, RecursionError):  # RecursionError: nested too deep for json
            pass
        return cls(project.root, depths, ended)

    def changed(self) -> bool:
        """Whether a task type is new, ended a worker, or its typical duration moved past :attr:`tolerance`."""
        if self.ended_a_worker != self._ended_read:
            return True
        for name in self.depths.tasknames():
            now, before = self.depths.typical(name), self._typical_read.get(name)
            if now is None:
                continue
            if before is None or not _close(now, before, self.tolerance):
                return True
        return False

    def save(self) -> None:
        """Write the history back if it :meth:`changed`; a project it cannot be written to keeps none."""
        if not self.changed():
            return
        entries: dict[str, dict[str, object]] = {}
        for name in self.depths.tasknames():
            entry: dict[str, object] = {"durations": self.depths.durations(name)}
            if name in self.ended_a_worker:
                entry["ended_a_worker"] = True
            entries[name] = entry
        data = json.dumps({"version": 1, "task_types": entries}, indent=1, sort_keys=True).encode()
        try:
            make_state_dir(self.root)
            write_atomic(self.path, data)
        except (OSError, SmttaskError):
            return
        self._typical_read = {name: self.depths.typical(name) for name in self.depths.tasknames()}
        self._ended_read = set(self.ended_a_worker)


def _seed(depths: QueueDepth, ended: set[str], found: dict[str, object]) -> None:
    """Record what the file *found* says into *depths* and *ended*, skipping anything malformed."""
    types = found.get("task_types")
    if found.get("version") != 1 or not isinstance(types, dict):
        return
    for name, entry in types.items():
        if not isinstance(name, str) or not isinstance(entry, dict):
            continue
        durations = entry.get("durations")
        if not isinstance(durations, list):
            continue
        for value in durations[-QueueDepth.recent :]:
            seconds = _seconds(value)
            if seconds is not None:
                depths.record(name, seconds)
        if entry.get("ended_a_worker") is True:
            ended.add(name)


def _seconds(value: object) -> float | None:
    """*value* as a duration in seconds, or None if it is not a finite, non-negative number."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except OverflowError:
        return None
    return seconds if 0 <= seconds < math.inf else None


def _close(a: float, b: float, ratio: float) -> bool:
    """Whether *a* and *b* differ by at most *ratio* (durations below 0.1 ms count as 0.1 ms)."""
    low, high = sorted((max(a, 1e-4), max(b, 1e-4)))
    return high <= low * ratio


__all__ = ["HISTORY_FILE", "DurationHistory"]
