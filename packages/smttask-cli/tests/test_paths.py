"""Expanding run arguments into task files, in natural order."""

from __future__ import annotations

from pathlib import Path

from smttask_cli.paths import collect_task_files, natural_sorted


def test_natural_order_compares_numbers_as_numbers():
    names = ["task-100", "task-9", "task-10", "Task-2", "task-1b", "task-1a", "a/task-3", "b/task-1"]
    assert [str(p) for p in natural_sorted(Path(n) for n in names)] == [
        "a/task-3", "b/task-1", "task-1a", "task-1b", "Task-2", "task-9", "task-10", "task-100",
    ]


def test_directories_globs_and_files_each_give_task_files_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("d/t-10.taskdesc.json", "d/t-9.taskdesc.json", "d/sub/t-1.taskdesc.json", "d/notes.txt"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text("{}")
    Path("empty").mkdir()
    files, problems = collect_task_files(["d", "d/t-9.taskdesc.json", "d/t-*.json", "empty", "gone"])
    assert [str(f) for f in files] == ["d/sub/t-1.taskdesc.json", "d/t-9.taskdesc.json", "d/t-10.taskdesc.json"]
    assert [(p.argument, p.fatal) for p in problems] == [("empty", False), ("gone", True)]
