"""Counting what the reliability suite tried, so the numbers can be quoted.

The counts of one pytest session are printed in the terminal summary and
written to ``reliability-summary.txt`` in pytest's base temporary directory.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

#: Hostile files hypothesis generates for the in-process test (beside the fixed catalogue); the CLI
#: tests run a third as many per command, and the kill -9 test kills once per 300 at each moment.
#: ``SMTTASK_FUZZ_EXAMPLES=3000 .venv/bin/python -m pytest tests/reliability`` tries ten times more.
EXAMPLES = int(os.environ.get("SMTTASK_FUZZ_EXAMPLES", "300"))
#: Files per ``smttask run`` call of hypothesis's (plus the good ones); each call costs ~1 s to start.
BATCH_SIZE = 100


class Counts:
    """Named counters (``files tried``, ``faults injected``, ...) with a breakdown by kind."""

    def __init__(self) -> None:
        self.totals: Counter[str] = Counter()
        self.kinds: dict[str, Counter[str]] = {}

    def add(self, name: str, n: int = 1, kind: str | None = None) -> None:
        self.totals[name] += n
        if kind is not None:
            self.kinds.setdefault(name, Counter())[kind] += n

    def lines(self) -> list[str]:
        lines = []
        for name, n in sorted(self.totals.items()):
            breakdown = self.kinds.get(name)
            detail = "; ".join(f"{k}: {v}" for k, v in sorted(breakdown.items())) if breakdown else ""
            lines.append(f"{name}: {n}" + (f" ({detail})" if detail else ""))
        return lines

    def as_dict(self) -> dict:
        """The counts as plain data, to send from a pytest-xdist worker to the controller."""
        return {"totals": dict(self.totals), "kinds": {name: dict(c) for name, c in self.kinds.items()}}

    def merge(self, data: dict) -> None:
        """Add the counts of :meth:`as_dict` (from a worker) to these."""
        for name, n in data.get("totals", {}).items():
            self.totals[name] += n
        for name, kinds in data.get("kinds", {}).items():
            self.kinds.setdefault(name, Counter()).update(kinds)

    def write(self, directory: Path) -> Path:
        """Write the counts into *directory*, made again if pytest removed it (``tmp_path_retention_policy``)."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "reliability-summary.txt"
        path.write_text("\n".join(self.lines()) + "\n")
        return path


counts = Counts()
