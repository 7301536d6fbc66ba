"""State from the lab book: recorded (with the label), and a failed last run marked, from records and run logs."""

from __future__ import annotations

import subprocess

import pytest

from smttask_viz import task_graph

from .conftest import SMTTASK


def test_a_recorded_run_shows_its_record_label(recorded_lab):
    from smttask_sumatra import RecordStoreView

    t = recorded_lab.tasks
    task = t.Analyze(xs=t.Data(n=3, seed=1), dt=0.5)
    task.run()
    label = RecordStoreView(recorded_lab.project).latest.label
    node = task_graph(task).nodes[task.static_key]
    assert node.state == "recorded" and node.record == label
    assert node.state_text == "recorded" and node.record_text == label
    assert not node.failed


def test_a_crashed_run_is_marked_failed_with_its_record(recorded_lab):
    t = recorded_lab.tasks
    fail = t.Fail(x=2.0)
    with pytest.raises(ValueError, match="bad input"):
        fail.run()
    node = task_graph(t.Combine(a=fail, b=1.0)).nodes[fail.static_key]
    assert node.failed and node.state == "not computed"
    assert node.record is not None and "crashed" in node.failure
    assert node.state_text == "failed"


def test_a_failure_in_smttask_run_is_marked_from_its_failure_log(lab):
    t = lab.tasks
    fail = t.Fail(x=3.0)
    path = fail.save(lab.root / "taskdir")
    done = subprocess.run([SMTTASK, "run", str(path)], cwd=lab.root, capture_output=True, text=True)
    assert done.returncode != 0
    node = task_graph(fail).nodes[fail.static_key]
    assert node.failed
    assert "bad input 3.0" in node.failure


def test_a_later_success_clears_the_failed_mark(lab):
    t = lab.tasks
    ok = t.Analyze(xs=[1.0, 2.0], dt=1.0)
    logs = lab.root / ".smttask" / "logs"
    logs.mkdir(parents=True)
    (logs / "run-20200101-000000-1.log").write_text(
        f"smttask run, 2020-01-01\n\n=== x.json (task Analyze, key {ok.static_key})\nerror: it broke\n"
    )
    assert task_graph(ok).nodes[ok.static_key].failed
    ok.run()
    import os

    os.utime(logs / "run-20200101-000000-1.log", (0, 0))  # the log is older than the stored result
    node = task_graph(ok).nodes[ok.static_key]
    assert node.state == "stored" and not node.failed
