"""Every hook a plugin can implement. Plugins register under the ``smttask`` entry-point group.

Registration hooks return classes (or instances, for serializers and formats)
each with a unique ``name``; the project configuration picks one by that name,
so the choice never depends on plugin load order. All registration hooks are
called with every result collected (none is "first result wins") unless said
otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .execution import Executor
    from .project import Project
    from .recording import Recorder
    from .serializers import Serializer
    from .storage import OutputFormat, StorageBackend
    from .task import Task

hookspec = pluggy.HookspecMarker("smttask")
hookimpl = pluggy.HookimplMarker("smttask")


@hookspec
def smttask_storage_backends() -> list[type[StorageBackend]]:
    """Return storage backend classes. Called once per project when its storage is first used;
    the project's ``storage`` setting names the one to use (built-in: ``local``)."""


@hookspec
def smttask_recorders() -> list[type[Recorder]]:
    """Return recorder classes, which write a lab-book record around each recorded run.
    The project's ``recorder`` setting names one; ``auto`` picks the only available one,
    ``none`` records nothing."""


@hookspec
def smttask_value_serializers() -> list[Serializer]:
    """Return :class:`~smttask.serializers.Serializer` instances that make more types usable
    as task inputs (in keys and task files). Called once per project."""


@hookspec
def smttask_output_formats() -> list[OutputFormat]:
    """Return :class:`~smttask.storage.OutputFormat` instances that store outputs in more
    file formats (parquet, netCDF...). Formats are tried in order of plugin registration,
    latest first; the built-in JSON format is the fallback."""


@hookspec
def smttask_executors() -> list[type[Executor]]:
    """Return executor classes, which run many tasks at once (built-in: ``inline``,
    ``processes``). Chosen by name, e.g. by ``smttask run``."""


@hookspec
def smttask_visualizers() -> list[type]:
    """Return visualizer classes, each with a unique ``name``, that draw task graphs or records."""


@hookspec
def smttask_cli_commands(cli: Any) -> None:
    """Add commands to the ``smttask`` command-line interface; *cli* is its ``click.Group``.
    Called once when the command line starts."""


@hookspec(firstresult=True)
def smttask_run_task(task: Task, project: Project, compute: Any) -> Any:
    """Compute one task: call ``compute()`` and return its result. The built-in implementation
    does just that; implement it with ``@hookimpl(wrapper=True)`` to act around every
    computation (timing, profiling, resource limits): ``result = yield`` runs the task.
    Not called on cache hits."""


@hookspec
def smttask_task_started(task: Task, project: Project) -> None:
    """Notification: *task* is about to be computed (not called on cache hits)."""


@hookspec
def smttask_task_finished(task: Task, project: Project, duration: float) -> None:
    """Notification: *task* was computed in *duration* seconds and its outputs stored."""


@hookspec
def smttask_task_failed(task: Task, project: Project, error: BaseException) -> None:
    """Notification: computing *task* raised *error* (the error is then re-raised)."""


@hookspec
def smttask_cache_hit(task: Task, project: Project, tier: str) -> None:
    """Notification: the result of *task* was found in the ``"memory"`` or ``"storage"`` tier."""
