"""Plugin entry point of smttask-dask (entry point ``dask`` in the ``smttask`` group).

Importing it is cheap: ``dask`` and ``distributed`` load only when a batch runs on the ``dask`` executor.
"""

from __future__ import annotations

from typing import Any

from smttask.components import Component
from smttask.hookspecs import hookimpl


@hookimpl
def smttask_executors() -> list[Component]:
    return [Component("dask", "smttask_dask.executor:DaskExecutor")]


@hookimpl(trylast=True)
def smttask_cli_commands(cli: Any) -> None:
    """Give ``smttask run`` (added by smttask-cli, which goes first) its ``--scheduler`` option, once it is loaded."""
    from smttask_cli.extending import when_loaded

    when_loaded(cli, "run", _add_scheduler_option)


def _add_scheduler_option(cli: Any) -> None:
    from .cli import add_scheduler_option

    add_scheduler_option(cli)
