"""``smttask run`` of a task file whose large array input is stored apart (issue 17)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

ARRAY_TASKS = '''
from smttask import RecordedTask
from smttask.typing import Array

@RecordedTask
def total(a: Array) -> float:
    return float(a.sum())
'''


def test_a_task_file_moved_without_its_arrays_is_one_line_and_the_batch_goes_on(project, tmp_path):
    from smttask import Project

    project.write("arraytasks.py", ARRAY_TASKS)
    import arraytasks

    # Saved in another project (another machine, with the same code); the task file is copied here alone.
    origin = tmp_path / "origin"
    origin.mkdir()
    (origin / "smttask.toml").write_text('recorder = "none"\n')
    with Project(origin).activate():
        saved = arraytasks.total(a=np.arange(200_000.0)).save(origin / "tasks")
    digest = json.loads(saved.read_text())["inputs"]["a"]["value"]["xxh3_128"]
    assert saved.stat().st_size < 1000
    moved = shutil.copy(saved, project.root / "total.taskdesc.json")
    good = project.save(project.tasks.square(x=3), "good")

    result = project.smttask("run", "total.taskdesc.json", str(good))
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "Traceback" not in output
    about = [line for line in output.splitlines() if "total.taskdesc.json" in line]
    assert len(about) == 1, output
    assert digest in about[0] and f"data/.arrays/{digest}.npy is missing" in about[0] and "embed=True" in about[0]
    assert json.loads(Path(moved).read_text()) == json.loads(saved.read_text())  # the file is kept as it was
    assert project.stored(project.tasks.square(x=3))  # the rest of the batch ran

    # Copying the arrays, as the line says, makes it run.
    shutil.copytree(origin / "data" / ".arrays", project.root / "data" / ".arrays")
    again = project.smttask("run", "total.taskdesc.json")
    assert again.returncode == 0, again.stdout + again.stderr
