"""Generated tasks: build an object from serializable arguments, or join many results.

``Create(MyModel)(a=1, b=2)`` is a task whose result is ``MyModel(a=1, b=2)``:
the object itself need not be serializable, since the task file holds only the
class path and the arguments. ``Join(*tasks)`` gathers the results of many
tasks of one type into a list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .decorators import MemoizedTask
from .errors import TaskDefinitionError, TaskInputError
from .serializers import class_path, import_qualified
from .signature import is_task
from .task import Task

__all__ = ["Create", "CreateTask", "Join", "JoinTask"]


@MemoizedTask
def CreateTask(cls: str, kwargs: dict[str, Any]) -> Any:
    """Instantiate the class at path *cls* (``module:QualName``) with *kwargs*.

    The class's module is imported if needed: it is named explicitly in the task.
    """
    return import_qualified(cls, only_imported=False)(**kwargs)


@MemoizedTask
def JoinTask(tasks: list[Any]) -> list[Any]:
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
    path = class_path(cls)

    def creator(*, reason: str | None = None, **kwargs: Any) -> Task:
        return CreateTask(cls=path, kwargs=kwargs, reason=reason)

    creator.__name__ = creator.__qualname__ = f"Create{cls.__name__}"
    creator.__doc__ = f"Task returning a new {cls.__qualname__} built from the keyword arguments."
    return creator


def Join(*tasks: Task, reason: str | None = None) -> Task:
    """One task whose result is the list of the results of *tasks* (all of one type)."""
    if not tasks:
        raise TaskInputError("Join() needs at least one task.")
    not_tasks = [t for t in tasks if not is_task(t)]
    if not_tasks:
        raise TaskInputError(f"Join() takes tasks only; got {not_tasks[0]!r}.")
    identities = sorted({type(t).identity for t in tasks})
    if len(identities) > 1:
        raise TaskInputError(f"Join() gathers tasks of one type; got {', '.join(identities)}.")
    return JoinTask(tasks=list(tasks), reason=reason)
