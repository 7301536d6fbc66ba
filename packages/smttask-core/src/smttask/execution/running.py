"""Running one task in this process and describing its outcome.

Shared by the inline executor and by worker processes (which run the tasks
sent to them the same way), so neither depends on the other.
"""

from __future__ import annotations

import time
import traceback
from typing import TYPE_CHECKING

from .outcomes import Status, TaskOutcome, _describe_error
from .planning import job_key

if TYPE_CHECKING:
    from ..project import Project
    from ..task import Task


def run_one(
    task: Task,
    project: Project,
    recompute: bool = False,
    *,
    record: bool | None = None,
    reason: str | None = None,
) -> TaskOutcome:
    """Run *task* in this process and describe the outcome (exceptions become a failed outcome)."""
    start = time.perf_counter()
    key = ""
    with project.activate():
        try:
            key = job_key(task)
            stored = project.storage.locate(task) if task.store and not task.unpure else None
            cached = not recompute and (key in project.memory or stored is not None)
            task.run(recompute=recompute, record=record, reason=reason)
            if task.store and not task.unpure and (stored is None or recompute):
                stored = project.storage.locate(task)  # written by this run
            outputs = tuple(str(out.path) for out in stored.outputs.values()) if stored else ()
        except Exception as exc:
            return TaskOutcome(
                task.taskname,
                key,
                "failed",
                time.perf_counter() - start,
                _describe_error(exc),
                traceback.format_exc(),
                exception=exc,
            )
    status: Status = "cached" if cached else "computed"
    return TaskOutcome(task.taskname, key, status, time.perf_counter() - start, outputs=outputs)

