"""Reading task files into tasks, one entry per file; a bad file becomes an error, never an exception.

Loading imports the module a file names, and that module's top-level code may
do anything short of being stopped by Ctrl-C: raise ``SystemExit`` or another
``BaseException``, print, read stdin. Each of those is kept to this one file:
an exception is its error, and what it printed is held back and reported in
one line: a note at the end of the file's error if it cannot be loaded, else a
warning of its own (:attr:`Entry.warning`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .capture import CapturedOutput, OutputCapture, captured_output
from .display import shown

if TYPE_CHECKING:
    from smttask import Project, Task

#: Characters of the first printed line quoted in :attr:`Entry.warning`.
QUOTED_LINE = 80


@dataclass
class Entry:
    """One task file of a batch: its task, or why it could not be loaded."""

    path: Path
    task: Task | None = None
    error: str | None = None
    traceback: str | None = None
    exception: BaseException | None = None
    #: What loading the file printed (held back, not shown), if anything.
    printed: CapturedOutput | None = None

    @property
    def label(self) -> str:
        """The path as the user gave it (what messages show, through :func:`~smttask_cli.display.shown`)."""
        return str(self.path)

    @property
    def printed_note(self) -> str | None:
        """Says that loading printed something (how much, how it starts), or None if it printed nothing."""
        if self.printed is None or not self.printed.size:
            return None
        text = f"loading it printed {self.printed.size} characters, not shown"
        first = self.printed.first_line()
        return f"{text}, starting '{shown(first, QUOTED_LINE)}'" if first else text

    @property
    def warning(self) -> str | None:
        """The :attr:`printed_note` of a file that loaded (a failed one carries it in its error), else None."""
        return self.printed_note if self.task is not None else None


def load_entry(path: Path, project: Project, capture: OutputCapture | None = None) -> Entry:
    """Rebuild the task of *path* in *project* (imports only the module the file names).

    Every exception but ``KeyboardInterrupt`` becomes the entry's error, and
    output printed meanwhile is captured into :attr:`Entry.printed` (by
    *capture*, one entered for several files, else a capture of its own).
    """
    from smttask import TaskFileError
    from smttask.execution.outcomes import current_traceback
    from smttask.taskfile import task_from_desc

    with project.activate(), (capture.block() if capture is not None else captured_output()) as printed:
        try:
            entry = Entry(path, task=task_from_desc(path))
        except TaskFileError as exc:  # its traceback matters only when it wraps what the module raised
            trace = current_traceback() if exc.__cause__ is not None else None
            entry = Entry(path, error=exc.problem, traceback=trace, exception=exc)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # e.g. the task's module raises, or calls sys.exit(), when imported
            entry = Entry(
                path,
                error=f"cannot load the task: {_describe(exc)}",
                traceback=current_traceback(),
                exception=exc,
            )
    entry.printed = printed
    note = entry.printed_note
    if note is not None and entry.task is None:  # one line per bad file: the note goes after its error
        entry.error = f"{entry.error}; {note}"
    return entry


def _describe(exc: BaseException) -> str:
    """``Type: message`` of *exc*, even if its ``__str__`` raises."""
    try:
        message = str(exc)
    except Exception:
        message = "<message cannot be shown>"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def load_entries(paths: Sequence[Path], project: Project) -> list[Entry]:
    """One :class:`Entry` per path, in order."""
    with project.activate(), OutputCapture() as capture:
        return [load_entry(path, project, capture) for path in paths]


def load_warnings(entries: Sequence[Entry]) -> list[str]:
    """The warning lines of *entries* (``warning: FILE: …``), one per entry that printed while loading."""
    return [f"warning: {shown(entry.label)}: {entry.warning}" for entry in entries if entry.warning is not None]
