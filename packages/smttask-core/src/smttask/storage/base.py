"""The interface every storage backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import CorruptResultError  # defined in errors; importable here too, its old home
from ..lazyexports import lazy_exports

__all__ = ["CorruptResultError", "Leftover", "StorageBackend", "StoredEntry", "StoredOutput", "StoredResult"]

# Defined where the cleaners and the collector use them, importable here as before.
__getattr__, __dir__ = lazy_exports(__name__, {"Leftover": "smttask.storage.inventory",
                                               "StoredEntry": "smttask.storage.inventory"})

if TYPE_CHECKING:
    from ..project import Project
    from ..task import Task
    from .inventory import Leftover, StoredEntry


@dataclass(frozen=True)
class StoredOutput:
    """Where one output of a task lives, and the XXH3-128 hash of its bytes.

    A small JSON output may live inside the result's manifest (:attr:`inline`);
    then :attr:`path` is the manifest's, and the hash is that of the inline text.
    """

    name: str
    path: Path
    format: str
    size: int
    xxh3_128: str
    #: The file's modification time when it was written (None in manifests older than this field, and inline).
    mtime_ns: int | None = None
    #: The output's JSON text, when the manifest holds it instead of a file of its own.
    inline: str | None = None


@dataclass(frozen=True)
class StoredResult:
    """A task's stored outputs, as found in storage (without loading them)."""

    key: str
    outputs: dict[str, StoredOutput]
    #: The label of the lab-book record of the run that computed it, if it was recorded.
    record: str | None = None

    @property
    def files(self) -> list[Path]:
        """The files holding the outputs, each once (outputs kept in the manifest share its path)."""
        return list(dict.fromkeys(out.path for out in self.outputs.values()))


class StorageBackend(ABC):
    """Stores and loads task results by key.

    A backend never exposes a half-written result: :meth:`load` either returns
    the complete values, ``None`` (nothing stored), or raises
    :class:`CorruptResultError` (stored but unreadable, or for another key).
    """

    #: The name the project configuration uses to choose this backend.
    name: ClassVar[str]

    def __init__(self, project: Project) -> None:
        self.project = project

    @abstractmethod
    def locate(self, task: Task) -> StoredResult | None:
        """The stored outputs of *task*, or None when it has no complete result."""

    def check(self, task: Task) -> StoredResult | None:
        """Like :meth:`locate`, but also check, cheaply, that the stored files are intact.

        Raises :class:`CorruptResultError` when they are not. Executors plan a
        batch with it: a result it passes is reported cached without loading it.
        The default only locates; backends that can do better (the ``local``
        backend checks each file's size and modification time, and hashes a file
        that was modified) should. Like :meth:`load`, it applies the project's
        ``on_code_change`` to a result of changed code (warn, or with
        ``"recompute"`` return None), so a plan does not call cached what a run
        would compute.
        """
        return self.locate(task)

    def marker(self, task: Task) -> Path | None:
        """The file that exists exactly when *task* has a complete stored result, or None.

        File-based schedulers (Snakemake) wait for this file and test it to
        decide what to run. A backend that keeps results where such a scheduler
        cannot see them (a database, an object store) returns None, the default.
        """
        return None

    @abstractmethod
    def load(self, task: Task, *, mmap: bool = False) -> dict[str, Any] | None:
        """Values of *task*'s outputs by name, or None if not stored.

        With *mmap*, arrays are memory-mapped read-only instead of read into memory.
        """

    @abstractmethod
    def save(self, task: Task, values: dict[str, Any], *, record: str | None = None) -> StoredResult:
        """Store *values* (one per output name) as *task*'s result, atomically.

        *record* is the label of the lab-book record of the run that computed
        them (None when not recorded); the result names it, the way back from a
        file to its record.
        """

    @abstractmethod
    def claim(self, task: Task) -> AbstractContextManager[Any]:
        """Hold the right to compute *task* while the context is open.

        If another process holds it, wait until that process stores a result,
        lets the claim go, or its claim goes stale. The context's value says
        what happened: ``held`` (this process may compute), ``waited`` (another
        process held it first) and ``fresh_result`` (that process stored a
        result meanwhile: load it rather than compute).
        """

    def iterations(self, task: Task) -> list[int]:
        """Iteration counts with a stored result, for an iterative *task*'s family.

        Backends that cannot list results return ``[]`` (iterative tasks then
        never resume).
        """
        return []

    @abstractmethod
    def delete(self, task: Task) -> bool:
        """Remove *task*'s stored result; True if there was one."""

    def manifests(self, task: Task, key: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(location, manifest)`` of the stored results of *task*'s type: every key, or only *key*.

        ``smttask why`` compares them with the task (see :mod:`smttask.explain`).
        Only complete results with a readable manifest are listed, in no
        particular order. Backends that cannot list their results return ``[]``,
        the default.
        """
        return []

    def accept_code(self, task: Task) -> bool:
        """Record that *task*'s stored result stays valid under its current code (``smttask accept``).

        True if a stored result was updated, False if *task* has none. Backends
        that keep no code fingerprint return False, the default.
        """
        return False

    def clean(self, *, dry_run: bool = False) -> list[Leftover]:
        """Remove what interrupted runs left behind (never a stored result, never a live writer's file).

        Returns what was removed (with *dry_run*: what would be). Backends that
        leave nothing behind, or cannot tell, return ``[]``.
        """
        return []

    def stored_results(self) -> list[StoredEntry] | None:
        """Every complete stored result, for ``smttask store gc``; None if this backend cannot list them.

        ``last_used`` is the time the result was last written or loaded: the
        ``local`` backend keeps it as the modification time of an empty
        ``<key>.used`` file that each load touches (access times are unreliable:
        ``noatime`` and ``relatime`` mounts do not keep them).
        """
        return None

    def remove_stored(self, entry: StoredEntry, *, grace: float) -> str | None:
        """Remove the stored result *entry* unless a running process holds it; None if removed, else why not.

        It is kept if a live process holds its claim, or if it was written or
        loaded since *entry* was listed or in the last *grace* seconds (a
        process may be loading it right now).
        """
        return f"the '{self.name}' storage backend cannot remove results one by one"
