"""Running one task in this process and describing its outcome.

Shared by the inline executor and by worker processes (which run the tasks
sent to them the same way), so neither depends on the other.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..engine import RunReport, run_task
from ..errors import CorruptResultError
from .outcomes import Status, TaskOutcome, current_traceback, describe_error
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
    """Run *task* in this process and describe the outcome (exceptions become a failed outcome).

    Whether it was computed is what the engine reports it did, never a guess
    made beforehand: a stored result that turns out to be damaged is recomputed
    (with a :class:`~smttask.errors.CorruptResultWarning`) and reported
    ``"computed"``; a result another process stored while this one waited for
    it is ``"cached"``, with :attr:`TaskOutcome.waited` set.
    """
    start = time.perf_counter()
    key = ""
    report = RunReport()
    with project.activate():
        try:
            key = job_key(task)
            run_task(task, project, recompute=recompute, record=record, reason=reason, report=report)
            outputs: tuple[str, ...] = ()
            if task.store and not task.unpure:
                stored = report.stored
                if stored is None:
                    try:
                        stored = project.storage.locate(task)
                    except CorruptResultError:  # damaged since, by someone else: the run itself succeeded
                        stored = None
                outputs = tuple(map(str, stored.files)) if stored else ()
        except Exception as exc:
            return TaskOutcome(
                task.taskname,
                key,
                "failed",
                time.perf_counter() - start,
                describe_error(exc),
                current_traceback(),
                exception=exc,
            )
    status: Status = "computed" if report.source == "computed" else "cached"
    return TaskOutcome(
        task.taskname, key, status, time.perf_counter() - start, outputs=outputs, waited=report.source == "waited"
    )
