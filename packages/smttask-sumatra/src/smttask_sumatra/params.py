"""Finding and comparing parameters in recorded task descriptions by dotted path.

A record's parameters are its task file document; an input that is an
upstream task appears as ``{"$type": "task", "value": <its document>}``. A
dotted path walks through them: ``"a.b"`` is input ``b`` of the task given as
input ``a``. Path parts index lists and tuples by position too (``"xs.0"``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

TYPE_TAG = "$type"
_MISSING = object()

#: The comparisons :meth:`RecordStoreView.params` accepts, by keyword.
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: _equal(a, b),
    "ne": lambda a, b: not _equal(a, b),
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "isin": lambda a, b: any(_equal(a, x) for x in b),
}


def lookup(inputs: Mapping[str, Any], path: str, decode: Callable[[Any], Any] | None = None) -> Any:
    """The value at dotted *path* in a task document's *inputs*; :class:`KeyError` if absent.

    Typed leaf values (``{"$type": ..., "value": ...}``) are passed to *decode*
    when given (e.g. to turn them back into tuples, paths or arrays).
    """
    node: Any = inputs
    for part in path.split("."):
        node = _descend(_unwrap(node), part)
        if node is _MISSING:
            raise KeyError(path)
    if isinstance(node, dict) and TYPE_TAG in node and decode is not None:
        return decode(node)
    return node


def matches(
    inputs: Mapping[str, Any],
    test: str,
    path: str,
    expected: Any,
    decode: Callable[[Any], Any] | None,
) -> bool:
    """Whether the value at *path* passes comparison *test* against *expected* (False if absent)."""
    try:
        value = lookup(inputs, path, decode)
    except KeyError:
        return False
    try:
        return bool(COMPARISONS[test](value, expected))
    except TypeError:
        return False  # e.g. comparing a string with a number: not a match


def flatten(inputs: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of *inputs* as ``(dotted path, JSON value)``, through nested tasks."""
    for name, value in inputs.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict) and value.get(TYPE_TAG) == "task":
            yield from flatten(value["value"].get("inputs", {}), path + ".")
        elif isinstance(value, dict) and TYPE_TAG not in value:
            yield from flatten(value, path + ".")
        else:
            yield path, value


def _unwrap(node: Any) -> Any:
    if isinstance(node, dict) and TYPE_TAG in node:
        value = node.get("value")
        if node[TYPE_TAG] == "task" and isinstance(value, dict):
            return value.get("inputs", {})
        return value
    return node


def _descend(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part, _MISSING)
    if isinstance(node, list) and part.lstrip("-").isdigit():
        index = int(part)
        return node[index] if -len(node) <= index < len(node) else _MISSING
    return _MISSING


def _equal(a: Any, b: Any) -> bool:
    if isinstance(b, tuple) and isinstance(a, list):
        a = tuple(a)
    result = a == b
    if isinstance(result, bool):
        return result
    try:  # array-like comparisons give arrays
        return bool(result.all())
    except AttributeError:
        return bool(result)
