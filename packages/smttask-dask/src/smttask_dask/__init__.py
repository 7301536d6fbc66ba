"""smttask-dask: run smttask task files and task graphs on a Dask ``distributed`` cluster.

``smttask run --executor dask`` (a local cluster of ``-n`` worker processes) or
``smttask run --scheduler tcp://HOST:PORT`` (a running cluster); from Python,
:func:`run_tasks` (``run_tasks(tasks, client=client)`` in a notebook) or
:class:`DaskExecutor`. Importing this package imports neither Dask nor the
executor: the names load on first use, so a process that only finds the plugin
(every smttask process does) pays nothing for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smttask.lazyexports import lazy_exports

if TYPE_CHECKING:
    from .errors import (
        DaskExecutorError,
        DaskSettingsError,
        SchedulerUnreachableError,
        WorkerSetupError,
    )
    from .executor import DaskExecutor, run_tasks

_LAZY = {
    "DaskExecutor": "smttask_dask.executor",
    "run_tasks": "smttask_dask.executor",
    "DaskExecutorError": "smttask_dask.errors",
    "DaskSettingsError": "smttask_dask.errors",
    "SchedulerUnreachableError": "smttask_dask.errors",
    "WorkerSetupError": "smttask_dask.errors",
}

__all__ = [
    "DaskExecutor",
    "DaskExecutorError",
    "DaskSettingsError",
    "SchedulerUnreachableError",
    "WorkerSetupError",
    "run_tasks",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
