"""Errors of smttask-viz.

Each names the value that is wrong and says what to do. All derive from
:class:`smttask.SmttaskError`, so ``except SmttaskError`` catches them too.
"""

from __future__ import annotations

from smttask.errors import SmttaskError


class VizError(SmttaskError):
    """Base class of every error raised by smttask-viz."""


class UnknownFormatError(VizError, ValueError):
    """A picture was asked for in a format no visualizer writes (told by the file's suffix)."""

    def __init__(self, path: str, known: list[str]) -> None:
        super().__init__(
            f"Cannot tell what picture to write to {path!r}: its name must end in one of "
            f"{', '.join(known)} (e.g. graph.html for the interactive page)."
        )
        self.path = path


class NotATaskError(VizError, TypeError):
    """Something that is not a task was given where a task graph needs tasks."""

    def __init__(self, value: object) -> None:
        super().__init__(
            f"task_graph() takes tasks (or a list of them), not a {type(value).__name__}; "
            "to draw task files, load them with Task.from_desc(path) or run `smttask graph FILE...`."
        )


class LayoutError(VizError, RuntimeError):
    """Graphviz's ``dot`` was asked for and could not lay out the graph."""


class NoRecordsError(VizError, LookupError):
    """A lab-book plot was asked for records, and none matches."""


class PlotSpecError(VizError, ValueError):
    """A lab-book plot names a parameter or output that the records do not have, or gives only one of the pair."""
