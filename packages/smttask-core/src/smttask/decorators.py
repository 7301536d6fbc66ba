"""Decorators turning an annotated function or callable class into a task type."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from . import task_types
from .errors import TaskDefinitionError
from .outputs import OutputSpec
from .signature import InputSpec
from .task import Task

__all__ = ["MemoizedTask", "NonMemoizedTask", "RecordedTask", "UnpureMemoizedTask", "make_task_class"]

F = TypeVar("F")


def make_task_class(
    obj: Any,
    kind: type[Task],
    *,
    cache: bool | None = None,
    version: str | None = None,
    name: str | None = None,
    localns: dict[str, Any] | None = None,
) -> type[Task]:
    """Build the task class of *kind* for the function or callable class *obj*.

    *name* replaces ``module:qualname`` as the task's identity in keys, so a task
    keeps its keys when moved to another module; *version* is part of every key.
    *localns* resolves annotations naming local classes (a task defined in a function).
    """
    if isinstance(obj, type):
        if "__call__" not in {n for c in obj.__mro__[:-1] for n in vars(c)}:
            raise TaskDefinitionError(f"Class '{obj.__qualname__}' has no __call__ method to make a task of.")
        func, is_method = obj.__call__, True
        bases: tuple[type, ...] = (kind, obj)
    elif inspect.isfunction(obj):
        func, is_method = obj, False
        bases = (kind,)
    else:
        raise TaskDefinitionError(
            f"Only functions and callable classes can become tasks, not {type(obj).__name__} {obj!r}."
        )
    if obj.__name__ == "<lambda>":
        raise TaskDefinitionError("A lambda cannot become a task: it has no name to identify it. Use `def`.")
    if version is not None and not isinstance(version, str):
        raise TaskDefinitionError(f"A task version must be a string, got {version!r}.")
    qualname = obj.__qualname__
    namespace: dict[str, Any] = {
        "__module__": obj.__module__,
        "__qualname__": qualname,
        "__doc__": inspect.getdoc(obj) if not is_method else (inspect.getdoc(func) or inspect.getdoc(obj)),
        "__wrapped__": obj,
        "_inputs": InputSpec(func, qualname, skip_first=is_method, localns=localns),
        "_outputs": OutputSpec(func, qualname, localns=localns),
        "_func": func if is_method else staticmethod(func),
        "_is_method": is_method,
        "taskname": qualname,
        "module_name": obj.__module__,
        "identity": name or f"{obj.__module__}:{qualname}",
        "version": version,
    }
    if cache is not None:
        namespace["cache"] = bool(cache)
    return type(obj.__name__, bases, namespace)


def _decorator(kind: type[Task]) -> Callable[..., Any]:
    def decorator(
        obj: Any = None, *, cache: bool | None = None, version: str | None = None, name: str | None = None
    ) -> Any:
        localns = sys._getframe(1).f_locals
        if obj is None:
            return lambda o: make_task_class(o, kind, cache=cache, version=version, name=name, localns=localns)
        return make_task_class(obj, kind, cache=cache, version=version, name=name, localns=localns)

    decorator.__name__ = decorator.__qualname__ = kind.__name__
    decorator.__doc__ = (
        f"Make a {kind.__name__} from an annotated function or callable class.\n\n"
        f"{inspect.getdoc(kind)}\n\n"
        "Use bare (``@{0}``) or with options (``@{0}(cache=False, version='2', name='stable.name')``).".format(
            kind.__name__
        )
    )
    return decorator


RecordedTask = _decorator(task_types.RecordedTask)
MemoizedTask = _decorator(task_types.MemoizedTask)
NonMemoizedTask = _decorator(task_types.NonMemoizedTask)
UnpureMemoizedTask = _decorator(task_types.UnpureMemoizedTask)
