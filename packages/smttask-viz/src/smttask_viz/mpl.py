"""The task graph drawn with matplotlib: ``TaskGraph.draw()`` and the PNG written without graphviz.

It draws the same layout, colours and line styles as the SVG, onto a
matplotlib ``Axes`` (a new figure unless one is given), so it fits in a
figure of the user's own.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .layout import Layout
from .model import GraphData
from .states import NOT_COMPUTED, RECORDED
from .style import EDGE, FAILED_STROKE, MUTED_TEXT, STATES, TEXT, kind_style

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The largest figure side drawn at full size (inches at 72 px per inch); bigger graphs are scaled down.
MAX_INCHES = 250.0


def _dashes(dash: str | None) -> Any:
    if not dash:
        return "solid"
    return (0, tuple(float(v) for v in dash.split()))


def draw(graph: GraphData, layout: Layout, ax: Axes | None = None, *, legend: bool = True) -> Any:
    """Draw *graph* onto *ax* (or a new figure sized to the graph) and return the figure."""
    if ax is None:
        scale = min(1.0, MAX_INCHES / max(layout.width / 72, layout.height / 72, 1e-9))
        extra = 0.9 if legend else 0.0
        height = layout.height / 72 * scale + extra
        fig = _figure((max(layout.width, 460) / 72 * scale, height))
        ax = fig.add_axes((0, extra / height, 1, 1 - extra / height))
    else:
        fig = ax.figure
        scale = _points_per_pixel(ax, layout)
    from matplotlib.patches import FancyBboxPatch, PathPatch, Polygon
    from matplotlib.path import Path

    spare = max(0.0, 460 - layout.width) / 2  # a narrow graph is centred above the legend
    ax.set_xlim(-spare, layout.width + spare)
    ax.set_ylim(layout.height, 0)
    ax.set_aspect("equal", adjustable="datalim")
    ax.axis("off")
    for edge, route in zip(graph.edges, layout.routes, strict=True):
        codes = [Path.MOVETO] + [Path.CURVE4] * (len(route.points) - 1)
        ax.add_patch(PathPatch(Path(route.points, codes), fill=False, edgecolor=EDGE,
                               linewidth=(1.0 if edge.count == 1 else 2.0) * scale, zorder=1))
        (x0, y0), (x1, y1) = route.points[-2], route.points[-1]
        angle = math.atan2(y1 - y0, x1 - x0)
        size = 8.0
        left = (x1 - size * math.cos(angle - 0.4), y1 - size * math.sin(angle - 0.4))
        right = (x1 - size * math.cos(angle + 0.4), y1 - size * math.sin(angle + 0.4))
        ax.add_patch(Polygon([(x1, y1), left, right], closed=True, color=EDGE, zorder=1))
        lx, ly = route.label_at
        ax.text(lx + 4, ly, edge.label, fontsize=8 * scale, color=MUTED_TEXT, va="center", zorder=2,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    for node_id, node in graph.nodes.items():
        box = layout.boxes[node_id]
        kind = kind_style(node.kind)
        state = STATES.get(node.state, STATES[NOT_COMPUTED])
        stroke = FAILED_STROKE if node.failed else kind.stroke
        x, y = box.x - box.w / 2, box.y - box.h / 2
        if node.members:
            ax.add_patch(FancyBboxPatch((x + 5, y - 5), box.w, box.h, boxstyle="round,pad=0,rounding_size=6",
                                        facecolor=kind.fill, edgecolor=stroke, linewidth=0.8 * scale, zorder=3))
        ax.add_patch(FancyBboxPatch(
            (x, y), box.w, box.h, boxstyle="round,pad=0,rounding_size=6",
            facecolor=_blend(kind.fill, state.fill_opacity), edgecolor=stroke,
            linewidth=(2.6 if node.failed else state.width) * scale,
            linestyle="solid" if node.failed else _dashes(state.dash), zorder=4,
        ))
        colour = MUTED_TEXT if node.state == NOT_COMPUTED and not node.failed else TEXT
        y_name, y_state = (y + 14, y + 29) if node.record_text else (y + 18, y + 35)
        ax.text(box.x, y_name, _cut(node.label, box.w, 7.4), ha="center", va="center", fontsize=10 * scale,
                fontweight="bold", color=colour, zorder=5)
        marker = "✗ " if node.failed else "● " if node.state == RECORDED else ""
        ax.text(box.x, y_state, _cut(marker + node.state_text, box.w, 6.3), ha="center", va="center",
                fontsize=8.5 * scale, color=FAILED_STROKE if node.failed else MUTED_TEXT, zorder=5)
        if node.record_text:
            ax.text(box.x, y + 43, _cut(node.record_text, box.w, 5.8), ha="center", va="center",
                    fontsize=7.5 * scale, color=MUTED_TEXT, zorder=5)
    if legend:
        _legend(fig, graph)
    return fig


def _figure(size: tuple[float, float]) -> Any:
    """A pyplot figure when pyplot is in use (so ``plt.show()`` shows it), else a plain one (no GUI needed)."""
    import sys

    if "matplotlib.pyplot" in sys.modules:
        return sys.modules["matplotlib.pyplot"].figure(figsize=size)
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def _points_per_pixel(ax: Axes, layout: Layout) -> float:
    width_in = ax.get_position().width * ax.figure.get_figwidth()
    return min(1.0, width_in * 72 / max(layout.width, 1.0))


def _cut(text: str, width: float, char: float) -> str:
    room = max(4, int((width - 14) / char))
    return text if len(text) <= room else text[: room - 1] + "…"


def _blend(colour: str, opacity: float) -> tuple[float, float, float]:
    """*colour* at *opacity* over white (PNG readers ignore nothing this way)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (1 - opacity + opacity * r, 1 - opacity + opacity * g, 1 - opacity + opacity * b)


def _legend(fig: Any, graph: GraphData) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    kinds = sorted({n.kind for n in graph.nodes.values()})
    handles = [Patch(facecolor=kind_style(k).fill, edgecolor=kind_style(k).stroke, label=k) for k in kinds]
    handles += [Line2D([], [], color="#444", linewidth=s.width, linestyle=_dashes(s.dash), label=name)
                for name, s in STATES.items()]
    handles.append(Line2D([], [], color=FAILED_STROKE, linewidth=2.6, label="failed"))
    fig.legend(handles=handles, loc="lower left", ncol=min(len(handles), 5), fontsize=8, frameon=False)


def save_png(graph: GraphData, layout: Layout, path: str, dpi: int = 144) -> None:
    fig = draw(graph, layout)
    fig.savefig(path, dpi=dpi, facecolor="white")
