"""The in-memory result tier: a bounded least-recently-used map from task key to result."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class MemoryEntry:
    """A computed result: the values per output name, and the object ``run()`` returned."""

    values: dict[str, Any]
    result: Any


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
