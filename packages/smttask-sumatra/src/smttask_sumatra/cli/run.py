"""``smttask run --record-store PATH``: this run's records go to another SQLite store (merged later).

The option is added to the ``run`` command of smttask-cli: the record store
is this plugin's business. The store is created if it does not exist, and
``smttask store merge PATH`` copies its records into the project's.
"""

from __future__ import annotations

from pathlib import Path

import click

from .common import errors


def _use_store(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from ..djangodb import create_store

    path = value.expanduser().absolute()
    if path.is_dir():
        raise click.BadParameter(f"{path} is a directory; give the path of an SQLite store file.",
                                 param_hint="--record-store")
    if not path.exists():
        with errors():
            path.parent.mkdir(parents=True, exist_ok=True)
            create_store(path)
    setter = getattr(ctx.obj, "set_plugin_setting", None)
    if setter is None:
        raise click.UsageError("--record-store needs smttask-cli's run command.")
    setter("sumatra", "store", str(path))


def record_store_option() -> click.Option:
    """The ``--record-store PATH`` option of ``smttask run``."""
    return click.Option(
        ["--record-store"],
        type=click.Path(path_type=Path),
        metavar="PATH",
        expose_value=False,
        callback=_use_store,
        help="Write this run's records to the SQLite store PATH (created if missing) instead of the project's; "
             "`smttask store merge PATH` copies them in later.",
    )
