"""smttask-dask: run smttask task files and task graphs on a Dask ``distributed`` cluster.

``smttask run --executor dask`` (a local cluster of ``-n`` worker processes) or
``smttask run --scheduler tcp://HOST:PORT`` (a running cluster); from Python,
:func:`run_tasks` (``run_tasks(tasks, client=client)`` in a notebook) or
:class:`DaskExecutor`. Importing this package does not import Dask.
"""

from .errors import (
    DaskExecutorError,
    DaskSettingsError,
    SchedulerUnreachableError,
    WorkerSetupError,
)
from .executor import DaskExecutor, run_tasks

__all__ = [
    "DaskExecutor",
    "DaskExecutorError",
    "DaskSettingsError",
    "SchedulerUnreachableError",
    "WorkerSetupError",
    "run_tasks",
]
