"""Finding and comparing parameters in recorded task descriptions by dotted path.

A record's parameters are its task file document; an input that is an
upstream task appears as ``{"$type": "task", "value": {"ref": <key>}}``, the
task described under that key in the document's ``"upstream"`` table (files
of format version 1 nest ``{"$type": "task", "value": <its document>}``
instead; both are read). A dotted path walks through them: ``"a.b"`` is input
``b`` of the task given as input ``a``. Path parts index lists and tuples by
position too (``"xs.0"``).
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
    "isclose": lambda a, b: _close(a, b),
}


#: How many levels of upstream tasks :func:`flatten` goes through (paths deeper than this are not columns).
FLATTEN_DEPTH = 32


def lookup(document: Mapping[str, Any], path: str, decode: Callable[[Any], Any] | None = None) -> Any:
    """The value at dotted *path* in a task *document*'s inputs; :class:`KeyError` if absent.

    Typed leaf values (``{"$type": ..., "value": ...}``) are passed to *decode*
    when given (e.g. to turn them back into tuples, paths or arrays).
    """
    upstream = _table(document)
    node: Any = document.get("inputs", {})
    for part in path.split("."):
        node = _descend(_unwrap(node, upstream), part)
        if node is _MISSING:
            raise KeyError(path)
    if isinstance(node, dict) and TYPE_TAG in node and decode is not None:
        return decode(node)
    return node


def matches(
    document: Mapping[str, Any],
    test: str,
    path: str,
    expected: Any,
    decode: Callable[[Any], Any] | None,
) -> bool:
    """Whether the value at *path* passes comparison *test* against *expected* (False if absent)."""
    try:
        value = lookup(document, path, decode)
    except KeyError:
        return False
    try:
        return bool(COMPARISONS[test](value, expected))
    except TypeError:
        return False  # e.g. comparing a string with a number: not a match


def flatten(document: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every leaf of a task *document*'s inputs as ``(dotted path, JSON value)``, through upstream tasks.

    In input order; upstream tasks are followed :data:`FLATTEN_DEPTH` levels deep.
    """
    upstream = _table(document)
    inputs = document.get("inputs", {})
    stack: list[tuple[str, Any, int]] = [(name, value, 0) for name, value in reversed(list(inputs.items()))]
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, dict) and value.get(TYPE_TAG) == "task":
            if depth < FLATTEN_DEPTH:
                below, depth = _unwrap(value, upstream), depth + 1
            else:
                continue
        elif isinstance(value, dict) and TYPE_TAG not in value:
            below = value
        else:
            yield path, value
            continue
        if isinstance(below, dict):
            stack.extend((f"{path}.{name}", item, depth) for name, item in reversed(list(below.items())))


def _table(document: Mapping[str, Any]) -> Mapping[str, Any]:
    table = document.get("upstream")
    return table if isinstance(table, dict) else {}


def _unwrap(node: Any, upstream: Mapping[str, Any]) -> Any:
    if isinstance(node, dict) and TYPE_TAG in node:
        value = node.get("value")
        if node[TYPE_TAG] == "task" and isinstance(value, dict):
            if isinstance(value.get("ref"), str):
                value = upstream.get(value["ref"], {})
            return value.get("inputs", {}) if isinstance(value, dict) else {}
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


def _close(a: Any, b: Any) -> bool:
    """Whether *a* and *b* are equal within NumPy's default tolerances (element-wise for sequences)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "shape") or hasattr(b, "shape"):
        import numpy as np

        return bool(np.all(np.isclose(a, b)))
    return abs(a - b) <= 1e-8 + 1e-5 * abs(b)
