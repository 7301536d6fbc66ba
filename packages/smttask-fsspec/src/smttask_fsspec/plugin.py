"""Plugin entry point of smttask-fsspec (entry point ``fsspec`` in the ``smttask`` group).

Importing it is cheap, and it names its backend without importing it: the backend module loads only
in a project whose ``storage`` is ``fsspec``, and fsspec and paramiko when that backend first touches storage.
"""

from __future__ import annotations

from smttask.components import Component
from smttask.hookspecs import hookimpl


@hookimpl
def smttask_storage_backends() -> list[Component]:
    return [Component("fsspec", "smttask_fsspec.backend:FsspecStorage")]
