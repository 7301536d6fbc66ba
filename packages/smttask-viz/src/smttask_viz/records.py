"""The lab book in pictures: durations over time by task, outcome counts, and a parameter against an output.

``plot_records(view)`` takes a :class:`smttask_sumatra.RecordStoreView` (any
filters applied) or a list of its records. For a parameter sweep, *param* (a
dotted input path, e.g. ``dt`` or ``data.seed``) and *output* (an output
name: ``""`` for a task's single output, ``"0"`` for the first of a tuple)
add the typical "how does the result depend on dt" panel. HTML is interactive
(bokeh, inlined: pan, zoom, hover shows each record) and works offline; PNG,
SVG and PDF are drawn by matplotlib.
"""

from __future__ import annotations

import io
import numbers
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import NoRecordsError, PlotSpecError, UnknownFormatError

if TYPE_CHECKING:
    from smttask_sumatra.view import RecordStoreView, RecordView

STATUS_COLOURS = {"finished": "#2ca02c", "crashed": "#d62728", "killed": "#9467bd", "running": "#1f77b4",
                  "unknown": "#7f7f7f"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
#: Most tasks given a colour of their own in the durations panel (the rest share one).
MAX_TASK_COLOURS = len(PALETTE) - 1


@dataclass
class Point:
    """One record as the plots see it."""

    label: str
    timestamp: datetime
    task: str
    status: str
    duration: float | None
    reason: str
    x: float | None = None
    y: float | None = None


@dataclass
class RecordsData:
    points: list[Point]
    param: str | None
    output: str | None
    notes: list[str] = field(default_factory=list)

    @property
    def tasks(self) -> list[str]:
        return [name for name, _ in Counter(p.task for p in self.points).most_common()]

    @property
    def sweep(self) -> list[Point]:
        return [p for p in self.points if p.x is not None and p.y is not None]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # a 0-d array or numpy scalar
            return float(value) if getattr(value, "shape", None) == () else None
        except (TypeError, ValueError):
            return None
    return float(value)


def collect(records: list[RecordView], param: str | None, output: str | None) -> RecordsData:
    """What the plots need from *records*; with *param*, also each record's parameter and output value."""
    if not records:
        raise NoRecordsError("No record matches: run some recorded tasks first, or loosen the filters.")
    if output is not None and param is None:
        raise PlotSpecError(f"An output ({output!r}) was given without a parameter to plot it against: add param=PATH.")
    data = RecordsData([], param, output if param is not None else None)
    missing = unloadable = 0
    problem = ""
    for r in records:
        point = Point(r.label, r.timestamp, r.taskname, r.status, r.duration, r.reason or "")
        if param is not None:
            x = r.param(param, None)
            if x is None:
                missing += 1
            elif r.status == "finished":
                point.x = _number(x)
                try:
                    point.y = _number(r.get_output(output or ""))
                except Exception as exc:  # noqa: BLE001 - one unreadable result is a note, not the end of the plot
                    unloadable += 1
                    problem = f"{type(exc).__name__}: {str(exc)[:200]}"
        data.points.append(point)
    if param is not None and not data.sweep:
        from smttask_sumatra.params import flatten

        known = sorted({p for r in records[:50] for p, _ in flatten(r.parameters)})
        raise PlotSpecError(
            f"No finished record has a number for parameter {param!r} and a scalar output {output or ''!r}"
            + (f" ({problem})" if problem else "")
            + f". Parameters of these records: {', '.join(known[:30]) or 'none'}; outputs are named '' for a "
            "single result, '0', '1', ... for a tuple, or by field for a TaskOutput."
        )
    if missing:
        data.notes.append(f"{missing} record(s) without parameter {param!r} left out of the sweep panel")
    if unloadable:
        data.notes.append(f"{unloadable} record(s) whose output {output or ''!r} could not be loaded left out ({problem})")
    return data


class RecordsPlot:
    """Pictures of a set of records; ``save(path)`` writes ``.html`` (interactive), ``.png``, ``.svg`` or ``.pdf``."""

    def __init__(self, records: RecordStoreView | list[RecordView], *, param: str | None = None,
                 output: str | None = None, title: str = "Lab book") -> None:
        self.records = list(records)
        self.title = title
        self.data = collect(self.records, param, output)

    # --- HTML (bokeh) --------------------------------------------------------------------------
    @cached_property
    def _bokeh_layout(self) -> Any:
        from bokeh.layouts import column, row
        from bokeh.models import ColumnDataSource, Div, HoverTool
        from bokeh.plotting import figure

        data = self.data
        tasks = data.tasks
        colour = {t: PALETTE[i] if i < MAX_TASK_COLOURS else PALETTE[-1] for i, t in enumerate(tasks)}
        timed = figure(title="Duration of each run", x_axis_type="datetime", width=620, height=340,
                       x_axis_label="started", y_axis_label="duration (s)", tools="pan,wheel_zoom,box_zoom,reset,save")
        for task in tasks:
            pts = [p for p in data.points if p.task == task and p.duration is not None]
            if not pts:
                continue
            source = ColumnDataSource({
                "t": [p.timestamp for p in pts], "d": [p.duration for p in pts], "label": [p.label for p in pts],
                "task": [p.task for p in pts], "status": [p.status for p in pts], "reason": [p.reason[:80] for p in pts],
            })
            timed.scatter("t", "d", source=source, size=8, color=colour[task], alpha=0.8,
                          legend_label=task if tasks.index(task) < MAX_TASK_COLOURS else "other tasks")
        timed.add_tools(HoverTool(tooltips=[("record", "@label"), ("task", "@task"), ("status", "@status"),
                                            ("duration", "@d{0.000} s"), ("reason", "@reason")],
                                  formatters={"@t": "datetime"}))
        timed.legend.location = "top_left"
        timed.legend.click_policy = "hide"

        statuses = [s for s in STATUS_COLOURS if any(p.status == s for p in data.points)]
        counts = {s: [sum(1 for p in data.points if p.task == t and p.status == s) for t in tasks] for s in statuses}
        outcomes = figure(title="Outcomes by task", x_range=tasks, width=480, height=340, y_axis_label="records",
                          tools="pan,wheel_zoom,reset,save")
        outcomes.vbar_stack(statuses, x="task", width=0.7, source=ColumnDataSource({"task": tasks, **counts}),
                            color=[STATUS_COLOURS[s] for s in statuses], legend_label=statuses)
        outcomes.add_tools(HoverTool(tooltips=[("task", "@task"), ("status", "$name"), ("records", "@$name")]))
        outcomes.xaxis.major_label_orientation = 0.6 if len(tasks) > 4 else 0
        outcomes.legend.location = "top_right"
        panels = [row(timed, outcomes)]
        if data.param is not None:
            sweep = data.sweep
            chart = figure(title=f"{data.output or 'result'} against {data.param}", width=620, height=360,
                           x_axis_label=data.param, y_axis_label=f"output {data.output or '(result)'}",
                           tools="pan,wheel_zoom,box_zoom,reset,save")
            for task in sorted({p.task for p in sweep}):
                pts = sorted((p for p in sweep if p.task == task), key=lambda p: p.x)
                source = ColumnDataSource({"x": [p.x for p in pts], "y": [p.y for p in pts],
                                           "label": [p.label for p in pts], "task": [p.task for p in pts]})
                chart.line("x", "y", source=source, color=colour[task], alpha=0.4)
                chart.scatter("x", "y", source=source, size=9, color=colour[task], legend_label=task)
            chart.add_tools(HoverTool(tooltips=[("record", "@label"), ("task", "@task"), (data.param, "@x"),
                                                ("output", "@y")]))
            panels.append(chart)
        if data.notes:
            panels.append(Div(text="<br>".join(_escape(n) for n in data.notes)))
        return column(Div(text=f"<h2>{_escape(self.title)}</h2><p>{len(data.points)} records</p>"), *panels)

    def html(self) -> str:
        """The interactive page (bokeh's script inlined: nothing fetched)."""
        from bokeh.embed import file_html
        from bokeh.resources import INLINE

        return file_html(self._bokeh_layout, INLINE, self.title)

    # --- static (matplotlib) ------------------------------------------------------------------
    def figure(self) -> Any:
        """A matplotlib figure of the same panels."""
        import sys

        data = self.data
        tasks = data.tasks
        colour = {t: PALETTE[i] if i < MAX_TASK_COLOURS else PALETTE[-1] for i, t in enumerate(tasks)}
        n = 3 if data.param is not None else 2
        size = (5.2 * n, 4.2)
        if "matplotlib.pyplot" in sys.modules:
            fig = sys.modules["matplotlib.pyplot"].figure(figsize=size, layout="constrained")
        else:
            from matplotlib.figure import Figure

            fig = Figure(figsize=size, layout="constrained")
        axes = fig.subplots(1, n)
        timed, outcomes = axes[0], axes[1]
        for task in tasks:
            pts = [p for p in data.points if p.task == task and p.duration is not None]
            if pts:
                timed.scatter([p.timestamp for p in pts], [p.duration for p in pts], s=22, color=colour[task],
                              label=task if tasks.index(task) < MAX_TASK_COLOURS else None, alpha=0.85)
        timed.set(title="Duration of each run", xlabel="started", ylabel="duration (s)")
        timed.legend(fontsize=8)
        timed.tick_params(axis="x", labelrotation=30, labelsize=8)
        bottom = [0] * len(tasks)
        for status, col in STATUS_COLOURS.items():
            heights = [sum(1 for p in data.points if p.task == t and p.status == status) for t in tasks]
            if any(heights):
                outcomes.bar(tasks, heights, bottom=bottom, color=col, label=status, width=0.7)
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        outcomes.set(title="Outcomes by task", ylabel="records")
        outcomes.tick_params(axis="x", labelrotation=30 if len(tasks) > 3 else 0, labelsize=8)
        outcomes.legend(fontsize=8)
        if data.param is not None:
            chart = axes[2]
            for task in sorted({p.task for p in data.sweep}):
                pts = sorted((p for p in data.sweep if p.task == task), key=lambda p: p.x)
                chart.plot([p.x for p in pts], [p.y for p in pts], "o-", color=colour[task], label=task, alpha=0.85)
            chart.set(title=f"{data.output or 'result'} against {data.param}", xlabel=data.param,
                      ylabel=f"output {data.output or '(result)'}")
            chart.legend(fontsize=8)
        return fig

    # --- files and notebooks -----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        from .visualizers import write_file as write_atomic

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            write_atomic(path, self.html().encode("utf-8"))
        elif suffix in (".png", ".svg", ".pdf"):
            buffer = io.BytesIO()
            self.figure().savefig(buffer, format=suffix[1:], dpi=144, facecolor="white")
            write_atomic(path, buffer.getvalue())
        else:
            raise UnknownFormatError(str(path), [".html", ".pdf", ".png", ".svg"])
        return path

    def _repr_html_(self) -> str:
        from .html import iframe

        return iframe(self.html(), height=900 if self.data.param else 520)

    def __repr__(self) -> str:
        return f"<RecordsPlot of {len(self.data.points)} records of {len(self.data.tasks)} task(s)>"


def plot_records(records: RecordStoreView | list[RecordView] | None = None, *, param: str | None = None,
                 output: str | None = None, title: str = "Lab book") -> RecordsPlot:
    """Pictures of *records* (default: every record of the current project); see :mod:`smttask_viz.records`."""
    if records is None:
        from smttask_sumatra.view import RecordStoreView

        records = RecordStoreView()
    return RecordsPlot(records, param=param, output=output, title=title)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
