"""Graph walkers over task inputs: find the tasks a value holds, knowing nothing else of smttask."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def is_task(value: Any) -> bool:
    """True if *value* is a task instance (without importing the task module)."""
    return getattr(type(value), "__smttask_task__", False)


def iter_tasks(value: Any) -> Iterator[Any]:
    """The tasks in *value*: itself, or those held in a list/tuple/set/dict at any depth
    (not recursing into the tasks' own inputs)."""
    if is_task(value):
        yield value
        return
    t = type(value)
    if t in (list, tuple, set, frozenset):
        for v in value:
            yield from iter_tasks(v)
    elif t is dict:
        for k, v in value.items():
            yield from iter_tasks(k)
            yield from iter_tasks(v)


def contains_task(value: Any) -> bool:
    """True if *value* is a task or a list/tuple/set/dict holding one, at any depth."""
    return next(iter_tasks(value), None) is not None
