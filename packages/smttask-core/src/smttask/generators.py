"""Generated tasks: build an object from serializable arguments, or join many results.

``Create(MyModel)(a=1, b=2)`` is a task whose result is ``MyModel(a=1, b=2)``:
the object itself need not be serializable, since the task file holds only the
class path and the arguments. ``Join(*tasks)`` gathers the results of many
tasks of one type into a list; like smttask 0.2's, it is a recorded task whose
list is stored as its output ``results``, so the gathered list is on disk
(and in the lab book) even when the tasks it joins keep theirs in memory.

A task file names the class to build, so which classes may be built is the
trust boundary: data classes (pydantic models, dataclasses, attrs classes,
named tuples), whose construction only stores fields, and classes their author
marked with :func:`creatable`. Anything else (``subprocess.Popen``, say) is
refused when the task is created, before anything runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel

from .decorators import MemoizedTask, RecordedTask
from .errors import TaskDefinitionError, TaskInputError
from .serializers import class_path, resolve_class
from .task import Task
from .taskoutput import TaskOutput
from .text import shown
from .walk import is_task

__all__ = ["Create", "CreateTask", "Join", "JoinResults", "JoinTask", "creatable"]

_MARK = "__smttask_creatable__"
_WHAT = "a class Create() may build (a pydantic model, dataclass, attrs class or named tuple, or a class marked @smttask.creatable)"

C = TypeVar("C", bound=type)


def creatable(cls: C) -> C:
    """Mark *cls* as safe to build from a task file with :func:`Create`, and return it.

    Data classes need no mark. Mark a plain class in the module that defines it,
    so every process that imports the module sees the mark.
    """
    if not isinstance(cls, type):
        raise TaskDefinitionError(f"@creatable marks a class, got {cls!r}.")
    setattr(cls, _MARK, True)
    return cls


def is_creatable(cls: type) -> bool:
    """True if :func:`Create` may build *cls*: a data class, or marked with :func:`creatable`."""
    return bool(
        getattr(cls, _MARK, False)
        or dataclasses.is_dataclass(cls)
        or hasattr(cls, "__attrs_attrs__")
        or (issubclass(cls, tuple) and hasattr(cls, "_fields"))
        or issubclass(cls, BaseModel)
    )


def _creatable_class(path: str) -> type:
    cls = resolve_class(path, object, what=_WHAT, import_module=True)
    if not is_creatable(cls):
        raise ValueError(
            f"{shown(path)} is not {_WHAT}. If building it from a task file is safe, decorate it with "
            "@smttask.creatable where it is defined."
        )
    return cls


def _check_creatable_path(path: str) -> str:
    _creatable_class(path)
    return path


@MemoizedTask
def CreateTask(cls: Annotated[str, AfterValidator(_check_creatable_path)], kwargs: dict[str, Any]) -> Any:
    """Instantiate the class at path *cls* (``module:QualName``) with *kwargs*.

    The class's module is imported if needed: it is named explicitly in the task.
    The class is checked when the task is created (see the module docstring).
    """
    return _creatable_class(cls)(**kwargs)


class JoinResults(TaskOutput):
    """The one output of a :func:`Join`: the list of results, stored as ``<key>_results.json``."""

    results: list[Any]


@RecordedTask
def JoinTask(tasks: list[Any]) -> JoinResults:
    """The results of *tasks*, in order (upstream tasks are replaced by their results)."""
    return list(tasks)


def Create(cls: type) -> Callable[..., Task]:
    """A task factory: ``Create(MyType)(**kwargs)`` is a task returning ``MyType(**kwargs)``."""
    if not isinstance(cls, type):
        raise TaskDefinitionError(f"Create() takes a class, got {cls!r}.")
    if "<locals>" in cls.__qualname__:
        raise TaskDefinitionError(
            f"Create() needs a class importable by name; '{cls.__qualname__}' is defined inside a function."
        )
    if not is_creatable(cls):
        raise TaskDefinitionError(
            f"Create() builds data classes and classes marked @smttask.creatable; "
            f"'{class_path(cls)}' is neither. Decorate it with @smttask.creatable where it is defined "
            "(a task file names the class to build, so only classes declared safe to build are accepted)."
        )
    path = class_path(cls)

    def creator(*, reason: str | None = None, **kwargs: Any) -> Task:
        return CreateTask(cls=path, kwargs=kwargs, reason=reason)

    creator.__name__ = creator.__qualname__ = f"Create{cls.__name__}"
    creator.__doc__ = f"Task returning a new {cls.__qualname__} built from the keyword arguments."
    return creator


def Join(*tasks: Task | Sequence[Task], reason: str | None = None) -> Task:
    """One task whose result is the list of the results of *tasks* (all of one type).

    The tasks are given as arguments or, as in smttask 0.2, as one list.
    """
    if len(tasks) == 1 and isinstance(tasks[0], list | tuple):
        tasks = tuple(tasks[0])
    if not tasks:
        raise TaskInputError("Join() needs at least one task.")
    not_tasks = [t for t in tasks if not is_task(t)]
    if not_tasks:
        raise TaskInputError(f"Join() takes tasks only; got {not_tasks[0]!r}.")
    identities = sorted({type(t).identity for t in tasks})
    if len(identities) > 1:
        raise TaskInputError(f"Join() gathers tasks of one type; got {', '.join(identities)}.")
    return JoinTask(tasks=list(tasks), reason=reason)
