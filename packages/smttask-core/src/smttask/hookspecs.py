"""Every hook a plugin can implement. Plugins register under the ``smttask`` entry-point group.

Registration hooks return classes (or instances, for serializers and formats)
each with a unique ``name``; the project configuration picks one by that name,
so the choice never depends on plugin load order. Storage backends, recorders,
executors and visualizers may be named instead, as
:class:`~smttask.components.Component` ``(name, "module:Class")``: the module is
imported only when that component is chosen. An installed plugin itself is
imported when a hook it implements is first used. Every hook is called on every
plugin with all results collected, except where its docstring says
"Stops at first non-None result". ``docs/plugins.md`` documents each hook; a
test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from .components import Component
    from .execution import Executor
    from .garbage import GcRoot
    from .project import Project
    from .recording import Recorder
    from .serializers import Serializer
    from .storage import OutputFormat, StorageBackend
    from .task import Task

hookspec = pluggy.HookspecMarker("smttask")
hookimpl = pluggy.HookimplMarker("smttask")


# -------------------------------------------------------------------------
# Registration hooks: components that a project chooses by name
# -------------------------------------------------------------------------


@hookspec
def smttask_storage_backends() -> list[type[StorageBackend] | Component]:
    """Return storage backend classes, or :class:`~smttask.components.Component` names of them.

    Called once per project, when its storage is first used. The project's
    ``storage`` setting names the one to use (built-in: ``local``).
    """


@hookspec
def smttask_recorders() -> list[type[Recorder] | Component]:
    """Return recorder classes (or :class:`~smttask.components.Component` names of them), which write a lab-book record around each recorded run.

    Called once per project, when its recorder is first used. The project's
    ``recorder`` setting names one; ``auto`` picks the only available one,
    ``none`` records nothing.
    """


@hookspec
def smttask_value_serializers() -> list[Serializer]:
    """Return :class:`~smttask.serializers.Serializer` instances that make more types usable
    as task inputs (in keys and task files).

    Called once per project, when its serializers are first needed. A
    serializer's ``decode`` reads files anyone may write: it may build only
    values of its own type (see "Security" in ``docs/taskfiles.md``).
    """


@hookspec
def smttask_output_formats() -> list[OutputFormat]:
    """Return :class:`~smttask.storage.OutputFormat` instances that store outputs in more
    file formats (parquet, netCDF...).

    Called once per project. Formats are tried in order of plugin
    registration, latest first; the built-in JSON format is the fallback.
    """


@hookspec
def smttask_executors() -> list[type[Executor] | Component]:
    """Return executor classes (or :class:`~smttask.components.Component` names of them), which run many tasks at once (built-in: ``inline``,
    ``processes``).

    Called when an executor is chosen by name, e.g. by ``smttask run``.
    """


@hookspec
def smttask_visualizers() -> list[type | Component]:
    """Return visualizer classes (or :class:`~smttask.components.Component` names of them), each with a unique ``name``, that draw task graphs or records."""


# -------------------------------------------------------------------------
# Running one task
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def smttask_run_task(task: Task, project: Project, compute: Callable[[], Any]) -> Any:
    """Compute one task: call ``compute()`` and return its result.

    The built-in implementation (``trylast``) does just that; implement it with
    ``@hookimpl(wrapper=True)`` to act around every computation (timing,
    profiling, resource limits): ``result = yield`` runs the task. Not called on
    cache hits.

    :param task: The task being computed.
    :param project: The project it runs in.
    :param compute: Computes the task's result from its resolved inputs.

    Stops at first non-None result.
    """


# -------------------------------------------------------------------------
# Notifications: called on every plugin, results ignored
# -------------------------------------------------------------------------


@hookspec
def smttask_task_started(task: Task, project: Project) -> None:
    """*task* is about to be computed (not called on cache hits).

    :param task: The task about to be computed.
    :param project: The project it runs in.
    """


@hookspec
def smttask_task_finished(task: Task, project: Project, duration: float) -> None:
    """*task* was computed and its outputs stored.

    :param task: The task computed.
    :param project: The project it ran in.
    :param duration: Seconds the computation (and storing) took.
    """


@hookspec
def smttask_task_failed(task: Task, project: Project, error: BaseException) -> None:
    """Computing *task* raised *error*; the error is re-raised after this hook.

    :param task: The task that failed.
    :param project: The project it ran in.
    :param error: The exception raised.
    """


@hookspec
def smttask_cache_hit(task: Task, project: Project, tier: str) -> None:
    """The result of *task* was found without computing it.

    :param task: The task whose result was found.
    :param project: The project it was found in.
    :param tier: ``"memory"`` or ``"storage"``.
    """


# -------------------------------------------------------------------------
# Storage maintenance
# -------------------------------------------------------------------------


@hookspec
def smttask_gc_roots(project: Project, keep_recorded: bool) -> list[GcRoot]:
    """Return the tasks whose stored results ``smttask store gc`` must keep (with their upstream results).

    Called once per collection (``smttask store gc``, :func:`smttask.collect_garbage`),
    before anything is deleted; an exception stops the collection. Each
    :class:`~smttask.garbage.GcRoot` holds a task-file document (its upstream
    tasks are found in it by their keys) and says who keeps it. The built-in
    plugin returns the pinned task files; smttask-sumatra the records with a
    tag of the user's.

    :param project: The project whose storage is collected.
    :param keep_recorded: True with ``--keep-recorded``: return the task of every
        lab-book record, not only of those the user tagged.
    """


# -------------------------------------------------------------------------
# Command line
# -------------------------------------------------------------------------


@hookspec
def smttask_cli_commands(cli: click.Group) -> None:
    """Add commands to the ``smttask`` command-line interface.

    Called once when the command line starts.

    :param cli: The ``smttask`` command group; add commands with ``cli.add_command``.
    """
