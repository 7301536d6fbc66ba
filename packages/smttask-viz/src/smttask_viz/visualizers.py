"""Writers of task-graph pictures, chosen by the file's suffix; plugins add more through ``smttask_visualizers``.

A visualizer is a class with a unique ``name``, the ``suffixes`` it writes and
``write_graph(graph, path)``. The built-in ones write the interactive page
(``.html``), SVG, and PNG/PDF (matplotlib). Every file is written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from smttask.components import resolve

from .errors import UnknownFormatError

if TYPE_CHECKING:
    from smttask import Project

    from .graph import TaskGraph


class Visualizer:
    """Base class: writes a :class:`~smttask_viz.TaskGraph` to a file of one of its :attr:`suffixes`."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]

    def write_graph(self, graph: TaskGraph, path: Path) -> None:
        raise NotImplementedError


def write_file(path: Path, data: bytes) -> None:
    """Write *data* to *path* atomically, creating its directory if needed."""
    from smttask.files import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)


class HTMLVisualizer(Visualizer):
    """The interactive page: pan, zoom, search, and a click shows a task's inputs, key, record and files."""

    name = "html"
    suffixes = (".html", ".htm")

    def write_graph(self, graph: TaskGraph, path: Path) -> None:
        write_file(path, graph.html().encode("utf-8"))


class SVGVisualizer(Visualizer):
    """Static SVG (text stays text; edits well in Inkscape)."""

    name = "svg"
    suffixes = (".svg",)

    def write_graph(self, graph: TaskGraph, path: Path) -> None:
        write_file(path, graph.svg().encode("utf-8"))


class MatplotlibVisualizer(Visualizer):
    """PNG or PDF drawn by matplotlib (no browser, no graphviz needed)."""

    name = "matplotlib"
    suffixes = (".png", ".pdf")
    dpi = 144

    def write_graph(self, graph: TaskGraph, path: Path) -> None:
        buffer = io.BytesIO()
        graph.draw().savefig(buffer, format=path.suffix.lower()[1:], dpi=self.dpi, facecolor="white")
        write_file(path, buffer.getvalue())


BUILTIN = (HTMLVisualizer, SVGVisualizer, MatplotlibVisualizer)


def visualizers(project: Project | None = None) -> list[type[Visualizer]]:
    """The built-in visualizers, then those of installed plugins (a plugin's name replaces nothing)."""
    found: list[type[Visualizer]] = list(BUILTIN)
    if project is not None:
        names = {v.name for v in found}
        for batch in project.hook.smttask_visualizers():
            for component in batch or ():
                if getattr(component, "name", None) in names:
                    continue
                cls = resolve(component)
                if hasattr(cls, "write_graph"):
                    found.append(cls)
                    names.add(cls.name)
    return found


def visualizer_for(path: Path, project: Project | None = None) -> Visualizer:
    """The visualizer writing files named like *path*; :class:`UnknownFormatError` if none."""
    suffix = path.suffix.lower()
    known = visualizers(project)
    for cls in known:
        if suffix in getattr(cls, "suffixes", ()):
            return cls()
    raise UnknownFormatError(str(path), sorted({s for cls in known for s in getattr(cls, "suffixes", ())}))
