"""Plugin entry point of smttask-cli (entry point ``cli`` in the ``smttask`` group).

It adds the built-in commands through the same hook as any other plugin;
``tryfirst`` puts them in place before other plugins' commands. Each is added
by name and imported when a start looks it up, so ``smttask run`` imports
none of the other commands' modules.
"""

from __future__ import annotations

import importlib
from functools import partial
from typing import TYPE_CHECKING, Any

from smttask.hookspecs import hookimpl

if TYPE_CHECKING:
    import click


#: The built-in commands, each by the module defining it (named as the command).
COMMANDS = ("run", "show", "why", "clean", "migrate", "plugins", "debug", "store", "accept")


@hookimpl(tryfirst=True)
def smttask_cli_commands(cli: Any) -> None:
    """Add the built-in commands by name: each is imported only when looked up (see :mod:`.lazycommands`)."""
    from .extending import add_lazy_command

    for name in COMMANDS:
        add_lazy_command(cli, name, partial(_command, name))


def _command(name: str) -> click.Command:
    command: click.Command = getattr(importlib.import_module(f"smttask_cli.commands.{name}"), name)
    if name == "store":
        from .commands.gc import gc, pin, unpin

        for sub in (gc, pin, unpin):
            command.add_command(sub)  # type: ignore[attr-defined]
    return command
