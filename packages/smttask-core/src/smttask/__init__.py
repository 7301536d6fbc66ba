"""smttask: lazy, typed, composable tasks whose results are cached by key and recorded.

Decorate a pure, annotated function with :func:`RecordedTask` or
:func:`MemoizedTask`; calling it makes a lazy task, ``task.run()`` computes (or
loads) its result. See https://smttask.readthedocs.io and the project README.

Only the names used to define tasks are imported eagerly; the rest load on
first access, so ``import smttask`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

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
from .outputs import TaskOutput
from .project import Project, current_project
from .task import Task

__version__ = "0.3.0.dev0"

_LAZY = {
    "hookimpl": ("smttask.hookspecs", "hookimpl"),
    "hookspec": ("smttask.hookspecs", "hookspec"),
    "make_plugin_manager": ("smttask.plugins", "make_plugin_manager"),
    "Config": ("smttask.config", "Config"),
    "Recorder": ("smttask.recording", "Recorder"),
    "RunInfo": ("smttask.recording", "RunInfo"),
    "StorageBackend": ("smttask.storage", "StorageBackend"),
    "OutputFormat": ("smttask.storage", "OutputFormat"),
    "Executor": ("smttask.execution", "Executor"),
    "TaskOutcome": ("smttask.execution", "TaskOutcome"),
    "Serializer": ("smttask.serializers", "Serializer"),
    "Create": ("smttask.generators", "Create"),
    "Join": ("smttask.generators", "Join"),
}

__all__ = [
    "MemoizedTask",
    "NonMemoizedTask",
    "Project",
    "RecordedIterativeTask",
    "RecordedTask",
    "SmttaskError",
    "SmttaskWarning",
    "Task",
    "TaskDefinitionError",
    "TaskFileError",
    "TaskInputError",
    "TaskOutput",
    "TaskOutputError",
    "UnpureMemoizedTask",
    "UnserializableValueError",
    "current_project",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'smttask' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
