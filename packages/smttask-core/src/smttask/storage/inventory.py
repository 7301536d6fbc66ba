"""What storage holds as the garbage collector and the cleaners see it: stored results and leftover files.

Only ``smttask store gc``, ``smttask clean`` and the backends' listing methods
use these records, so a process that only loads results never defines them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Leftover:
    """A file an interrupted run left in storage, which no result needs (see :meth:`StorageBackend.clean`)."""

    path: Path
    size: int
    #: Why it can go, e.g. "temporary file of a writer that is gone".
    why: str


@dataclass(frozen=True)
class StoredEntry:
    """One stored result as ``smttask store gc`` sees it: where, how big, when last used, what it came from.

    Results are named by ``(task, key)``: *task* is the task's directory name in
    storage (its name made safe for a file system), so the collector needs no
    task object and imports no task module.
    """

    task: str
    key: str
    #: Bytes of its files (outputs and manifest).
    size: int
    #: When it was last written or loaded (seconds since the epoch; see :meth:`StorageBackend.stored_results`).
    last_used: float
    #: ``(task, key)`` of the stored results of its upstream tasks, as its manifest lists them.
    upstream: tuple[tuple[str, str], ...] = ()
    #: Where it is, for reports (a directory, a file or a URL).
    location: str = ""
    #: Whether a live process holds its claim (is computing it now).
    held: bool = False

    @property
    def ident(self) -> tuple[str, str]:
        return (self.task, self.key)
