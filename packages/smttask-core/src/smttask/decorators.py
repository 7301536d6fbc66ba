"""Decorators turning an annotated function or callable class into a task type."""

from __future__ import annotations

import inspect
import numbers
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from . import task_types
from .errors import TaskDefinitionError
from .outputs import OutputSpec
from .signature import InputSpec
from .task import Task

__all__ = [
    "MemoizedTask",
    "NonMemoizedTask",
    "RecordedIterativeTask",
    "RecordedTask",
    "TaskDecorator",
    "UnpureMemoizedTask",
    "make_task_class",
]

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
    outputs = namespace["_outputs"]
    if outputs.kind == "named":
        # Named results pickle by reference to `<module>.<Task>.Result`.
        namespace["Result"] = outputs.result_type
        outputs.result_type.__module__ = obj.__module__
        outputs.result_type.__qualname__ = f"{qualname}.Result"
    return type(obj.__name__, bases, namespace)


class TaskDecorator:
    """A decorator making task types of one kind, which also stands for that kind.

    ``@RecordedTask`` makes a task type; ``isinstance(task, RecordedTask)`` and
    ``issubclass(SomeTask, RecordedTask)`` ask whether a task is of that kind, as
    users of the original expect (there the decorators were the classes).
    """

    def __init__(self, kind: type[Task]) -> None:
        self.kind = kind
        self.__name__ = self.__qualname__ = kind.__name__
        self.__module__ = __name__
        name = kind.__name__
        self.__doc__ = (
            f"Make a {name} from an annotated function or callable class.\n\n"
            f"{inspect.getdoc(kind)}\n\n"
            f"Use bare (``@{name}``) or with options (``@{name}(cache=False, version='2', name='stable.name')``). "
            f"``isinstance(task, {name})`` tells whether a task is of this kind."
        )

    def __call__(
        self, obj: Any = None, *, cache: bool | None = None, version: str | None = None, name: str | None = None
    ) -> Any:
        localns = sys._getframe(1).f_locals
        kind = self.kind
        if obj is None:
            return lambda o: make_task_class(o, kind, cache=cache, version=version, name=name, localns=localns)
        return make_task_class(obj, kind, cache=cache, version=version, name=name, localns=localns)

    def __instancecheck__(self, obj: object) -> bool:
        return isinstance(obj, self.kind)

    def __subclasscheck__(self, cls: type) -> bool:
        return isinstance(cls, type) and issubclass(cls, self.kind)

    def __repr__(self) -> str:
        return f"<task decorator {self.__name__}>"


class IterativeTaskDecorator(TaskDecorator):
    """``@RecordedIterativeTask('n', map={...})``: unlike the other decorators it needs arguments."""

    def __init__(self) -> None:
        super().__init__(task_types.RecordedIterativeTask)
        self.__doc__ = (
            "Make a RecordedIterativeTask; unlike other decorators it needs arguments.\n\n"
            "*iteration_parameter* names the integer input counting iterations; *map*\n"
            "``{output name: input name}`` says how a stored result with fewer iterations\n"
            "becomes the starting point of a longer run. ``isinstance(task, RecordedIterativeTask)``\n"
            "tells whether a task is of this kind."
        )

    def __call__(  # type: ignore[override]
        self,
        iteration_parameter: str | None = None,
        *,
        map: dict[str, str] | None = None,  # noqa: A002 - the original's name for it
        cache: bool | None = None,
        version: str | None = None,
        name: str | None = None,
    ) -> Callable[[Any], type[Task]]:
        if not isinstance(iteration_parameter, str) or map is None:
            raise TaskDefinitionError(
                "RecordedIterativeTask needs arguments: @RecordedIterativeTask('n', map={'x': 'x0'}) "
                "names the iteration-count input and maps outputs of a previous run to inputs."
            )
        localns = sys._getframe(1).f_locals
        kind = self.kind

        def decorate(obj: Any) -> type[Task]:
            cls = make_task_class(obj, kind, cache=cache, version=version, name=name, localns=localns)
            _check_iteration_spec(cls, iteration_parameter, map)
            cls.iteration_parameter = iteration_parameter
            cls.iteration_map = dict(map)
            return cls

        return decorate


def _check_iteration_spec(cls: type[Task], parameter: str, mapping: dict[str, str]) -> None:
    inputs = cls._inputs.fields
    outputs = cls._outputs.names
    owner = cls.taskname
    if parameter not in inputs:
        raise TaskDefinitionError(
            f"Task '{owner}': iteration parameter '{parameter}' is not one of its inputs ({', '.join(inputs)})."
        )
    annotation = inputs[parameter].annotation
    if not (isinstance(annotation, type) and issubclass(annotation, numbers.Integral) and annotation is not bool):
        raise TaskDefinitionError(
            f"Task '{owner}': iteration parameter '{parameter}' must be annotated `int`, not {annotation!r}."
        )
    if cls._outputs.separate is not None:
        raise TaskDefinitionError(f"Task '{owner}': iterative tasks cannot use separate_outputs.")
    if not mapping:
        raise TaskDefinitionError(
            f"Task '{owner}': the iteration map is empty; map at least one output to the input it continues from."
        )
    bad_outputs = sorted(set(mapping) - set(outputs))
    if bad_outputs:
        raise TaskDefinitionError(
            f"Task '{owner}': iteration map keys {bad_outputs} are not outputs; outputs are {sorted(outputs)}."
        )
    bad_inputs = sorted(set(mapping.values()) - set(inputs))
    if bad_inputs:
        raise TaskDefinitionError(
            f"Task '{owner}': iteration map values {bad_inputs} are not inputs; inputs are {sorted(inputs)}."
        )
    if parameter in mapping.values():
        raise TaskDefinitionError(
            f"Task '{owner}': the iteration map may not set the iteration parameter '{parameter}' itself."
        )


RecordedTask = TaskDecorator(task_types.RecordedTask)
MemoizedTask = TaskDecorator(task_types.MemoizedTask)
NonMemoizedTask = TaskDecorator(task_types.NonMemoizedTask)
UnpureMemoizedTask = TaskDecorator(task_types.UnpureMemoizedTask)
RecordedIterativeTask = IterativeTaskDecorator()
