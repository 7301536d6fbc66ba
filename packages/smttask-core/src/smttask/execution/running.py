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
            cached = not recompute and (
                key in project.memory or (task.store and project.storage.locate(task) is not None)
            )
            task.run(recompute=recompute, record=record, reason=reason)
            outputs = _output_paths(task, project)
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


def _output_paths(task: Task, project: Project) -> tuple[str, ...]:
    if not task.store or task.unpure:
        return ()
    stored = project.storage.locate(task)
    return tuple(str(out.path) for out in stored.outputs.values()) if stored else ()
