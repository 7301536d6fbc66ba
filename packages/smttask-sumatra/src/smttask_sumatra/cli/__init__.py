"""The commands smttask-sumatra adds to ``smttask`` (through the ``smttask_cli_commands`` hook).

- ``smttask project init [DIR]`` / ``smttask project flush``
- ``smttask records`` (list, newest first) / ``smttask records show LABEL``
- ``smttask store rebuild`` / ``recreate LABEL -o DIR`` / ``upgrade-keys`` / ``migrate --to URL`` /
  ``merge SOURCE...`` / ``delete record LABEL...`` / ``delete since AGE`` / ``create-surrogates TASKFILE...``
- ``smttask smt ARGS...`` (Sumatra's own ``smt``)
- ``smttask export RECORD...|--task NAME|--all --prov FILE --ro-crate DIR`` (W3C PROV, RO-Crate)
- ``smttask run --record-store PATH`` (records of that run go to another SQLite store)

Commands join existing ``project`` and ``store`` groups when another plugin made
them. Errors of smttask are printed as one line and exit with status 1.
"""

from __future__ import annotations

from typing import cast

import click

from .export import export_command
from .project import flush_command, init_command
from .records import records_group
from .run import record_store_option
from .smt import smt_command
from .store import (
    create_surrogates_command,
    delete_group,
    merge_command,
    migrate_command,
    rebuild_command,
    recreate_command,
    upgrade_keys_command,
)


def register(cli: click.Group) -> None:
    """Add this plugin's commands to the ``smttask`` group *cli*."""
    project = _group(cli, "project", "Set up the project's lab book, and maintain it.")
    project.add_command(init_command)
    project.add_command(flush_command)
    cli.add_command(records_group)
    store = _group(cli, "store", "Maintain stored results using the lab book.")
    store.add_command(rebuild_command)
    store.add_command(recreate_command)
    store.add_command(upgrade_keys_command)
    store.add_command(migrate_command)
    store.add_command(merge_command)
    store.add_command(delete_group)
    store.add_command(create_surrogates_command)
    cli.add_command(smt_command)
    cli.add_command(export_command)
    from smttask_cli.extending import extend_command

    extend_command(cli, "run", params=[record_store_option()])


def _group(cli: click.Group, name: str, help: str) -> click.Group:
    existing = cli.commands.get(name)
    if isinstance(existing, click.Group):  # another package's: extended in a copy
        from smttask_cli.extending import extend_command

        return cast(click.Group, extend_command(cli, name))  # a copy of a group is a group
    group = click.Group(name, help=help)
    cli.add_command(group)
    added = cli.commands.get(name)
    return added if isinstance(added, click.Group) else group
