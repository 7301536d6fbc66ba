"""Every hook a plugin can implement, grouped by the phase that calls it. Plugins register under the ``smttask`` entry-point group.

Registration hooks return classes (or instances, for serializers and formats)
each with a unique ``name``; the project configuration picks one by that name,
so the choice never depends on plugin load order. Storage backends, recorders,
executors and visualizers may be named instead, as
:class:`~smttask.components.Component` ``(name, "module:Class")``: the module is
imported only when that component is chosen. An installed plugin itself is
imported when a hook it implements is first used.

Every hook is called on every plugin with all results collected, except where
its docstring says "Stops at first non-None result". Each argument has a
``:param:`` line; a hook implementation may take any subset of them, by name.
``docs/plugins.md`` documents each hook; a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

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
# Registration hooks: components a project chooses by name
# -------------------------------------------------------------------------


@hookspec
def smttask_storage_backends() -> list[type[StorageBackend] | Component]:
    """Register storage backends: where a task's results are kept between runs.

    Called once per project, when its storage is first used. The project's
    ``storage`` setting names the one to use (built-in: ``local``).

    :returns: :class:`~smttask.StorageBackend` subclasses, or
        :class:`~smttask.components.Component` names of them.
    """


@hookspec
def smttask_recorders() -> list[type[Recorder] | Component]:
    """Register recorders, which write a lab-book record around each recorded run.

    Called once per project, when its recorder is first used. The project's
    ``recorder`` setting names one; ``auto`` picks the only available one,
    ``none`` records nothing.

    :returns: :class:`~smttask.Recorder` subclasses, or
        :class:`~smttask.components.Component` names of them.
    """


@hookspec
def smttask_value_serializers() -> list[Serializer]:
    """Register serializers, which make more types usable as task inputs (in keys and task files).

    Called once per project, when its serializers are first needed. A
    serializer's ``decode`` reads files anyone may write: it may build only
    values of its own type (see "Security" in ``docs/taskfiles.md``).

    :returns: :class:`~smttask.serializers.Serializer` instances.
    """


@hookspec
def smttask_output_formats() -> list[OutputFormat]:
    """Register output formats, which store outputs in more file formats (parquet, netCDF...).

    Called once per project. Formats are tried in order of plugin
    registration, latest first; the built-in JSON format is the fallback.

    :returns: :class:`~smttask.OutputFormat` instances.
    """


@hookspec
def smttask_executors() -> list[type[Executor] | Component]:
    """Register executors, which run many tasks at once (built-in: ``inline``, ``processes``).

    Called when an executor is chosen by name, e.g. by ``smttask run``.

    :returns: :class:`~smttask.Executor` subclasses, or
        :class:`~smttask.components.Component` names of them.
    """


@hookspec
def smttask_visualizers() -> list[type | Component]:
    """Register visualizers, which draw task graphs or records (``smttask-viz`` provides them).

    Called when a picture is written, e.g. by ``smttask graph``; the file's
    suffix chooses the visualizer.

    :returns: Classes with a unique ``name``, the ``suffixes`` they write and a
        ``write_graph(graph, path)`` method (``smttask_viz.Visualizer``), or
        :class:`~smttask.components.Component` names of them.
    """


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

    Stops at first non-None result.

    :param task: The task being computed.
    :param project: The project it runs in.
    :param compute: Computes the task's result from its resolved inputs.
    :returns: The task's result, as ``compute()`` returned it.
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
    """Name the tasks whose stored results ``smttask store gc`` must keep (with their upstream results).

    Called once per collection (``smttask store gc``, :func:`smttask.collect_garbage`),
    before anything is deleted; an exception stops the collection. The built-in
    plugin returns the pinned task files; smttask-sumatra the records with a
    tag of the user's.

    :param project: The project whose storage is collected.
    :param keep_recorded: True with ``--keep-recorded``: return the task of every
        lab-book record, not only of those the user tagged.
    :returns: :class:`~smttask.garbage.GcRoot` entries, each a task-file document
        (its upstream tasks are found in it by their keys) and who keeps it.
    """


# -------------------------------------------------------------------------
# Explaining
# -------------------------------------------------------------------------


@hookspec(firstresult=True)
def smttask_task_of_record(project: Project, label: str) -> Task | None:
    """Return the task that the lab-book record *label* ran, for ``smttask why RECORD_LABEL``.

    Called when an argument of ``smttask why`` is not a file. smttask-sumatra rebuilds the task from
    the record's parameters (importing its module, as reading its task file would).

    Stops at first non-None result.

    :param project: The project whose lab book is searched.
    :param label: The argument as the user typed it.
    :returns: The task, or ``None`` if this plugin keeps no record of that label.
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
