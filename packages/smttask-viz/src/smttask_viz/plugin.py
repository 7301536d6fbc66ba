"""Plugin entry point of smttask-viz (entry point ``viz`` in the ``smttask`` group).

Importing this module is cheap: it names its visualizers without importing
them; the renderers and click load only when a command runs or a picture is written.
"""

from __future__ import annotations

from typing import Any

from smttask.components import Component
from smttask.hookspecs import hookimpl


@hookimpl
def smttask_visualizers() -> list[Component]:
    return [
        Component("html", "smttask_viz.visualizers:HTMLVisualizer"),
        Component("svg", "smttask_viz.visualizers:SVGVisualizer"),
        Component("matplotlib", "smttask_viz.visualizers:MatplotlibVisualizer"),
    ]


@hookimpl(trylast=True)  # after smttask-sumatra, so `records plot` can join its `records` group
def smttask_cli_commands(cli: Any) -> None:
    """Add ``graph``, and ``plot`` to the ``records`` group once that is loaded; neither is imported before."""
    from smttask_cli.extending import add_lazy_command, when_loaded

    add_lazy_command(cli, "graph", _graph_command)
    when_loaded(cli, "records", _add_records_plot)


def _graph_command() -> Any:
    from .cli import graph_command

    return graph_command


def _add_records_plot(cli: Any) -> None:
    from .cli import add_records_plot

    add_records_plot(cli)
