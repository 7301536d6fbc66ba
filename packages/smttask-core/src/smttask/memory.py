"""The in-memory result tier: a least-recently-used map from task key to result, bounded by entries and bytes.

The bytes of a result are those it holds in memory: an array counts its
buffer once (views of one buffer share it), a memory-mapped array nothing,
a container what its items hold; containers of more than :data:`SAMPLE`
items are estimated from an even sample of them, and at most
:data:`MAX_OBJECTS` objects are looked into, so sizing a result costs a
bounded number of steps whatever its length. The walk is iterative:
deeply nested results do not reach Python's recursion limit.
"""

from __future__ import annotations

import copy
import itertools
import mmap
import sys
import threading
import types
from collections import OrderedDict
from typing import Any

from .errors import ConfigError


class MemoryEntry:
    """A computed result: the values per output name, and the object ``run()`` returns.

    A result that is an iterator (a task producing a stream of samples) would be
    exhausted by its first consumer and seen empty by every later one; it is
    kept as an unconsumed :func:`itertools.tee` branch instead, and each access
    to :attr:`result` returns an independent copy that starts from the beginning.
    """

    __slots__ = ("_nbytes", "_result", "_replayed", "values")

    def __init__(self, values: dict[str, Any], result: Any) -> None:
        self.values = values
        self._replayed = type(result) not in _ATOMIC and _is_iterator(result)
        self._result = itertools.tee(result, 1)[0] if self._replayed else result
        self._nbytes: int | None = None

    @property
    def nbytes(self) -> int:
        """The memory the result holds (estimated for large containers; see the module docstring)."""
        if self._nbytes is None:
            plain = _plain_bytes(self.values, self._result)
            self._nbytes = held_bytes((self.values, self._result)) if plain is None else plain
        return self._nbytes

    @property
    def result(self) -> Any:
        """The result; for an iterator, a fresh copy from its first item."""
        return copy.copy(self._result) if self._replayed else self._result


def _is_iterator(value: Any) -> bool:
    return hasattr(type(value), "__next__") and hasattr(type(value), "__iter__")


#: Items of a container sized one by one; a longer container is estimated from this many of them.
SAMPLE = 1000
#: Objects looked into per result; past this, the rest count their own size only.
MAX_OBJECTS = 20_000
_CONTAINERS = (list, tuple, set, frozenset)
#: Exactly these types (not subclasses) hold no buffer of their own.
_PLAIN = frozenset({dict, *_CONTAINERS})
#: Types whose objects hold nothing but themselves: sized without looking inside.
_ATOMIC = frozenset({int, float, complex, bool, str, bytes, type(None)})
#: Objects whose attributes belong to the program, not to the result.
_NOT_DATA = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
#: The size of the pair ``(values, result)`` that :func:`held_bytes` is given for a result.
_PAIR = sys.getsizeof((None, None), 0)


def held_bytes(value: Any) -> int:
    """The bytes *value* holds in memory, counting each object and each array buffer once."""
    seen: set[int] = set()
    buffers: set[int] = set()
    total = 0.0
    stack: list[tuple[Any, float]] = [(value, 1.0)]
    while stack:
        obj, weight = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        kind = type(obj)
        if kind in _ATOMIC:
            total += weight * sys.getsizeof(obj, 0)
            continue
        if kind not in _PLAIN:  # a plain container is never an array: skip looking for a buffer
            buffer = _array_buffer(obj)
            if buffer is not None:
                owner, nbytes = buffer
                if id(owner) not in buffers:
                    buffers.add(id(owner))
                    total += weight * nbytes
                continue
        total += weight * sys.getsizeof(obj, 0)
        if len(seen) > MAX_OBJECTS or isinstance(obj, _NOT_DATA):
            continue
        if isinstance(obj, dict):
            items: Any = [*obj.keys(), *obj.values()]
        elif isinstance(obj, _CONTAINERS):
            items = list(obj)
        elif hasattr(obj, "__dict__"):
            items = list(vars(obj).values())
        else:
            continue
        if len(items) > SAMPLE:
            step = len(items) / SAMPLE
            scale = weight * step
            stack.extend((items[int(i * step)], scale) for i in range(SAMPLE))
            continue
        for item in items:
            if type(item) not in _ATOMIC:
                stack.append((item, weight))
            elif id(item) not in seen:  # sized here: most items of most results are plain values
                seen.add(id(item))
                total += weight * sys.getsizeof(item, 0)
    return int(total)


def _plain_bytes(values: dict[str, Any], result: Any) -> int | None:
    """What :func:`held_bytes` says of ``(values, result)`` when *result* and every value are plain
    values (numbers, strings), or None otherwise: most results, sized without the walk."""
    if type(result) not in _ATOMIC:
        return None
    total = _PAIR + sys.getsizeof(values, 0) + sys.getsizeof(result, 0)
    if len(values) == 1:  # a single output, which is the result: no set of objects seen needed
        name, value = next(iter(values.items()))
        if value is result:
            return total if name is result else total + sys.getsizeof(name, 0)
    seen = {id(result)}
    for name, value in values.items():
        if type(value) not in _ATOMIC:
            return None
        for obj in (name, value):
            if id(obj) not in seen:  # each object once, as held_bytes counts it
                seen.add(id(obj))
                total += sys.getsizeof(obj, 0)
    return total


def _array_buffer(obj: Any) -> tuple[Any, int] | None:
    """``(buffer owner, bytes in memory)`` for an array-like with a buffer, else None.

    A view counts the whole buffer it keeps alive, once however many views
    share it; memory-mapped arrays hold no memory of their own: 0. Pandas objects count
    their columns' buffers (without the index labels' Python objects).
    """
    nbytes = getattr(type(obj), "nbytes", None)
    if nbytes is not None and hasattr(obj, "base") and hasattr(obj, "dtype"):
        owner = obj
        while getattr(owner, "base", None) is not None:
            owner = owner.base
            if isinstance(owner, mmap.mmap):
                return owner, 0
        # A view keeps its whole buffer alive: count the owner's bytes.
        size = getattr(owner, "nbytes", None)
        return owner, int(size) if isinstance(size, int) else sys.getsizeof(owner)
    usage = getattr(obj, "memory_usage", None)
    if callable(usage) and hasattr(obj, "dtypes"):
        used = usage(index=True, deep=False)
        return obj, int(used.sum() if hasattr(used, "sum") else used)
    return None


#: The memory tier's default byte bound: 1 GiB.
DEFAULT_MAXBYTES = 1 << 30


class MemoryCache:
    """Keeps the most recently used results, at most *maxsize* of them holding at most *maxbytes*.

    A hit returns the very same object. A result larger than *maxbytes* is
    not kept (it is still stored, for tasks that store results).
    """

    def __init__(self, maxsize: int = 256, maxbytes: int = DEFAULT_MAXBYTES) -> None:
        if maxsize < 0:
            raise ConfigError(f"memory cache size must be >= 0, got {maxsize}")
        if maxbytes < 0:
            raise ConfigError(f"memory cache bytes must be >= 0, got {maxbytes}")
        self.maxsize = maxsize
        self.maxbytes = maxbytes
        self.nbytes = 0
        self._entries: OrderedDict[str, MemoryEntry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> MemoryEntry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: MemoryEntry) -> None:
        if self.maxsize == 0:
            return
        size = entry.nbytes
        with self._lock:
            self._pop(key)
            if size > self.maxbytes:
                return
            self._entries[key] = entry
            self.nbytes += size
            while len(self._entries) > self.maxsize or self.nbytes > self.maxbytes:
                self._pop(next(iter(self._entries)))

    def _pop(self, key: str) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.nbytes -= old.nbytes

    def discard(self, key: str) -> None:
        with self._lock:
            self._pop(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.nbytes = 0

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
