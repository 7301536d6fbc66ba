"""`smttask store gc`, `store pin` and `store unpin` through the real console script."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest


def _age(project: Any, seconds: float) -> None:
    when = time.time() - seconds
    for path in (project.root / "data").rglob("*"):
        os.utime(path, (when, when))


def test_gc_deletes_what_is_not_pinned_and_dry_run_says_the_same(project: Any) -> None:
    keep, drop = project.tasks.square(x=2), project.tasks.square(x=3)
    assert project.smttask("run", str(project.save(keep, "keep")), str(project.save(drop, "drop"))).returncode == 0
    _age(project, 3600)
    pinned = project.smttask("store", "pin", "tasks/keep.taskdesc.json")
    assert pinned.returncode == 0 and pinned.stdout.startswith("pinned pinned/square__")

    dry = project.smttask("store", "gc", "--dry-run", "-v")
    assert dry.returncode == 0, dry.stderr
    assert project.stored(drop)
    real = project.smttask("store", "gc")
    assert real.returncode == 0, real.stderr

    gone = f"data/square/{drop.digest}"
    assert [line.split()[2] for line in dry.lines() if line.startswith("would delete")] == [gone]
    assert [line.split()[1] for line in real.lines() if line.startswith("deleted")] == [gone]
    assert f"kept          data/square/{keep.digest}  (pinned (pinned/" in dry.stdout
    assert "Kept 1 result: 1 kept by a pin or record." in real.stdout
    assert "Deleted 1 result and 0 leftover files" in real.stdout
    assert project.stored(keep) and not project.stored(drop)

    assert project.smttask("store", "unpin", "tasks/keep.taskdesc.json").stdout.startswith("unpinned ")
    assert project.smttask("store", "pin").stdout == ""
    assert "Deleted 1 result" in project.smttask("store", "gc").stdout
    assert not project.stored(keep)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-size", "50Q"], "Error: --max-size: unknown unit 'Q' in size '50Q'"),
        (["--max-size", "lots"], "Error: --max-size: cannot read size 'lots'"),
        (["--older-than", "1moon"], "Error: --older-than: unknown unit 'moon' in duration '1moon'"),
    ],
)
def test_bad_sizes_and_ages_are_one_line_and_delete_nothing(project: Any, args: list[str], message: str) -> None:
    task = project.tasks.square(x=4)
    project.smttask("run", str(project.save(task, "t")))
    _age(project, 3600)
    done = project.smttask("store", "gc", *args)
    assert done.returncode != 0
    assert len(done.lines("stderr")) == 1 and done.stderr.startswith(message)
    assert project.stored(task)


def test_pin_of_a_file_that_is_not_a_task_file_is_one_line(project: Any) -> None:
    project.write("notes.json", '{"hello": 1}')
    done = project.smttask("store", "pin", "notes.json")
    assert done.returncode == 1
    assert done.lines("stderr") == [
        "error: notes.json: not an smttask task file with a task and a key "
        "(write one with task.save() or `smttask run`)"
    ]
