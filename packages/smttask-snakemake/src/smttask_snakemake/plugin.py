"""Plugin entry point of smttask-snakemake (entry point ``snakemake`` in the ``smttask`` group).

Importing it is cheap: its commands, click and Snakemake load only when a command runs.
"""

from __future__ import annotations

from typing import Any

from smttask.hookspecs import hookimpl


@hookimpl
def smttask_cli_commands(cli: Any) -> None:
    """Add the ``snakemake`` group, imported only when a start looks it up."""
    from smttask_cli.extending import add_lazy_command

    add_lazy_command(cli, "snakemake", _snakemake_group)


def _snakemake_group() -> Any:
    from .cli import snakemake_group

    return snakemake_group
