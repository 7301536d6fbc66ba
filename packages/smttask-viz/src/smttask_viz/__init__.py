"""smttask-viz: pictures of task graphs and of the lab book.

``task_graph(task)`` is the dependency graph of a task (or a list of them):
it shows itself in a notebook and ``.save("graph.html" | ".svg" | ".png")``
writes an interactive page or a static picture. ``plot_records(view)`` draws
the lab book: durations over time, outcomes, and a parameter against an
output across a sweep. On the command line: ``smttask graph FILES -o graph.html``
and ``smttask records plot -o records.html``.

Importing the package is light: matplotlib, bokeh and the renderers load when
a picture is drawn.
"""

from __future__ import annotations

from smttask.lazyexports import lazy_exports

__version__ = "0.3.0.dev0"

_LAZY = {
    "TaskGraph": "smttask_viz.graph",
    "task_graph": "smttask_viz.graph",
    "RecordsPlot": "smttask_viz.records",
    "plot_records": "smttask_viz.records",
    "Visualizer": "smttask_viz.visualizers",
    "VizError": "smttask_viz.errors",
    "UnknownFormatError": "smttask_viz.errors",
    "NotATaskError": "smttask_viz.errors",
    "LayoutError": "smttask_viz.errors",
    "NoRecordsError": "smttask_viz.errors",
    "PlotSpecError": "smttask_viz.errors",
}

__all__ = ["__version__", *sorted(_LAZY)]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
