"""The in-memory result tier: a bounded least-recently-used map from task key to result."""

from __future__ import annotations

import copy
import itertools
import threading
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

    __slots__ = ("_result", "_replayed", "values")

    def __init__(self, values: dict[str, Any], result: Any) -> None:
        self.values = values
        self._replayed = _is_iterator(result)
        self._result = itertools.tee(result, 1)[0] if self._replayed else result

    @property
    def result(self) -> Any:
        """The result; for an iterator, a fresh copy from its first item."""
        return copy.copy(self._result) if self._replayed else self._result


def _is_iterator(value: Any) -> bool:
    return hasattr(type(value), "__next__") and hasattr(type(value), "__iter__")


class MemoryCache:
    """Keeps the *maxsize* most recently used results; a hit returns the very same object."""

    def __init__(self, maxsize: int = 256) -> None:
        if maxsize < 0:
            raise ConfigError(f"memory cache size must be >= 0, got {maxsize}")
        self.maxsize = maxsize
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
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def discard(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
