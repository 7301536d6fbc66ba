"""The original suite's test_single_tasks.py: recorded, class, multiple-output, iterative and Create tasks.

Exact digests and log strings are dropped (keys are computed differently now);
what a user relies on is kept: where results land, that a second run loads them,
that a third comes from memory, that every run is a finished record, and that a
task rebuilt from its description is the same task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from smttask import Create, Task
from smttask.storage.cleanup import USED_SUFFIX


def _stored(lab: Any, task: Any) -> list[str]:
    """The data files of *task*'s stored result (not its manifest, nor the marker of its last use)."""
    directory = lab.project.storage.directory(task)
    return sorted(
        p.name for p in directory.iterdir()
        if p.name.startswith(task.digest) and not p.name.endswith((".manifest.json", USED_SUFFIX))
    )


def test_recorded_task(lab: Any) -> None:
    t = lab.tasks
    tasks = [t.Square_x(x=2.0, reason="pytest"), t.Square_x(x=3.0, reason="pytest"), t.Square_x(x=np.arange(3.0), reason="pytest")]
    assert len({task.digest for task in tasks}) == 3
    results = [task.run() for task in tasks]
    assert results[:2] == [4.0, 9.0] and results[2].tolist() == [0.0, 1.0, 4.0]
    assert _stored(lab, tasks[0]) == []     # 0.2: <digest>_.json; a small JSON value is kept in the manifest
    assert lab.project.storage.locate(tasks[0]).outputs[""].inline == "4.0"
    assert _stored(lab, tasks[2]) == [f"{tasks[2].digest}.npy"]
    lab.project.memory.clear()
    assert t.Square_x(x=2.0).run() == 4.0           # loaded from disk, not recorded again
    assert t.Square_x(x=2.0).run() == 4.0           # from memory
    records = list(lab.view())
    assert len(records) == 3
    assert all(r.tags == {"_finished_"} for r in records)
    assert all(Task.from_desc(task.desc) == task for task in tasks)


def test_class_task(lab: Any) -> None:
    task = lab.tasks.ClassTask(a=2.0, b=3.0, reason="pytest")
    assert task.run() == 7.0
    assert task.digest != lab.tasks.ClassTask(a=3.0, b=2.0).digest
    lab.project.memory.clear()
    assert lab.tasks.ClassTask(a=2.0, b=3.0).run() == 7.0
    assert len(list(lab.view())) == 1
    assert Task.from_desc(task.desc) == task


def test_multiple_output_task(lab: Any) -> None:
    task = lab.tasks.SquareAndCube_x(x=2.0, pmax=5, reason="pytest")
    result = task.run()
    assert result == (4.0, 8.0, (16.0, 32.0))
    assert isinstance(result.morepower, tuple)
    # 0.2: one <digest>_<name>.json each; here small JSON values are kept in the manifest, by the same names
    stored = lab.project.storage.locate(task)
    assert sorted(stored.outputs) == ["4", "5", "cube", "sqr"] and _stored(lab, task) == []
    lab.project.memory.clear()
    assert lab.tasks.SquareAndCube_x(x=2.0, pmax=5).run() == (4.0, 8.0, (16.0, 32.0))
    (record,) = lab.view()
    assert {Path(d.path).name for d in record.output_data} >= {f.name for f in stored.files}


def test_iterative_task(lab: Any) -> None:
    t = lab.tasks
    log = Path(t.ITERATIONS_LOG)

    def computed() -> list[int]:
        done = [int(line) for line in log.read_text().split()] if log.exists() else []
        log.unlink(missing_ok=True)
        return done

    assert t.PowSeq(start_n=0, n=2, a=3.0, p=3.0, reason="pytest").run() == (2, 3.0**9)
    assert computed() == [0, 1]
    lab.project.memory.clear()
    assert t.PowSeq(start_n=0, n=2, a=3.0, p=3.0).run() == (2, 3.0**9)   # found, not computed
    assert computed() == []
    task4 = t.PowSeq(start_n=0, n=4, a=3.0, p=3.0, reason="pytest")
    assert task4.run() == (4, ((3.0**9) ** 3) ** 3)                      # resumed from n=2
    assert computed() == [2, 3]
    assert t.PowSeq(start_n=0, n=1, a=3.0, p=3.0).run() == (1, 27.0)     # nothing below 1: from scratch
    assert computed() == [0]
    assert t.PowSeq(start_n=0, n=3, a=3.0, p=3.0).run() == (3, (3.0**9) ** 3)  # resumed from n=2
    assert computed() == [2]
    assert Task.from_desc(task4.desc) == task4


def test_create_task(lab: Any) -> None:
    from types_for_testing import Point

    task = Create(Point)(x=1.0, y=2.0, reason="pytest")
    point = task.run()
    assert point == Point(1.0, 2.0)
    assert task.run() is point                       # kept in memory
    assert Create(Point)(x=1.0, y=3.0).digest != task.digest
    assert Task.from_desc(task.desc) == task
