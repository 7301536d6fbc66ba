"""Task inputs: parameters read from a function signature, validated by their annotations.

The graph walkers (:mod:`smttask.walk`) and validation helpers (:mod:`smttask.validation`)
it once held are importable from here as before."""

from __future__ import annotations

import collections.abc
import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .errors import InvalidValueError, TaskDefinitionError, TaskInputError
from .validation import Validator, format_validation_error, make_adapter, type_name
from .walk import contains_task, is_task, iter_tasks

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = [
    "InputField",
    "InputSpec",
    "contains_task",
    "format_validation_error",
    "is_task",
    "iter_tasks",
    "make_adapter",
    "resolved_hints",
]

_EMPTY = inspect.Parameter.empty
_SCALARS = frozenset({int, float, str, bool, type(None), bytes})
_SEQUENCES = (list, set, frozenset, collections.abc.Sequence, collections.abc.Set)
_MAPPINGS = (dict, collections.abc.Mapping)


@dataclass(frozen=True)
class InputField:
    """One task parameter: its name, annotation, default and validator."""

    name: str
    annotation: Any
    default: Any
    validator: Validator

    @property
    def adapter(self) -> TypeAdapter | None:
        """pydantic's adapter for the annotation (None for ``Any``)."""
        return self.validator.adapter

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    def validate(self, value: Any) -> Any:
        """*value* validated and coerced; :class:`InvalidValueError` if it does not fit."""
        return self.validator(value)

    @cached_property
    def _item_check(self) -> tuple[str, Callable[[Any], Any]] | None:
        """How to validate one item of a container annotation (``list[T]``, ``dict[K, V]``...)."""
        origin = typing.get_origin(self.annotation)
        args = typing.get_args(self.annotation)
        if (
            origin in _SEQUENCES
            and len(args) == 1
            or origin is tuple
            and len(args) == 2
            and args[1] is Ellipsis
        ):
            item, kind = args[0], "items"
        elif origin in _MAPPINGS and len(args) == 2:
            item, kind = args[1], "values"
        else:
            return None
        return None if item is Any else (kind, Validator(item))

    def validate_around_tasks(self, value: Any) -> Any:
        """Validate the plain items of a container that also holds tasks; the tasks stay.

        So ``[task, 4]`` and ``[task, 4.0]`` given to a ``list[float]`` are the same
        input (and key). The whole value is validated again once the tasks have run.
        """
        item = self._item_check
        if item is None:
            return value
        kind, check = item
        t = type(value)
        if kind == "items" and t in (list, tuple, set, frozenset):
            return t(v if contains_task(v) else check(v) for v in value)
        if kind == "values" and t is dict:
            return {k: v if contains_task(v) else check(v) for k, v in value.items()}
        return value


def resolved_hints(func: Callable, localns: dict[str, Any] | None = None) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func, localns=localns, include_extras=True)
    except NameError as exc:
        raise TaskDefinitionError(
            f"Cannot resolve the annotations of '{func.__qualname__}': {exc}. "
            "Import every name used in its annotations at module level."
        ) from exc


class InputSpec:
    """The parameters of a task, built from the annotated signature of its function."""

    def __init__(
        self,
        func: Callable,
        owner: str,
        *,
        skip_first: bool = False,
        localns: dict[str, Any] | None = None,
    ) -> None:
        signature = inspect.signature(func)
        params = list(signature.parameters.values())
        if skip_first:
            params = params[1:]
        hints = resolved_hints(func, localns)
        fields: dict[str, InputField] = {}
        for param in params:
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise TaskDefinitionError(
                    f"Task '{owner}' has a variadic parameter '{param.name}'; tasks need "
                    "named parameters, each annotated with a type."
                )
            if param.name not in hints:
                raise TaskDefinitionError(
                    f"Parameter '{param.name}' of task '{owner}' has no type annotation. "
                    f"Annotate it, e.g. `{param.name}: float` (use typing.Any for any value)."
                )
            if param.name == "reason":
                raise TaskDefinitionError(
                    f"Task '{owner}' has a parameter named 'reason', which is reserved for the "
                    "free-text reason of a run. Rename the parameter."
                )
            annotation = hints[param.name]
            fields[param.name] = InputField(param.name, annotation, param.default, Validator(annotation))
        self.owner = owner
        self.fields = fields
        self.signature = signature.replace(parameters=params)
        self._keyword_bindable = all(
            p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) for p in params
        )

    def bind(self, args: tuple, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Match call arguments to parameters, with defaults applied."""
        if not args and self._keyword_bindable and self.fields.keys() >= kwargs.keys():
            # Fast path for the usual Task(a=1, b=2); Signature.bind costs ~9 us.
            bound = {}
            for name, f in self.fields.items():
                if name in kwargs:
                    bound[name] = kwargs[name]
                elif f.default is not _EMPTY:
                    bound[name] = f.default
                else:
                    break  # a missing input: let Signature.bind word the error
            else:
                return bound
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError as exc:
            expected = ", ".join(self.fields)
            raise TaskInputError(
                f"Task '{self.owner}': {exc}. Its inputs are: {expected}."
            ) from None
        bound.apply_defaults()
        return dict(bound.arguments)

    def validate(
        self, values: Mapping[str, Any], *, defer_tasks: bool
    ) -> tuple[dict[str, Any], frozenset[str]]:
        """Validate and coerce *values*.

        With *defer_tasks*, a value that is or holds a task is kept as given and
        its name returned in the second element: it is validated once the
        upstream results are known.
        """
        validated: dict[str, Any] = {}
        deferred = set()
        fields = self.fields
        for name, value in values.items():
            field = fields[name]
            try:
                if defer_tasks and type(value) not in _SCALARS and contains_task(value):
                    validated[name] = field.validate_around_tasks(value)
                    deferred.add(name)
                    continue
                validated[name] = field.validate(value)
            except InvalidValueError as exc:
                raise TaskInputError(
                    f"Invalid input '{name}' for task '{self.owner}' (expected "
                    f"{type_name(field.annotation)}): {exc}"
                ) from None
        return validated, frozenset(deferred)
