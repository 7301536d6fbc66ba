"""Plugin entry point of smttask-fsspec (entry point ``fsspec`` in the ``smttask`` group).

Importing it is cheap: fsspec and paramiko load only when the ``fsspec`` backend first touches storage.
"""

from __future__ import annotations

from typing import Any

from smttask.hookspecs import hookimpl


@hookimpl
def smttask_storage_backends() -> list[type[Any]]:
    from .backend import FsspecStorage

    return [FsspecStorage]
