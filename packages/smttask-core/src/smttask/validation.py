"""Validation of values against annotations: plain values by their types, everything else by pydantic.

Importing pydantic costs a process some 60 ms, more than the rest of smttask
together, and most of what a short script, a ``smttask run`` job or a cluster
job validates is plain: an ``int`` given for ``x: int``, a list of floats for
``xs: list[float]`` (see :mod:`smttask.plainvalues`). pydantic gives such a
value back as it is, so a :class:`Validator` takes it without pydantic; any
other value, or any other annotation, goes to pydantic's validator, imported
and built on first need. The result is the same either way, only sooner.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import InvalidValueError
from .plainvalues import NOT_PLAIN, plain_check

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError

#: Scalar annotations whose values pydantic returns unchanged when their type is exactly the annotation.
PLAIN_ANNOTATIONS: tuple[type, ...] = (int, float, str, bool)


def format_validation_error(error: ValidationError) -> str:
    """*error* as one line: each problem with where it is and the value given."""
    parts = []
    for item in error.errors(include_url=False):
        loc = ".".join(str(x) for x in item["loc"])
        given = repr(item.get("input"))
        if len(given) > 60:
            given = given[:57] + "..."
        parts.append(f"{item['msg']}{' at ' + loc if loc else ''} (got {given})")
    return "; ".join(parts)


def make_adapter(annotation: Any) -> TypeAdapter:
    """A pydantic validator for *annotation* that accepts arbitrary classes as types."""
    from pydantic import ConfigDict, PydanticUserError, TypeAdapter

    try:
        return TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))
    except PydanticUserError:
        # A BaseModel/dataclass annotation carries its own config; pydantic refuses a second one.
        return TypeAdapter(annotation)


class Validator:
    """Validates (and coerces) values for one annotation; ``Any`` takes every value as it is.

    Calling it returns the value validated, or raises :class:`InvalidValueError`
    with pydantic's complaint in one line. pydantic's validator is built when
    the validator is made, so that what pydantic says of an annotation it says
    where the task is defined. For a plain annotation (``int``, ``list[float]``,
    ``str | None``, an enum, a ``Literal``...), which it always takes, it is
    built only when a value is first given that is not exactly of it (an
    ``int`` for a ``float``), or for a plain container once something else has
    loaded pydantic: its validator walks a long list 3-7 times faster than
    Python does, to the same value.
    """

    __slots__ = ("_check", "_exact", "_plain", "annotation")

    def __init__(self, annotation: Any) -> None:
        self.annotation = annotation
        self._exact: type | None = next((t for t in PLAIN_ANNOTATIONS if annotation is t), None)
        self._plain = None if self._exact is not None else plain_check(annotation)
        self._check: Callable[[Any], Any] | None = None
        if self._exact is None and self._plain is None and annotation is not Any:
            self._check = make_adapter(annotation).validator.validate_python

    @property
    def adapter(self) -> TypeAdapter | None:
        """pydantic's adapter for the annotation (None for ``Any``)."""
        return None if self.annotation is Any else make_adapter(self.annotation)

    def __call__(self, value: Any) -> Any:
        if type(value) is self._exact:
            return value
        check = self._check
        if check is None:
            plain = self._plain
            if plain is not None and "pydantic" not in sys.modules:
                result = plain(value)
                if result is not NOT_PLAIN:
                    return result
            if self.annotation is Any:
                return value
            check = self._check = make_adapter(self.annotation).validator.validate_python
        try:
            return check(value)
        except _validation_error() as exc:  # evaluated only once something is raised
            raise InvalidValueError(format_validation_error(exc)) from None

    def __repr__(self) -> str:
        return f"Validator({type_name(self.annotation)})"


def _validation_error() -> type[ValidationError]:
    from pydantic import ValidationError

    return ValidationError


def type_name(annotation: Any) -> str:
    """A short readable name for the type *annotation* (its display name if it carries one)."""
    if typing.get_origin(annotation) is typing.Annotated:
        for meta in annotation.__metadata__:
            name = getattr(meta, "display_name", None)
            if name:
                return name
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")
