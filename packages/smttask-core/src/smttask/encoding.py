"""Canonical, typed JSON encoding of values, and task keys derived from it.

Two modes share one walk over the value:

- ``"file"``: everything needed to rebuild the value (task files, JSON outputs);
- ``"key"``: what identifies the value; large values (arrays) enter by a digest
  of their content, upstream tasks by their own key.

Canonical text sorts dict keys and set members, so order never changes a key;
``1``, ``1.0``, ``True``, ``"1"`` and ``b"1"`` encode differently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from .canonical import canonical_json, digest_of
from .errors import DeserializationError, UnserializableValueError
from .serializers import JSONValue, SerializerLookup

Mode = Literal["file", "key"]
TYPE_TAG = "$type"

#: Types that encode as themselves, in both modes (a task key may skip encoding them).
PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))
_PLAIN = PLAIN_TYPES


def encode(
    value: Any,
    registry: SerializerLookup,
    mode: Mode = "file",
    where: str = "",
    task_hook: Callable[[Any], JSONValue] | None = None,
    value_hook: Callable[[Any], JSONValue | None] | None = None,
) -> JSONValue:
    """Encode *value* as JSON data (see module docstring for the two *mode*\\ s).

    *task_hook*, if given, encodes upstream tasks instead of their serializer
    (task files use it to write a task shared by several inputs only once).
    *value_hook*, if given, sees every value that is not plain, a list, a dict
    of strings or a task, before its serializer; data it returns (not None) is
    written instead (task files use it to store large arrays apart, see
    :mod:`smttask.storedarrays`).
    """

    def enc(v: Any) -> JSONValue:
        t = type(v)
        if t in _PLAIN:
            return v
        if t is list:
            return [enc(x) for x in v]
        if t is dict and TYPE_TAG not in v and all(type(k) is str for k in v):
            return {k: enc(x) for k, x in v.items()}
        if task_hook is not None and getattr(t, "__smttask_task__", False):
            return {TYPE_TAG: "task", "value": task_hook(v)}
        if value_hook is not None and (replaced := value_hook(v)) is not None:
            return replaced
        serializer = registry.for_type(t)
        if serializer is None:
            if t is dict:
                serializer = registry.by_name("dict")
            else:
                raise UnserializableValueError(t, where)
        data = serializer.key(v, enc) if mode == "key" else serializer.encode(v, enc)
        return {TYPE_TAG: serializer.name, "value": data}

    return enc(value)


def decode(
    data: JSONValue, registry: SerializerLookup, task_hook: Callable[[JSONValue], Any] | None = None
) -> Any:
    """Rebuild a value from :func:`encode`'s ``"file"``-mode data.

    *task_hook*, if given, rebuilds upstream tasks from their data.
    """
    if type(data) is not list and type(data) is not dict:
        return data  # a plain value (most results): nothing to rebuild

    def dec(d: Any) -> Any:
        t = type(d)
        if t is list:
            return [dec(x) for x in d]
        if t is dict:
            tag = d.get(TYPE_TAG)
            if tag is None:
                return {k: dec(x) for k, x in d.items()}
            if not isinstance(tag, str) or set(d) != {TYPE_TAG, "value"}:
                raise DeserializationError(f"Malformed typed value: {json.dumps(d)[:200]}")
            if tag == "task" and task_hook is not None:
                return task_hook(d["value"])
            return registry.by_name(tag).decode(d["value"], dec)
        return d

    return dec(data)


__all__ = ["canonical_json", "decode", "digest_of", "encode"]
