"""``smttask run --scheduler ADDRESS``: the Dask scheduler to run on, added to smttask-cli's ``run`` command.

Executors are built by name with the options every executor takes, so the
address reaches :class:`~smttask_dask.executor.DaskExecutor` through
:data:`~smttask_dask.settings.CLI_SCHEDULER` for the duration of the command.
The ``run`` command is copied, not changed, so other command groups built in
the same process keep theirs as it was.
"""

from __future__ import annotations

from typing import Any

import click

from .errors import DaskSettingsError
from .settings import CLI_SCHEDULER, check_address

_HELP = (
    "Address of a running Dask scheduler (tcp://HOST:PORT) to run on; implies --executor dask. Without it, "
    "--executor dask starts a local Dask cluster of -n worker processes."
)


def add_scheduler_option(cli: click.Group) -> None:
    """Replace *cli*'s ``run`` command by a copy taking ``--scheduler`` (nothing happens without a ``run``)."""
    run = cli.commands.get("run")
    if run is None or run.callback is None or any(param.name == "dask_scheduler" for param in run.params):
        return
    original = run.callback

    def callback(*args: Any, dask_scheduler: str | None = None, **kwargs: Any) -> Any:
        if dask_scheduler is None:
            return original(*args, **kwargs)
        chosen = kwargs.get("executor_name")
        if chosen not in (None, "dask"):
            raise click.UsageError(f"--scheduler runs tasks on Dask; it cannot be used with --executor {chosen}.")
        try:
            address = check_address(dask_scheduler)
        except DaskSettingsError as exc:
            raise click.BadParameter(str(exc), param_hint="--scheduler") from None
        token = CLI_SCHEDULER.set(address)
        try:
            return original(*args, **{**kwargs, "executor_name": "dask"})
        finally:
            CLI_SCHEDULER.reset(token)

    from smttask_cli.extending import extend_command

    option = click.Option(["--scheduler", "dask_scheduler"], metavar="ADDRESS", help=_HELP)
    extend_command(cli, "run", params=[option], callback=callback)
