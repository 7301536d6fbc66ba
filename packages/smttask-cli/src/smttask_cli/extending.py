"""Extending a command another package added to ``smttask``, for plugins' ``smttask_cli_commands`` hooks.

A click command is one object per process, shared by every command line built
in it (each ``smttask`` start builds one; tests build many in one process). A
plugin that appended an option to it, or a subcommand, would leave that change
in every command line built afterwards, whichever plugins it has. So
:func:`extend_command` puts an extended copy in the command line being built,
and leaves the original as it was.

``smttask`` imports only the command a start runs: a plugin adds its commands
by name with :func:`add_lazy_command`, and extends another's with
:func:`when_loaded`, which waits until that command is imported.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import click


def extend_command(
    cli: click.Group,
    name: str,
    *,
    params: Sequence[click.Parameter] = (),
    commands: Mapping[str, click.Command] | None = None,
    callback: Callable[..., Any] | None = None,
) -> click.Command | None:
    """Put in *cli*, in place of its command *name*, a copy with *params* appended, the subcommands
    *commands* added (for a group; a copy of a group has its own table of subcommands either way), and
    *callback* instead of its own if given. Returns the copy, or None if *cli* has no command *name*.
    """
    command = cli.commands.get(name)
    if command is None:
        return None
    if commands and not isinstance(command, click.Group):
        raise TypeError(f"smttask {name} is not a group of commands: subcommands cannot be added to it")
    extended = copy.copy(command)
    extended.params = [*command.params, *params]
    if isinstance(command, click.Group) and isinstance(extended, click.Group):
        extended.commands = {**command.commands, **(commands or {})}
    if callback is not None:
        extended.callback = callback
    cli.commands[name] = extended
    return extended


def add_lazy_command(cli: click.Group, name: str, load: Callable[[], click.Command]) -> None:
    """Add command *name* to *cli*, imported by *load* when first looked up (see :mod:`.lazycommands`).

    A group that cannot wait (any click group but ``smttask``'s own) gets the command now.
    """
    add = getattr(cli, "add_lazy_command", None)
    if add is None:
        cli.add_command(load(), name)
    else:
        add(name, load)


def when_loaded(cli: click.Group, name: str, extend: Callable[[click.Group], None]) -> None:
    """Call ``extend(cli)`` once *cli*'s command *name* is imported: now if it is, if there is none, or if
    *cli* loads every command at once; *extend* typically calls :func:`extend_command`."""
    from .lazycommands import LazyCommands

    commands = cli.commands
    if isinstance(commands, LazyCommands):
        commands.on_load(name, partial(extend, cli))
    else:
        extend(cli)
