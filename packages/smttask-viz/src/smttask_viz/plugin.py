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
    from .cli import register

    register(cli)
