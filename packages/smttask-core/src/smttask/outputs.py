"""Task outputs: a bare type, a fixed-length tuple, or named fields of a :class:`TaskOutput`.

Each output is stored in its own file, so an array output is written as
``.npy`` even when returned beside plain numbers.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal

from .errors import InvalidValueError, TaskDefinitionError, TaskInputError, TaskOutputError
from .lazyexports import lazy_exports
from .signature import resolved_hints
from .validation import Validator
from .walk import contains_task

__getattr__, __dir__ = lazy_exports(__name__, {"TaskOutput": "smttask.taskoutput"})

BARE_OUTPUT = ""


class SeparateOutputs:
    """Marker type made by :func:`separate_outputs`: a tuple of outputs named from the inputs."""

    item_type: ClassVar[Any]
    get_names: ClassVar[Callable[..., Sequence[str]]]
    name_inputs: ClassVar[tuple[str, ...]]


def separate_outputs(item_type: Any, names_from_inputs: Callable[..., Sequence[str]]) -> type[SeparateOutputs]:
    """Return annotation for a variable number of outputs, each stored in its own file.

    *names_from_inputs* receives the task inputs named by its parameters and
    returns the output names; the task returns one value of *item_type* per name,
    as a sequence in the same order (or a dict by name). ``run()`` gives a tuple.
    Use it when the number of outputs depends on the inputs, or when each one is large.
    """
    params = tuple(inspect.signature(names_from_inputs).parameters)
    return type(
        "SeparateOutputs",
        (SeparateOutputs,),
        {"item_type": item_type, "get_names": staticmethod(names_from_inputs), "name_inputs": params},
    )


class OutputSpec:
    """What a task returns, how to validate it, and how to hand it back to the caller."""

    def __init__(self, func: Callable, owner: str, *, localns: dict[str, Any] | None = None) -> None:
        hints = resolved_hints(func, localns)
        if "return" not in hints:
            raise TaskDefinitionError(
                f"Task '{owner}' has no return annotation. Annotate it with a type "
                "(e.g. `-> float`), a tuple type, or a TaskOutput subclass."
            )
        annotation = hints["return"]
        self.owner = owner
        self.annotation = annotation
        self.kind: Literal["bare", "tuple", "named", "separate"]
        self.separate: type[SeparateOutputs] | None = None
        #: The TaskOutput field holding the separate outputs, when a named output has one.
        self.separate_field: str | None = None
        self.fields: tuple[str, ...] = ()
        if _is_separate(annotation):
            self.kind = "separate"
            self.separate = annotation
            self.types = {}
        elif _is_task_output(annotation):
            fields = annotation.model_fields
            if not fields:
                raise TaskDefinitionError(f"Output model '{annotation.__qualname__}' of task '{owner}' has no fields.")
            self.kind = "named"
            self.fields = tuple(fields)
            separate = [name for name, info in fields.items() if _is_separate(info.annotation)]
            if len(separate) > 1:
                raise TaskDefinitionError(
                    f"Output model '{annotation.__qualname__}' of task '{owner}' has several separate_outputs "
                    f"fields ({', '.join(separate)}); merge them into one, since the stored names of each "
                    "must be told apart."
                )
            if separate:
                self.separate_field = separate[0]
                self.separate = fields[self.separate_field].annotation
            self.types = {name: _field_type(info) for name, info in fields.items() if name not in separate}
            self.result_type = namedtuple(f"{owner.rpartition('.')[2]}Result", list(fields))  # type: ignore[misc]
        elif _is_fixed_tuple(annotation):
            self.kind = "tuple"
            self.types = {str(i): t for i, t in enumerate(typing.get_args(annotation))}
        else:
            self.kind = "bare"
            self.types = {BARE_OUTPUT: annotation}
        self.names: tuple[str, ...] = tuple(self.types)
        item = Any if self.separate is None else self.separate.item_type
        self._item_validator = Validator(item)
        self.validators: dict[str, Validator] = {name: Validator(t) for name, t in self.types.items()}

    def names_for(self, inputs: Mapping[str, Any]) -> tuple[str, ...]:
        """The output names of a task with these *inputs* (fixed, except for separate outputs)."""
        if self.separate is None:
            return self.names
        args = {}
        for name in self.separate.name_inputs:
            if name not in inputs:
                raise TaskDefinitionError(
                    f"The output names of task '{self.owner}' are computed from '{name}', which is not one of its inputs."
                )
            if contains_task(inputs[name]):
                raise TaskInputError(
                    f"Task '{self.owner}' names its outputs from input '{name}', so that input must be "
                    "a value, not a task: its output names must be known before anything runs."
                )
            args[name] = inputs[name]
        generated = tuple(str(n) for n in self.separate.get_names(**args))
        if self.separate_field is None:
            names = generated
        else:
            at = self.fields.index(self.separate_field)
            names = (*self.fields[:at], *generated, *self.fields[at + 1 :])
        if len(set(names)) != len(names) or any(not n or "/" in n or n.startswith(".") for n in names):
            raise TaskDefinitionError(
                f"Output names of task '{self.owner}' must be unique, non-empty and usable in file names; got {names!r}."
            )
        return names

    def _validator(self, name: str) -> Validator:
        return self.validators.get(name, self._item_validator)

    def _generated(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The names among *names* made by ``separate_outputs`` (not fixed fields), in order."""
        return tuple(n for n in names if n not in self.validators)

    def parse(self, result: Any, names: tuple[str, ...] | None = None) -> dict[str, Any]:
        """Validate a value returned by the task into one value per output name."""
        return self.validate(self._split(result, names or self.names), result)

    def validate(self, raw: dict[str, Any], result: Any = None) -> dict[str, Any]:
        """Validate values already split by output name (e.g. read back from storage)."""
        parsed = {}
        for name, value in raw.items():
            try:
                parsed[name] = self._validator(name)(value)
            except InvalidValueError as exc:
                label = f"output '{name}'" if name else "its output"
                raise TaskOutputError(
                    f"Task '{self.owner}' returned an invalid value for {label}: "
                    f"{exc}. The value is kept in this error's `.result`.",
                    result,
                ) from None
        return parsed

    def _split(self, result: Any, names: tuple[str, ...]) -> dict[str, Any]:
        if self.kind == "bare":
            return {BARE_OUTPUT: result}
        if self.kind == "separate" and isinstance(result, Mapping) and set(result) == set(names):
            return {n: result[n] for n in names}
        if _is_model(result):
            result = dict(result)
        if self.separate_field is not None:
            return self._split_fields(result, names)
        if isinstance(result, dict) and self.kind == "named" and set(result) == set(names):
            return {n: result[n] for n in names}
        if len(names) == 1 and self.kind == "named":
            return {names[0]: result}
        if _is_sequence(result) and len(result) == len(names):
            return dict(zip(names, result, strict=True))
        raise TaskOutputError(
            f"Task '{self.owner}' must return {len(names)} values ({', '.join(names)}), "
            f"got {type(result).__name__}. The value is kept in this error's `.result`.",
            result,
        )

    def _split_fields(self, result: Any, names: tuple[str, ...]) -> dict[str, Any]:
        """Split a named result whose separate_outputs field holds one value per generated name."""
        if isinstance(result, Mapping) and set(result) == set(self.fields):
            by_field = dict(result)
        elif _is_sequence(result) and len(result) == len(self.fields):
            by_field = dict(zip(self.fields, result, strict=True))
        else:
            raise TaskOutputError(
                f"Task '{self.owner}' must return its {len(self.fields)} output fields "
                f"({', '.join(self.fields)}) as a tuple or a dict, got {type(result).__name__}. "
                "The value is kept in this error's `.result`.",
                result,
            )
        generated = self._generated(names)
        items = by_field.pop(self.separate_field)
        if isinstance(items, Mapping) and set(items) == set(generated):
            by_field.update((n, items[n]) for n in generated)
        elif _is_sequence(items) and len(items) == len(generated):
            by_field.update(zip(generated, items, strict=True))
        else:
            raise TaskOutputError(
                f"Task '{self.owner}' must give {len(generated)} values ({', '.join(generated)}) in its output "
                f"field '{self.separate_field}', got {type(items).__name__}"
                f"{f' of length {len(items)}' if _is_sequence(items) else ''}. "
                "The value is kept in this error's `.result`.",
                result,
            )
        return {n: by_field[n] for n in names}

    def shape(self, values: dict[str, Any], names: tuple[str, ...] | None = None) -> Any:
        """The value ``run()`` returns: the bare value, a tuple, or a named tuple.

        A separate_outputs field of a named output is the tuple of its values.
        """
        if self.kind == "bare":
            return values[BARE_OUTPUT]
        if self.kind in ("tuple", "separate"):
            return tuple(values[n] for n in (names or self.names))
        fields = [
            tuple(values[n] for n in self._generated(names or tuple(values))) if f == self.separate_field else values[f]
            for f in self.fields
        ]
        return fields[0] if len(fields) == 1 else self.result_type(*fields)


def _is_task_output(annotation: Any) -> bool:
    # No class subclasses TaskOutput before its module is imported, so a task without one never imports pydantic.
    module = sys.modules.get("smttask.taskoutput")
    return module is not None and inspect.isclass(annotation) and issubclass(annotation, module.TaskOutput)


def _is_model(value: Any) -> bool:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.BaseModel)


def _is_separate(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, SeparateOutputs)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _is_fixed_tuple(annotation: Any) -> bool:
    if typing.get_origin(annotation) is not tuple:
        return False
    args = typing.get_args(annotation)
    return bool(args) and args[-1] is not Ellipsis and args != ((),)


def _field_type(info: Any) -> Any:
    if info.metadata:
        return typing.Annotated[(info.annotation, *info.metadata)]
    return info.annotation
