"""The interactive page: one self-contained HTML file (inline SVG, CSS and script; nothing fetched).

The drawing is the SVG of :mod:`smttask_viz.svg`; a small script of our own
(``assets/graph.js``) pans, zooms, searches and shows a clicked node's details
from a JSON block in the page. A notebook shows the same page in an
``<iframe srcdoc>``, so several graphs in one notebook never share ids.
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources

from .layout import Layout
from .model import GraphData, state_counts
from .svg import legend, render_svg

_PLACEHOLDER = re.compile(r"\{\{[A-Z]+\}\}")


def _asset(name: str) -> str:
    return resources.files("smttask_viz").joinpath("assets", name).read_text(encoding="utf-8")


def summary(graph: GraphData) -> str:
    """``12 tasks: 3 recorded, 2 stored, 1 failed, ...`` (counting the members of groups)."""
    tasks = [m for n in graph.nodes.values() for m in (n.members or [n])]
    counts = state_counts(tasks)
    parts = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    groups = sum(1 for n in graph.nodes.values() if n.members)
    grouped = f" ({groups} group{'s' if groups != 1 else ''} of same-named tasks collapsed)" if groups else ""
    return f"{len(tasks)} task{'s' if len(tasks) != 1 else ''}: {parts}{grouped}"


def page_data(graph: GraphData) -> str:
    """The JSON the script reads, safe inside ``<script>`` (no ``</``, no ``<!--``)."""
    nodes = {}
    for node_id, node in graph.nodes.items():
        item = node.as_json()
        item["search"] = node.search_text()
        nodes[node_id] = item
    text = json.dumps({"nodes": nodes}, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(graph: GraphData, layout: Layout, title: str = "smttask task graph") -> str:
    notes = [*graph.notes, *layout.notes]
    notes_html = (
        '<p class="smttask-notes">' + " · ".join(escape(n) for n in notes) + "</p>" if notes else ""
    )
    legend_svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="44" font-family="DejaVu Sans, Arial, sans-serif">'
        f"{legend(graph, 3)}</svg>"
    )
    values = {
        "{{TITLE}}": escape(title),
        "{{SUMMARY}}": escape(summary(graph)),
        "{{NOTES}}": notes_html,
        "{{SVG}}": render_svg(graph, layout, interactive=True),
        "{{LEGEND}}": legend_svg,
        "{{CSS}}": _asset("graph.css"),
        "{{JS}}": _asset("graph.js"),
        "{{DATA}}": page_data(graph),
    }
    # one pass: text put in by one placeholder is never read for another
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(), m.group()), _asset("graph.html"))


def iframe(page: str, height: int = 560) -> str:
    """*page* inside an ``<iframe srcdoc>`` (what a notebook cell shows)."""
    return (
        f'<iframe class="smttask-graph-frame" srcdoc="{escape(page, quote=True)}" '
        f'style="width:100%;height:{height}px;border:1px solid #ddd" '
        'title="smttask task graph"></iframe>'
    )
