"""Plugin entry point of smttask-sumatra (entry point ``sumatra`` in the ``smttask`` group).

Importing this module is cheap: it names its recorder without importing it;
the recorder's module loads when a project uses it, Sumatra, Django and click
only when a record is written or a command runs.
"""

from __future__ import annotations

from typing import Any

from smttask.components import Component
from smttask.hookspecs import hookimpl


@hookimpl
def smttask_recorders() -> list[Component]:
    return [Component("sumatra", "smttask_sumatra.recorder:SumatraRecorder")]


@hookimpl
def smttask_cli_commands(cli: Any) -> None:
    from .cli import register

    register(cli)


@hookimpl
def smttask_gc_roots(project: Any, keep_recorded: bool) -> list[Any]:
    from .gcroots import record_roots

    return record_roots(project, keep_recorded)


@hookimpl
def smttask_task_of_record(project: Any, label: str) -> Any:
    from .recordtasks import task_of_record

    return task_of_record(project, label)
