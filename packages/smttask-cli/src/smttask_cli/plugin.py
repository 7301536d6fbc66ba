"""Plugin entry point of smttask-cli (entry point ``cli`` in the ``smttask`` group).

It adds the built-in commands through the same hook as any other plugin;
``tryfirst`` puts them in place before other plugins' commands.
"""

from __future__ import annotations

from typing import Any

from smttask.hookspecs import hookimpl


@hookimpl(tryfirst=True)
def smttask_cli_commands(cli: Any) -> None:
    from .commands.accept import accept
    from .commands.clean import clean
    from .commands.debug import debug
    from .commands.gc import gc, pin, unpin
    from .commands.migrate import migrate
    from .commands.plugins import plugins
    from .commands.run import run
    from .commands.show import show
    from .commands.store import store
    from .commands.why import why

    for command in (run, show, why, clean, migrate, plugins, debug, store, accept):
        cli.add_command(command)
    for command in (gc, pin, unpin):
        store.add_command(command)
