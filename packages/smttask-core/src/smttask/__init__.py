"""smttask: lazy, typed, composable tasks whose results are cached by key and recorded.

Decorate a pure, annotated function with :func:`RecordedTask` or
:func:`MemoizedTask`; calling it makes a lazy task, ``task.run()`` computes (or
loads) its result. See the documentation in ``docs/`` and the project README.

Every public name is loaded on first access (PEP 562), so ``import smttask``
costs a few milliseconds; pydantic and the task machinery load when a task is
first defined.
"""

from __future__ import annotations

from .lazyexports import lazy_exports

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (it costs ~15 ms)
__version__ = "0.3.0.dev0"

_EXPORTS = {
    "smttask.decorators": [
        "MemoizedTask",
        "NonMemoizedTask",
        "RecordedIterativeTask",
        "RecordedTask",
        "UnpureMemoizedTask",
    ],
    "smttask.errors": [
        "SmttaskError",
        "SmttaskWarning",
        "TaskDefinitionError",
        "TaskFileError",
        "TaskInputError",
        "TaskOutputError",
        "UnserializableValueError",
    ],
    "smttask.taskoutput": ["TaskOutput"],
    "smttask.project": ["Project", "current_project"],
    "smttask.task": ["Task"],
    "smttask.generators": ["Create", "Join", "creatable"],
    "smttask.params": ["ParamColl", "ParamCollError", "expand"],
    "smttask.seeds": ["SeedGenerator"],
    "smttask.workflows": ["run_workflow", "set_workflow_args"],
    "smttask.hookspecs": ["hookimpl", "hookspec"],
    "smttask.components": ["Component"],
    "smttask.plugins": ["make_plugin_manager"],
    "smttask.config": ["Config"],
    "smttask.recording": ["Recorder", "RunInfo"],
    "smttask.storage": ["StorageBackend", "OutputFormat"],
    "smttask.garbage": ["collect_garbage"],
    "smttask.explain": ["Explanation", "explain", "explain_result"],
    "smttask.execution": ["Executor", "TaskOutcome"],
    "smttask.serializers": ["Serializer"],
}
_LAZY = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)


if TYPE_CHECKING:
    from .components import Component
    from .config import Config
    from .decorators import (
        MemoizedTask,
        NonMemoizedTask,
        RecordedIterativeTask,
        RecordedTask,
        UnpureMemoizedTask,
    )
    from .errors import (
        SmttaskError,
        SmttaskWarning,
        TaskDefinitionError,
        TaskFileError,
        TaskInputError,
        TaskOutputError,
        UnserializableValueError,
    )
    from .execution import Executor, TaskOutcome
    from .explain import Explanation, explain, explain_result
    from .garbage import collect_garbage
    from .generators import Create, Join, creatable
    from .hookspecs import hookimpl, hookspec
    from .params import ParamColl, ParamCollError, expand
    from .plugins import make_plugin_manager
    from .project import Project, current_project
    from .recording import Recorder, RunInfo
    from .seeds import SeedGenerator
    from .serializers import Serializer
    from .storage import OutputFormat, StorageBackend
    from .task import Task
    from .taskoutput import TaskOutput
    from .workflows import run_workflow, set_workflow_args
