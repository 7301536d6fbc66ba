"""smttask's built-in components, registered through the same hooks as any plugin.

Storage backends, recorders and executors are named, not imported: a project
imports the module of the one it uses, when it first uses it.
"""

from __future__ import annotations

from typing import Any

from .components import Component
from .hookspecs import hookimpl


@hookimpl
def smttask_storage_backends() -> list[Component]:
    return [Component("local", "smttask.storage.local:LocalStorage")]


@hookimpl
def smttask_recorders() -> list[Component]:
    return [Component("none", "smttask.recording:NullRecorder")]


@hookimpl
def smttask_value_serializers() -> list[Any]:
    from .params import PARAMS_SERIALIZERS
    from .pure_functions import PURE_FUNCTION_SERIALIZERS
    from .seeds import SEED_SERIALIZERS
    from .serializers import BUILTIN_SERIALIZERS
    from .storedarrays import STORED_ARRAY_SERIALIZERS
    from .taskfile import TASKFILE_SERIALIZERS
    from .typing import NUMPY_SERIALIZERS

    return [
        *BUILTIN_SERIALIZERS,
        *TASKFILE_SERIALIZERS,
        *NUMPY_SERIALIZERS,
        *STORED_ARRAY_SERIALIZERS,
        *PARAMS_SERIALIZERS,
        *SEED_SERIALIZERS,
        *PURE_FUNCTION_SERIALIZERS,
    ]


@hookimpl(trylast=True)
def smttask_output_formats() -> list[Any]:
    from .storage import JsonFormat, NpyFormat

    return [NpyFormat(), JsonFormat()]


@hookimpl
def smttask_executors() -> list[Component]:
    return [
        Component("inline", "smttask.execution.inline:InlineExecutor"),
        Component("processes", "smttask.execution.processes:ProcessExecutor"),
    ]


@hookimpl(trylast=True)
def smttask_run_task(task: Any, project: Any, compute: Any) -> Any:
    return compute()


@hookimpl
def smttask_gc_roots(project: Any, keep_recorded: bool) -> list[Any]:
    from .pins import pinned_roots

    return pinned_roots(project)
