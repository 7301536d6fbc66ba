"""smttask-fsspec: task results on shared storage (SFTP, a shared directory, object stores) through fsspec.

Importing this package imports neither fsspec nor the backend: the names load
on first use, so a project whose storage is ``local`` pays nothing for the plugin.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import FsspecStorage
    from .errors import FsspecStorageError, StorageUnreachableError, StorageURLError

_LAZY = {
    "FsspecStorage": "smttask_fsspec.backend",
    "FsspecStorageError": "smttask_fsspec.errors",
    "StorageURLError": "smttask_fsspec.errors",
    "StorageUnreachableError": "smttask_fsspec.errors",
}

__all__ = ["FsspecStorage", "FsspecStorageError", "StorageURLError", "StorageUnreachableError"]


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'smttask_fsspec' has no attribute '{name}'") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
