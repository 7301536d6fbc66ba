"""scripts/docs-screenshots makes the pictures of docs/viz.md in Chromium and refuses blank ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "docs-screenshots"


def test_the_script_writes_pictures_that_are_not_blank(tmp_path, chromium):
    done = subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("viz-graph.png", "viz-graph-large.png"):
        assert f"{name} (" in done.stdout and (tmp_path / name).stat().st_size > 20_000
    assert (tmp_path / "viz-graph.svg").read_text().count('class="node ') == 9
    assert done.stdout.count("not blank") >= 2
