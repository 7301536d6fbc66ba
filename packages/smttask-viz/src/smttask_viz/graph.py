""":class:`TaskGraph`: the picture of one or more tasks and everything upstream of them.

``task_graph(task)`` (or ``TaskGraph(task)``) reads the graph and the state of
each task at once, and draws lazily: as an interactive page (``.html``, and in
a notebook), as SVG or PNG for papers, or onto matplotlib axes (:meth:`draw`,
like the original smttask's ``TaskGraph(task).draw()``).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .collapse import DEFAULT_THRESHOLD, collapse
from .model import Edge, GraphData, Node, as_task_list, build_graph

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from smttask import Project, Task

    from .layout import Layout


class TaskGraph:
    """The dependency graph of *tasks* (a task or a list of them), *depth* levels upstream (-1: all).

    Nodes are tasks (one per key, so a task shared by two consumers appears
    once), coloured by kind, with their state: recorded (with the record
    label), stored, in memory, or not computed, and whether their last run
    failed. Edges go from an upstream task to the input it feeds.

    *collapse*: more than this many tasks of one name on one level are drawn
    as one group node (0: never). *layout*: ``auto`` (graphviz ``dot`` when
    installed, for graphs up to a few hundred nodes), ``dot`` or ``layered``
    (pure Python). *project*: defaults to the current one.
    """

    def __init__(
        self,
        tasks: Task | list[Task],
        depth: int = -1,
        *,
        project: Project | None = None,
        collapse: int = DEFAULT_THRESHOLD,
        layout: str = "auto",
        title: str | None = None,
    ) -> None:
        from .layout import ENGINES, LayoutError

        if layout not in ENGINES:
            raise LayoutError(f"Unknown layout engine {layout!r}: choose one of {', '.join(ENGINES)}.")
        self.tasks = as_task_list(tasks)
        if project is None:
            from smttask import current_project

            project = current_project()
        self.project = project
        self.depth = depth
        self.collapse = collapse
        self.layout_engine = layout
        self.title = title or _title(self.tasks)
        self.graph  # noqa: B018 - the state is read now, when the user asks for the picture

    # --- the graph -------------------------------------------------------------------------
    @cached_property
    def graph(self) -> GraphData:
        """Every task (no collapsing) and edge."""
        with self.project.activate():
            return build_graph(self.tasks, self.project, depth=self.depth)

    @property
    def nodes(self) -> dict[str, Node]:
        """Nodes by id (the task's static key)."""
        return self.graph.nodes

    @property
    def edges(self) -> list[Edge]:
        return self.graph.edges

    @cached_property
    def shown(self) -> GraphData:
        """The graph as drawn (large sets of same-named tasks collapsed into groups)."""
        return collapse(self.graph, self.collapse)

    @cached_property
    def placed(self) -> Layout:
        from .layout import layout

        return layout(self.shown, self.layout_engine)

    # --- pictures --------------------------------------------------------------------------
    def svg(self) -> str:
        """The static SVG picture (with a legend)."""
        from .svg import render_svg

        return render_svg(self.shown, self.placed)

    def html(self) -> str:
        """The interactive page: one self-contained HTML document."""
        from .html import render_html

        return render_html(self.shown, self.placed, self.title)

    def draw(self, ax: Axes | None = None, *, legend: bool = True) -> Any:
        """Draw onto matplotlib *ax* (or a new figure) and return the figure."""
        from .mpl import draw

        return draw(self.shown, self.placed, ax, legend=legend)

    def save(self, path: str | Path) -> Path:
        """Write the picture to *path*; its suffix chooses the format (``.html``, ``.svg``, ``.png``, ``.pdf``)."""
        from .visualizers import visualizer_for

        path = Path(path)
        visualizer_for(path, self.project).write_graph(self, path)
        return path

    def to_networkx(self) -> Any:
        """The graph as a ``networkx.MultiDiGraph`` (nodes by key with their facts; edges with ``input``)."""
        try:
            import networkx
        except ImportError:
            raise ImportError("TaskGraph.to_networkx() needs networkx: pip install networkx.") from None
        g = networkx.MultiDiGraph()
        for node_id, node in self.nodes.items():
            g.add_node(node_id, **{k: v for k, v in node.as_json().items() if k != "members"}, task=node.task)
        for edge in self.edges:
            g.add_edge(edge.source, edge.target, input=edge.input)
        return g

    # --- notebooks ---------------------------------------------------------------------------
    def _repr_html_(self) -> str:
        from .html import iframe

        return iframe(self.html())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """The interactive page (HTML) for notebooks that run scripts, the SVG for those that do not."""
        return {"text/html": self._repr_html_(), "image/svg+xml": self.svg(), "text/plain": repr(self)}

    def __repr__(self) -> str:
        from .model import state_counts

        counts = ", ".join(f"{n} {s}" for s, n in state_counts(self.nodes.values()).items() if n)
        return f"<TaskGraph of {len(self.nodes)} tasks and {len(self.edges)} edges: {counts}>"


def task_graph(tasks: Task | list[Task], depth: int = -1, **options: Any) -> TaskGraph:
    """The :class:`TaskGraph` of *tasks* (shows itself in a notebook; ``.save(path)`` writes a file)."""
    return TaskGraph(tasks, depth, **options)


def _title(tasks: list[Task]) -> str:
    names = sorted({t.taskname for t in tasks})
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"Task graph of {shown}" if shown else "Task graph"
