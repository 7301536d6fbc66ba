"""The original suite's test_metadata.py::test_outcome: a task's outcome reaches its record."""

from __future__ import annotations

from typing import Any


def test_outcome(lab: Any) -> None:
    t = lab.tasks
    t.Polar(x=0.0, y=0.0, reason="pytest").run()
    t.Polar(x=1.0, y=0.0, reason="pytest").run()
    newest, oldest = list(lab.view())
    assert newest.timestamp >= oldest.timestamp            # newest first
    assert "undefined" in oldest.outcome
    assert "undefined" not in newest.outcome
