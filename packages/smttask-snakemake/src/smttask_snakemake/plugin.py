"""Plugin entry point of smttask-snakemake (entry point ``snakemake`` in the ``smttask`` group).

Importing it is cheap: click and Snakemake load only when a command runs.
"""

from __future__ import annotations

from typing import Any

from smttask.hookspecs import hookimpl


@hookimpl
def smttask_cli_commands(cli: Any) -> None:
    from .cli import register

    register(cli)
