"""The kinds of task. Each decorator in :mod:`smttask.decorators` makes a subclass of one."""

from __future__ import annotations

from typing import Any

from .errors import TaskInputError
from .task import Task


class RecordedTask(Task):
    """Stored on disk (memory too) and recorded in the lab book when computed.

    Use for expensive, pure computations whose results you want to keep and trace.
    """

    store = True
    recorded = True


class MemoizedTask(Task):
    """Kept in memory only: for cheap computations not worth storing (e.g. drawing samples)."""


class NonMemoizedTask(MemoizedTask):
    """Not even kept in memory: computed every time its result is needed."""

    cache = False


class UnpureMemoizedTask(MemoizedTask):
    """A task whose output depends on more than its inputs (a database, a directory listing).

    Its key is derived from its output, so downstream tasks change key when that
    output changes. It is computed once per session (memory) and never stored;
    ``run(recompute=True)`` computes it again and warns if the output changed.
    """

    unpure = True

    def __init__(self, *args: Any, reason: str | None = None, **inputs: Any) -> None:
        if reason is not None:
            raise TaskInputError(
                f"Task '{self.taskname}' is an UnpureMemoizedTask, which is never recorded: "
                "a 'reason' has no meaning for it. Remove the reason argument."
            )
        super().__init__(*args, **inputs)
