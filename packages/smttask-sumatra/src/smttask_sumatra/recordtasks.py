"""The task a record ran, for ``smttask why RECORD_LABEL``: the ``smttask_task_of_record`` hook of smttask-sumatra."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import RecordNotFoundError
from .smtproject import has_project
from .view import RecordStoreView

if TYPE_CHECKING:
    from smttask import Project, Task


def task_of_record(project: Project, label: str) -> Task | None:
    """The task the record *label* ran, rebuilt from its parameters; None without a lab book or such a record.

    The key is not verified: a record made before a ``version=`` bump or a move
    still names its task, which is then explained under its current key.
    """
    if not has_project(project.root):
        return None
    try:
        record = RecordStoreView(project)[label]
    except RecordNotFoundError:
        return None
    return record.get_task(verify_key=False)
