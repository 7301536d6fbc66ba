"""The task types' durations a project keeps between batches (``.smttask/durations.json``)."""

from __future__ import annotations

import json

import core_tasks as t
import pytest

from smttask import Project
from smttask.execution import InlineExecutor
from smttask.execution.history import HISTORY_FILE, DurationHistory


def _run(project: Project, xs: range) -> list[str]:
    return [o.status for o in InlineExecutor(project).run([t.Square(x=x) for x in xs])]


def test_a_batch_run_in_this_process_teaches_the_next_one_its_task_types(project: Project) -> None:
    assert _run(project, range(5)) == ["computed"] * 5
    history = DurationHistory.of(project)
    assert len(history.depths.durations(t.Square.identity)) == 5
    assert history.depths.is_quick(t.Square.identity)


def test_the_file_is_written_only_when_a_task_type_is_new_or_its_typical_duration_moved(project: Project) -> None:
    _run(project, range(3))
    path = project.root / HISTORY_FILE
    first = path.read_text()
    history = DurationHistory.of(project)
    typical = history.depths.typical(t.Square.identity)
    history.depths.record(t.Square.identity, typical)
    history.save()
    assert path.read_text() == first  # the same typical duration: not written again
    for _ in range(5):  # now mostly slow
        history.depths.record(t.Square.identity, 10.0)
    history.save()
    assert not DurationHistory.of(project).depths.is_quick(t.Square.identity)


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not json",
        b"[1, 2, 3]",
        b'{"version": 2, "task_types": {}}',
        b'{"version": 1, "task_types": "__import__(\'os\').system(\'touch pwned\')"}',
        b'{"version": 1, "task_types": {"a:b": {"durations": "0.1"}}}',
        b'{"version": 1, "task_types": {"a:b": {"durations": [NaN, Infinity, -1, true, "1", null, 1e999]}}}',
        b'{"version": 1, "task_types": {"a:b": {"durations": [' + b"9" * 400 + b"]}}}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"version": 1, "task_types": {}}' + b" " * (2 << 20),
    ],
    ids=["bytes", "list", "version", "code", "string", "bad-numbers", "huge-int", "deep", "too-large"],
)
def test_a_damaged_or_hostile_file_counts_as_no_history_and_is_replaced(project: Project, content: bytes) -> None:
    path = project.root / HISTORY_FILE
    path.parent.mkdir()
    path.write_bytes(content)
    history = DurationHistory.of(project)
    assert all(not history.depths.durations(name) for name in history.depths.tasknames())
    assert _run(project, range(2)) == ["computed"] * 2
    assert not (project.root / "pwned").exists()
    found = json.loads(path.read_text())
    assert list(found["task_types"]) == [t.Square.identity]


def test_a_project_whose_history_path_is_blocked_runs_all_the_same(project: Project) -> None:
    (project.root / ".smttask").write_text("not a directory")
    assert _run(project, range(2)) == ["computed"] * 2
    assert (project.root / ".smttask").read_text() == "not a directory"
