"""Values exactly of a plain annotation, recognised without pydantic.

A *plain* annotation is ``int``, ``float``, ``str``, ``bool``, ``None``, an
``Enum`` class, or a ``Literal`` of strings, ints, bools and ``None``; or is
built from plain ones by ``list[P]``, ``tuple[P, ...]``, ``tuple[P1, P2]``,
``dict[K, P]`` (``K`` a plain scalar) and ``P | None``. A value is *exactly*
of it when each part has exactly the type its place names: no subclass, no
``int`` for a ``float``, no tuple for a list, a member of exactly that enum,
one of the literals with its type. pydantic's validator gives such a value
back as it is, or for a container an equal one built afresh; so does the
check :func:`plain_check` makes. Any other value is :data:`NOT_PLAIN`, for
pydantic to coerce or refuse.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from typing import Any

#: What a check returns for a value that is not exactly of its annotation.
NOT_PLAIN: Any = object()

Check = Callable[[Any], Any]

_SCALARS: tuple[type, ...] = (int, float, str, bool, type(None))
#: The types of the literals a plain ``Literal`` holds (a float literal is left to pydantic).
_LITERAL_TYPES = (str, int, bool, type(None))
_UNIONS = (typing.Union, types.UnionType)


def plain_check(annotation: Any) -> Check | None:
    """The check of values exactly of *annotation*, or None if *annotation* is not plain."""
    if annotation is None:
        annotation = type(None)
    for scalar in _SCALARS:
        if annotation is scalar:
            return _scalar_check(scalar)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _scalar_check(annotation)  # pydantic gives a member of exactly the class back as it is
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return _literal_check(args) if all(type(arg) in _LITERAL_TYPES for arg in args) else None
    if origin is list and len(args) == 1:
        return _list_check(args[0])
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _tuple_check(args[0])
    if origin is tuple and args and Ellipsis not in args and args != ((),):
        return _fixed_tuple_check(args)
    if origin is dict and len(args) == 2 and any(args[0] is scalar for scalar in _SCALARS):
        return _dict_check(args[0], args[1])
    if origin in _UNIONS and len(args) == 2 and type(None) in args:
        return _optional_check(args[0] if args[1] is type(None) else args[1])
    return None


def _scalar_check(scalar: type) -> Check:
    def check(value: Any) -> Any:
        return value if type(value) is scalar else NOT_PLAIN

    return check


def _literal_check(literals: tuple[Any, ...]) -> Check:
    allowed = frozenset((type(literal), literal) for literal in literals)  # True is not 1 here

    def check(value: Any) -> Any:
        try:
            return value if (type(value), value) in allowed else NOT_PLAIN
        except TypeError:  # unhashable: no literal
            return NOT_PLAIN

    return check


def _list_check(item: Any) -> Check | None:
    check_item = plain_check(item)
    if check_item is None:
        return None

    def check(value: Any) -> Any:
        if type(value) is not list:
            return NOT_PLAIN
        items = [check_item(v) for v in value]
        return NOT_PLAIN if any(v is NOT_PLAIN for v in items) else items

    return check


def _tuple_check(item: Any) -> Check | None:
    check_list = _list_check(item)
    if check_list is None:
        return None

    def check(value: Any) -> Any:
        if type(value) is not tuple:
            return NOT_PLAIN
        items = check_list(list(value))
        return NOT_PLAIN if items is NOT_PLAIN else tuple(items)

    return check


def _fixed_tuple_check(places: tuple[Any, ...]) -> Check | None:
    checks = [plain_check(place) for place in places]
    if any(c is None for c in checks):
        return None

    def check(value: Any) -> Any:
        if type(value) is not tuple or len(value) != len(checks):
            return NOT_PLAIN
        items = tuple(c(v) for c, v in zip(checks, value, strict=True))  # type: ignore[misc]
        return NOT_PLAIN if any(v is NOT_PLAIN for v in items) else items

    return check


def _dict_check(key: type, item: Any) -> Check | None:
    check_item = plain_check(item)
    if check_item is None:
        return None

    def check(value: Any) -> Any:
        if type(value) is not dict or any(type(k) is not key for k in value):
            return NOT_PLAIN
        items = {k: check_item(v) for k, v in value.items()}
        return NOT_PLAIN if any(v is NOT_PLAIN for v in items.values()) else items

    return check


def _optional_check(inner: Any) -> Check | None:
    check_inner = plain_check(inner)
    if check_inner is None:
        return None

    def check(value: Any) -> Any:
        return None if value is None else check_inner(value)

    return check
