"""``smttask accept``: a code change is cosmetic, so stored results stay valid without recomputing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .project import Project
    from .task import Task


def accept_code_change(tasks: Iterable[Task], project: Project | None = None) -> list[Task]:
    """Store the current code fingerprint with the stored result of each of *tasks*; return those updated.

    Afterwards a hit on them no longer warns (``on_code_change = "warn"``) or
    recomputes (``"recompute"``). Tasks without a stored result are left out.
    """
    from .project import current_project

    project = project if project is not None else current_project()
    updated = []
    with project.activate():
        for task in tasks:
            if task.store and project.storage.accept_code(task):
                updated.append(task)
    return updated
