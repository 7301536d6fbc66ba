"""The errors smttask-dask raises, each deriving from :class:`smttask.errors.SmttaskError`."""

from __future__ import annotations

from smttask.errors import SmttaskError


class DaskExecutorError(SmttaskError):
    """Base class of the errors of smttask-dask."""


class DaskSettingsError(DaskExecutorError, ValueError):
    """The ``[dask]`` settings or the ``--scheduler`` option cannot be used (unknown key, wrong type, bad address)."""


class SchedulerUnreachableError(DaskExecutorError, ConnectionError):
    """No Dask scheduler answers at the address given, or a local cluster cannot start."""


class WorkerSetupError(DaskExecutorError, RuntimeError):
    """A Dask worker cannot open the project or import what the batch needs (its tasks fail with this)."""
