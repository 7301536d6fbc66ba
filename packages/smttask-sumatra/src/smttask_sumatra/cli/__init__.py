"""The commands smttask-sumatra adds to ``smttask`` (through the ``smttask_cli_commands`` hook).

- ``smttask project init [DIR]`` / ``smttask project flush``
- ``smttask records`` (list, newest first) / ``smttask records show LABEL``
- ``smttask store rebuild`` / ``recreate LABEL -o DIR`` / ``upgrade-keys`` / ``migrate --to URL`` /
  ``merge SOURCE...`` / ``delete record LABEL...`` / ``delete since AGE`` / ``create-surrogates TASKFILE...``
- ``smttask smt ARGS...`` (Sumatra's own ``smt``)
- ``smttask export RECORD...|--task NAME|--all --prov FILE --ro-crate DIR`` (W3C PROV, RO-Crate)
- ``smttask run --record-store PATH`` (records of that run go to another SQLite store)

Commands join existing ``project`` and ``store`` groups when another plugin made
them. Each is imported only when a start looks it up, so ``smttask run`` imports
only the ``--record-store`` option. Errors of smttask are printed as one line
and exit with status 1.
"""

from __future__ import annotations

from collections.abc import Callable

import click


def register(cli: click.Group) -> None:
    """Add this plugin's commands to the ``smttask`` group *cli*, each imported when first looked up."""
    from smttask_cli.extending import add_lazy_command, when_loaded

    _join_or_add(cli, "project", "Set up the project's lab book, and maintain it.", _project_commands)
    add_lazy_command(cli, "records", _records_group)
    _join_or_add(cli, "store", "Maintain stored results using the lab book.", _store_commands)
    add_lazy_command(cli, "smt", _smt_command)
    add_lazy_command(cli, "export", _export_command)
    when_loaded(cli, "run", _add_record_store_option)


def _project_commands() -> list[click.Command]:
    from .project import flush_command, init_command

    return [init_command, flush_command]


def _store_commands() -> list[click.Command]:
    from .store import (
        create_surrogates_command,
        delete_group,
        merge_command,
        migrate_command,
        rebuild_command,
        recreate_command,
        upgrade_keys_command,
    )

    return [rebuild_command, recreate_command, upgrade_keys_command, migrate_command, merge_command, delete_group,
            create_surrogates_command]


def _records_group() -> click.Command:
    from .records import records_group

    return records_group


def _smt_command() -> click.Command:
    from .smt import smt_command

    return smt_command


def _export_command() -> click.Command:
    from .export import export_command

    return export_command


def _add_record_store_option(cli: click.Group) -> None:
    from smttask_cli.extending import extend_command

    from .run import record_store_option

    extend_command(cli, "run", params=[record_store_option()])


def _join_or_add(cli: click.Group, name: str, help: str, commands: Callable[[], list[click.Command]]) -> None:
    """Add *commands* to *cli*'s group *name* when it loads, if another package made one; else a group of them."""
    from smttask_cli.extending import add_lazy_command, extend_command, when_loaded

    if name not in cli.commands:
        add_lazy_command(cli, name, lambda: click.Group(name, commands=commands(), help=help))
        return

    def join(cli: click.Group) -> None:
        if isinstance(cli.commands.get(name), click.Group):  # another package's: extended in a copy
            extend_command(cli, name, commands={command.name or "": command for command in commands()})

    when_loaded(cli, name, join)
