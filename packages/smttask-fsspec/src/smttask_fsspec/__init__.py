"""smttask-fsspec: task results on shared storage (SFTP, a shared directory, object stores) through fsspec.

Importing this package imports neither fsspec nor the backend: the names load
on first use, so a project whose storage is ``local`` pays nothing for the plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smttask.lazyexports import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
