"""Colours and line styles shared by every renderer (SVG, HTML, matplotlib)."""

from __future__ import annotations

from dataclasses import dataclass

from .states import MEMORY, NOT_COMPUTED, RECORDED, STORED


@dataclass(frozen=True)
class KindStyle:
    fill: str
    stroke: str


#: Fill and border colour by task kind (``Task.kind``).
KINDS: dict[str, KindStyle] = {
    "RecordedTask": KindStyle("#c6dbef", "#2c6fad"),
    "RecordedIterativeTask": KindStyle("#c7e9e4", "#21857a"),
    "MemoizedTask": KindStyle("#fdd9b5", "#c9650e"),
    "NonMemoizedTask": KindStyle("#f3e6a6", "#94780c"),
    "UnpureMemoizedTask": KindStyle("#e5d3ec", "#7d4b93"),
}
OTHER_KIND = KindStyle("#e3e3e3", "#5f5f5f")
FAILED_STROKE = "#d62728"
TEXT = "#1f1f1f"
MUTED_TEXT = "#6b6b6b"
EDGE = "#8c8c8c"


@dataclass(frozen=True)
class StateStyle:
    width: float
    dash: str | None  # SVG stroke-dasharray
    fill_opacity: float
    description: str


STATES: dict[str, StateStyle] = {
    RECORDED: StateStyle(2.6, None, 1.0, "stored, with a lab-book record"),
    STORED: StateStyle(1.6, None, 1.0, "result stored on disk"),
    MEMORY: StateStyle(1.6, "6 3", 0.85, "result in memory only"),
    NOT_COMPUTED: StateStyle(1.3, "2 3", 0.35, "no result yet"),
}


def kind_style(kind: str) -> KindStyle:
    return KINDS.get(kind, OTHER_KIND)
