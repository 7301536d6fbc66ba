"""Shipping task classes defined in ``__main__`` to worker processes, with ``dill``.

Task classes defined in a script or a notebook cannot be imported by name in a
worker, so the parent packs them (:func:`pack_main_classes`) and each worker
rebuilds them with the same identity, hence the same keys
(:func:`install_main_classes`). ``dill`` is imported only when there is
something to ship.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import SmttaskError
from .planning import upstream_tasks

if TYPE_CHECKING:
    from ..task import Task


def main_classes(tasks: Iterable[Task]) -> list[type[Task]]:
    """Task classes defined in ``__main__`` among *tasks* and their upstream tasks."""
    found: dict[str, type[Task]] = {}
    seen: set[int] = set()
    stack = list(tasks)
    while stack:
        task = stack.pop()
        if id(task) in seen:
            continue
        seen.add(id(task))
        cls = type(task)
        if cls.module_name == "__main__":
            found.setdefault(cls.identity, cls)
        stack.extend(upstream_tasks(task))
    return list(found.values())


def pack_main_classes(tasks: Iterable[Task]) -> bytes | None:
    """Serialize (with dill) the ``__main__`` task classes among *tasks*, or None if there are none.

    Each is shipped as the decorated function or class plus the decorator's
    options, and rebuilt in the worker with the same identity, hence the same keys.
    """
    classes = main_classes(tasks)
    if not classes:
        return None
    try:
        import dill
    except ImportError:
        raise SmttaskError(
            f"Task '{classes[0].taskname}' is defined in __main__ (a script or notebook); running it in "
            "worker processes needs the 'dill' package: `pip install dill` (or define the task in an "
            "importable module, or run it in this process with the 'inline' executor)."
        ) from None
    specs = []
    for cls in classes:
        if "." in cls.taskname:
            raise SmttaskError(
                f"Task '{cls.taskname}' is defined inside a function or class in __main__; worker processes "
                "cannot rebuild it. Define it at the top level of the script or notebook."
            )
        obj = _with_resolved_annotations(cls.__wrapped__)  # type: ignore[attr-defined]
        cache = cls.__dict__.get("cache")
        specs.append((obj, cls.__bases__[0], cache, cls.version, cls.identity))
    buffer = io.BytesIO()
    _main_pickler(dill)(buffer, recurse=True).dump(specs)
    return buffer.getvalue()


def _main_pickler(dill: Any) -> type:
    """A dill pickler that also ships pydantic models defined in ``__main__`` (e.g. a TaskOutput).

    dill cannot pickle those classes by value; they are rebuilt from their fields
    (validators and methods of such models are not shipped).
    """
    from pydantic import BaseModel

    class MainPickler(dill.Pickler):  # type: ignore[misc, name-defined]
        def reducer_override(self, obj: Any) -> Any:
            if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == "__main__":
                fields = {name: (info.annotation, info) for name, info in obj.model_fields.items()}
                return _rebuild_model, (obj.__name__, obj.__qualname__, obj.__bases__, fields, obj.__doc__)
            return NotImplemented

    return MainPickler


def _rebuild_model(name: str, qualname: str, bases: tuple[type, ...], fields: dict[str, Any], doc: str | None) -> type:
    """Recreate (in a worker) a pydantic model shipped from ``__main__``, and register it there."""
    from pydantic import create_model

    model = create_model(name, __base__=bases, __module__="__main__", __doc__=doc, **fields)
    model.__qualname__ = qualname
    main = sys.modules["__main__"]
    if "." not in qualname and not hasattr(main, qualname):
        setattr(main, qualname, model)
    return model


def _with_resolved_annotations(obj: Any) -> Any:
    """A copy of function *obj* whose annotations are objects, not strings (dill ships only what the code uses)."""
    import types
    import typing

    if not isinstance(obj, types.FunctionType):
        return obj
    copy = types.FunctionType(obj.__code__, obj.__globals__, obj.__name__, obj.__defaults__, obj.__closure__)
    copy.__kwdefaults__ = obj.__kwdefaults__
    copy.__qualname__ = obj.__qualname__
    copy.__module__ = obj.__module__
    copy.__doc__ = obj.__doc__
    copy.__annotations__ = typing.get_type_hints(obj, include_extras=True)
    return copy


def install_main_classes(payload: bytes) -> None:
    """Rebuild shipped ``__main__`` task classes and make them importable from ``__main__``."""
    import dill

    from ..decorators import make_task_class

    main = sys.modules["__main__"]
    for obj, kind, cache, version, identity in dill.loads(payload):
        existing = getattr(main, obj.__qualname__, None)
        if getattr(existing, "__smttask_task__", False) and getattr(existing, "identity", None) == identity:
            continue  # the worker already has it (forked, or a re-imported script)
        cls = make_task_class(obj, kind, cache=cache, version=version, name=identity)
        setattr(main, obj.__qualname__, cls)
