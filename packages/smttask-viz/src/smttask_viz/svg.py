"""The task graph as SVG: boxes coloured by kind, borders by state, edges named by input.

The same markup is the static picture (``graph.svg``) and, inside the
interactive page, the drawing that is panned and zoomed: every node is a
``<g class="node" data-id="KEY">`` element (so a browser, a test or a screen
reader finds each task), with a ``<title>`` shown on hover.
"""

from __future__ import annotations

from html import escape

from .layout import Layout
from .model import GraphData, Node
from .states import NOT_COMPUTED, RECORDED
from .style import EDGE, FAILED_STROKE, MUTED_TEXT, STATES, TEXT, kind_style

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
LEGEND_HEIGHT = 58.0


def _a(value: object) -> str:
    """*value* escaped for an XML attribute or text."""
    return escape(str(value), quote=True)


def _fit(text: str, width: float, char: float) -> str:
    room = max(4, int((width - 14) / char))
    return text if len(text) <= room else text[: room - 1] + "…"


def node_title(node: Node) -> str:
    lines = [f"{node.label} ({node.kind})", node.state_text + (f" (record {node.record})" if node.record else "")]
    if not node.members:
        lines.append(f"key {node.key}")
    if node.failure:
        lines.append(node.failure)
    return "\n".join(lines)


def render_node(node: Node, x: float, y: float, w: float, h: float) -> str:
    kind = kind_style(node.kind)
    state = STATES.get(node.state, STATES[NOT_COMPUTED])
    stroke = FAILED_STROKE if node.failed else kind.stroke
    width = 3.0 if node.failed else state.width
    dash = f' stroke-dasharray="{state.dash}"' if state.dash and not node.failed else ""
    classes = ["node", f"kind-{node.kind}", "state-" + node.state.replace(" ", "-")]
    if node.failed:
        classes.append("failed")
    if node.members:
        classes.append("group")
    if node.requested:
        classes.append("requested")
    parts = [
        f'<g class="{" ".join(classes)}" data-id="{_a(node.id)}" transform="translate({x - w / 2:.1f},{y - h / 2:.1f})">',
        f"<title>{_a(node_title(node))}</title>",
    ]
    if node.members:  # a stack of cards
        parts.append(f'<rect x="5" y="-5" width="{w:.1f}" height="{h:.1f}" rx="6" fill="{kind.fill}" '
                     f'fill-opacity="{state.fill_opacity}" stroke="{stroke}" stroke-width="1"/>')
    parts.append(
        f'<rect class="box" width="{w:.1f}" height="{h:.1f}" rx="6" fill="{kind.fill}" '
        f'fill-opacity="{state.fill_opacity}" stroke="{stroke}" stroke-width="{width}"{dash}/>'
    )
    text_colour = MUTED_TEXT if node.state == NOT_COMPUTED and not node.failed else TEXT
    y_name, y_state = (18, 33) if node.record_text else (22, 39)
    parts.append(f'<text class="label" x="{w / 2:.1f}" y="{y_name}" text-anchor="middle" font-weight="bold" '
                 f'font-size="12" fill="{text_colour}">{_a(_fit(node.label, w, 7.4))}</text>')
    state_text = ("✗ " if node.failed else "● " if node.state == RECORDED else "") + node.state_text
    colour = FAILED_STROKE if node.failed else MUTED_TEXT
    parts.append(f'<text class="state" x="{w / 2:.1f}" y="{y_state}" text-anchor="middle" font-size="11" '
                 f'fill="{colour}">{_a(_fit(state_text, w, 6.3))}</text>')
    if node.record_text:
        parts.append(f'<text class="state record" x="{w / 2:.1f}" y="47" text-anchor="middle" font-size="10" '
                     f'fill="{MUTED_TEXT}">{_a(_fit(node.record_text, w, 5.8))}</text>')
    parts.append("</g>")
    return "".join(parts)


def _path(points: list[tuple[float, float]]) -> str:
    (x0, y0), rest = points[0], points[1:]
    d = [f"M{x0:.1f},{y0:.1f}"]
    for i in range(0, len(rest) - 2, 3):
        (a, b), (c, e), (f, g) = rest[i : i + 3]
        d.append(f"C{a:.1f},{b:.1f} {c:.1f},{e:.1f} {f:.1f},{g:.1f}")
    return " ".join(d)


def legend(graph: GraphData, y: float) -> str:
    """Kinds present (fill) and states (border) in one band at *y*."""
    kinds = sorted({n.kind for n in graph.nodes.values()})
    parts = [f'<g class="legend" transform="translate(12,{y:.1f})" font-size="11" fill="{TEXT}">']
    x = 0.0
    for kind in kinds:
        style = kind_style(kind)
        parts.append(f'<rect x="{x:.1f}" y="0" width="14" height="14" rx="3" fill="{style.fill}" stroke="{style.stroke}"/>'
                     f'<text x="{x + 19:.1f}" y="11">{_a(kind)}</text>')
        x += 30 + 6.6 * len(kind)
    x = 0.0
    for name, state in [*STATES.items(), ("failed", None)]:
        dash = f' stroke-dasharray="{state.dash}"' if state and state.dash else ""
        stroke = FAILED_STROKE if state is None else "#444"
        width = 3.0 if state is None else state.width
        parts.append(f'<rect x="{x:.1f}" y="24" width="22" height="14" rx="3" fill="#fff" stroke="{stroke}" '
                     f'stroke-width="{width}"{dash}/><text x="{x + 28:.1f}" y="35">{_a(name)}</text>')
        x += 46 + 6.6 * len(name)
    parts.append("</g>")
    return "".join(parts)


def render_svg(graph: GraphData, layout: Layout, *, interactive: bool = False) -> str:
    """SVG markup of *graph* placed by *layout* (with a legend below, unless *interactive*)."""
    width = layout.width if interactive else max(layout.width, 460.0)  # room for the legend
    height = layout.height + (0 if interactive else LEGEND_HEIGHT)
    if interactive:  # the page's script fits, pans and zooms the drawing itself
        size = f'width="100%" height="100%" data-width="{width:.0f}" data-height="{height:.0f}"'
    else:
        size = f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}"'
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="smttask-graph" {size} '
        f'font-family="{FONT}" role="img" aria-label="task graph of {len(graph.nodes)} nodes">',
        '<defs><marker id="smttask-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{EDGE}"/></marker></defs>',
    ]
    if not interactive:
        out.append('<rect width="100%" height="100%" fill="#ffffff"/>')
    out.append('<g id="viewport"><g class="edges">')
    for edge, route in zip(graph.edges, layout.routes, strict=True):
        lx, ly = route.label_at
        out.append(
            f'<g class="edge" data-source="{_a(edge.source)}" data-target="{_a(edge.target)}">'
            f'<path d="{_path(route.points)}" fill="none" stroke="{EDGE}" stroke-width="{1.2 if edge.count == 1 else 2.4}" '
            f'marker-end="url(#smttask-arrow)"/>'
            f'<text class="elabel" x="{lx + 4:.1f}" y="{ly:.1f}" font-size="10" fill="{MUTED_TEXT}" '
            f'paint-order="stroke" stroke="#fff" stroke-width="3">{_a(edge.label)}</text></g>'
        )
    out.append('</g><g class="nodes">')
    for node_id, node in graph.nodes.items():
        box = layout.boxes[node_id]
        out.append(render_node(node, box.x, box.y, box.w, box.h))
    out.append("</g></g>")
    if not interactive:
        out.append(legend(graph, layout.height + 4))
    out.append("</svg>")
    return "\n".join(out)
