"""Reading task files into tasks, one entry per file; a bad file becomes an error, never an exception."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smttask import Project, Task


@dataclass
class Entry:
    """One task file of a batch: its task, or why it could not be loaded."""

    path: Path
    task: Task | None = None
    error: str | None = None
    traceback: str | None = None
    exception: BaseException | None = None

    @property
    def label(self) -> str:
        """The path as the user gave it (what messages show)."""
        return str(self.path)


def load_entry(path: Path, project: Project) -> Entry:
    """Rebuild the task of *path* in *project* (imports only the module the file names)."""
    from smttask import TaskFileError
    from smttask.taskfile import task_from_desc

    with project.activate():
        try:
            return Entry(path, task=task_from_desc(path))
        except TaskFileError as exc:
            return Entry(path, error=exc.problem, exception=exc)
        except Exception as exc:  # e.g. the task's module raises when imported
            return Entry(
                path,
                error=f"cannot load the task: {type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(),
                exception=exc,
            )


def load_entries(paths: Sequence[Path], project: Project) -> list[Entry]:
    """One :class:`Entry` per path, in order."""
    return [load_entry(path, project) for path in paths]
