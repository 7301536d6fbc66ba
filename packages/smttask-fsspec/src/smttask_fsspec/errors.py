"""The errors smttask-fsspec raises, each deriving from :class:`smttask.errors.SmttaskError`."""

from __future__ import annotations

from smttask.errors import SmttaskError


class FsspecStorageError(SmttaskError):
    """Base class of the errors of smttask-fsspec."""


class StorageURLError(FsspecStorageError, ValueError):
    """``storage_url`` or the ``[fsspec]`` settings cannot be used (missing, malformed, holding a secret)."""


class StorageUnreachableError(FsspecStorageError, OSError):
    """The server named by ``storage_url`` cannot be reached or refuses the login."""
