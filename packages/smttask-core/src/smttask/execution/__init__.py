"""Executors run a batch of tasks: in this process, or in worker processes.

A batch is first *planned* (:func:`plan_batch`): a task whose result is already
stored is reported as cached without running; every stored upstream task
without a result becomes a job of its own, computed once before the tasks that
need it; every other task becomes a job, in dependency order. The same plan
drives ``smttask run --dry-run``, so a dry run predicts exactly what runs.

Workers receive task descriptions (never pickled task objects) and rebuild
each task in the same project. Task classes defined in ``__main__`` (a script
or a notebook) cannot be imported by name in a worker, so they are shipped
with ``dill``. Ctrl-C (or :meth:`Executor.stop`) stops a batch cleanly: no new
task starts, running tasks are interrupted so their cleanup code runs (nothing
half-written remains), and finished results are kept.

The modules: :mod:`~smttask.execution.outcomes` (what executors report),
:mod:`~smttask.execution.planning` (the plan of a batch),
:mod:`~smttask.execution.schedule` (which planned jobs may start),
:mod:`~smttask.execution.running` (running one task here),
:mod:`~smttask.execution.base` (the :class:`Executor` base class),
:mod:`~smttask.execution.inline` and :mod:`~smttask.execution.processes` (the
executors), :mod:`~smttask.execution.worker` (what runs inside a worker
process), :mod:`~smttask.execution.mainmodule` (shipping ``__main__`` tasks)
and :mod:`~smttask.execution.history` (task types' durations kept between batches).
"""

from typing import Any

from .base import Executor
from .inline import InlineExecutor
from .mainmodule import install_main_classes, main_classes, pack_main_classes
from .outcomes import RunOptions, Status, TaskOutcome, TaskStarted
from .planning import (
    WHY_CODE_CHANGED,
    WHY_MISSING,
    WHY_NOT_STORED,
    WHY_RECOMPUTE,
    WHY_UNPURE,
    BatchPlan,
    Cached,
    Job,
    iter_tasks,
    job_key,
    plan_batch,
    upstream_tasks,
)
from .running import run_one
from .schedule import SKIPPED


def __getattr__(name: str) -> Any:
    """:class:`ProcessExecutor`, imported on first use: a batch that runs in this process never needs it."""
    if name == "ProcessExecutor":
        from .processes import ProcessExecutor

        return ProcessExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "SKIPPED",
    "WHY_CODE_CHANGED",
    "WHY_MISSING",
    "WHY_NOT_STORED",
    "WHY_RECOMPUTE",
    "WHY_UNPURE",
    "BatchPlan",
    "Cached",
    "Executor",
    "InlineExecutor",
    "Job",
    "ProcessExecutor",
    "RunOptions",
    "Status",
    "TaskOutcome",
    "TaskStarted",
    "install_main_classes",
    "iter_tasks",
    "job_key",
    "main_classes",
    "pack_main_classes",
    "plan_batch",
    "run_one",
    "upstream_tasks",
]
