"""smttask-fsspec: task results on shared storage (SFTP, a shared directory, object stores) through fsspec."""

from .backend import FsspecStorage
from .errors import FsspecStorageError, StorageUnreachableError, StorageURLError

__all__ = ["FsspecStorage", "FsspecStorageError", "StorageURLError", "StorageUnreachableError"]
