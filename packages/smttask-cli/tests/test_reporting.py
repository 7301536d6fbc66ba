"""The live progress display and the summary table (rendered to a string, as a terminal would show them)."""

from __future__ import annotations

import io

from rich.console import Console

from smttask.execution import TaskOutcome, TaskStarted
from smttask_cli.reporting import RichReporter


def test_summary_table_lists_each_task_file_with_status_time_and_outputs():
    reporter = RichReporter(["tasks/a.taskdesc.json", "tasks/b.taskdesc.json", "tasks/c.taskdesc.json"])
    out, err = io.StringIO(), io.StringIO()
    reporter.console = Console(file=out, width=160, force_terminal=True, color_system=None)
    reporter.errors = Console(file=err, width=160, color_system=None)
    reporter.begin(auto_refresh=False)
    reporter.started(TaskStarted("square", "k1", (0,)))
    reporter.finished(TaskOutcome("square", "k1", "computed", 1.5, index=0, outputs=("data/square/k1.json",)))
    reporter.finished(TaskOutcome("square", "k2", "cached", 0.0, index=1, outputs=("data/square/k2.json",)))
    reporter.finished(TaskOutcome("boom", "k3", "failed", 0.2, "ValueError: boom", index=2))
    reporter.end(2.0, False, None)
    text = out.getvalue()
    assert "✗ 1 failed" in text and "● 1 cached" in text
    for expected in ("tasks/a.taskdesc.json", "computed", "1.50s", "data/square/k1.json", "cached",
                     "ValueError: boom", "3 tasks: 1 computed, 1 cached, 1 failed in 2.00s."):
        assert expected in text
    assert "✗ failed tasks/c.taskdesc.json: ValueError: boom" in err.getvalue()
