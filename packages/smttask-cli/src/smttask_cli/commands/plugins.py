"""``smttask plugins``: what is installed, from which distribution, implementing which hooks."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass

import click

from ..state import CliState


@dataclass(frozen=True)
class PluginInfo:
    """One registered plugin as ``smttask plugins`` lists it."""

    name: str
    distribution: str | None
    version: str | None
    hooks: list[str]


def _distributions() -> dict[str, tuple[str, str]]:
    """Entry-point name -> (distribution, version), for the ``smttask`` entry-point group."""
    from importlib.metadata import entry_points  # 9 ms: not for every smttask command

    import smttask
    from smttask.plugins import ENTRY_POINT_GROUP

    found = {"core": ("smttask-core", smttask.__version__)}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.dist is not None:
            found[entry_point.name] = (entry_point.dist.name, entry_point.dist.version)
    return found


def list_plugins(manager: object) -> list[PluginInfo]:
    """The plugins registered with *manager*, sorted by name (``core`` first)."""
    distributions = _distributions()
    infos = []
    for name, plugin in manager.list_name_plugin():  # type: ignore[attr-defined]
        if plugin is None:  # blocked
            continue
        hooks = sorted(caller.name for caller in manager.get_hookcallers(plugin) or ())  # type: ignore[attr-defined]
        dist, version = distributions.get(name, (None, None))
        infos.append(PluginInfo(name, dist, version, hooks))
    return sorted(infos, key=lambda info: (info.name != "core", info.name))


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (name, distribution, version, hooks).")
@click.pass_obj
def plugins(state: CliState, as_json: bool) -> None:
    """List installed plugins: distribution, version, and the hooks each implements."""
    infos = list_plugins(state.plugin_manager)
    if as_json:
        click.echo(json.dumps([asdict(info) for info in infos], indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="smttask plugins", title_justify="left")
    for column in ("name", "distribution", "version", "hooks"):
        table.add_column(column, overflow="fold")
    for info in infos:
        table.add_row(info.name, info.distribution or "-", info.version or "-", "\n".join(info.hooks))
    Console(soft_wrap=not sys.stdout.isatty()).print(table)
