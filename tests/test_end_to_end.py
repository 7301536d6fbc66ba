"""The packages together, driven as a user would: task files of every kind through
`smttask run`, and recorded runs on worker processes landing in a real Sumatra lab book."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SMTTASK = str(Path(sys.executable).with_name("smttask"))

KINDS = '''
"""Every kind of task, for the end-to-end tests."""
import numpy as np
from smttask import MemoizedTask, ParamColl, RecordedIterativeTask, RecordedTask, TaskOutput, creatable, expand


class State(TaskOutput):
    n: int
    x: float


@RecordedIterativeTask("n", map={"n": "start", "x": "x"})
def Grow(start: int, n: int, x: float) -> State:
    for _ in range(start, n):
        x = 2 * x
    return n, x


class Sweep(ParamColl):
    scale: float
    offset: float = 0.0


@RecordedTask
def affine(params: Sweep, x: float) -> float:
    return params.scale * x + params.offset


@creatable
class Model:
    def __init__(self, size: int) -> None:
        self.weights = np.ones(size)


@RecordedTask
def square(x: int) -> int:
    print(f"squaring {x}")
    return x * x
'''


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def save_tasks(cwd: Path, code: str) -> None:
    script = "import sys; sys.path.insert(0, '.')\nfrom smttask import Project\nimport kinds\n"
    script += "with Project('.').activate():\n" + "".join(f"    {line}\n" for line in code.strip().splitlines())
    done = run([sys.executable, "-c", script], cwd)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "kinds.py").write_text(KINDS)
    (tmp_path / "smttask.toml").write_text('recorder = "none"\n')
    return tmp_path


def test_a_task_file_of_each_kind_runs_with_smttask_run(project: Path) -> None:
    save_tasks(
        project,
        """
from smttask import Create, Join, expand
kinds.Grow(start=0, n=3, x=1.0).save("taskdir")
kinds.Grow(start=0, n=5, x=1.0).save("taskdir")
for p in kinds.Sweep(scale=expand([1.0, 2.0]), offset=0.5).inner():
    kinds.affine(params=p, x=10).save("taskdir")
Create(kinds.Model)(size=3).save("taskdir")
Join(*(kinds.square(x=i) for i in range(3))).save("taskdir")
""",
    )
    assert len(list((project / "taskdir").glob("*.taskdesc.json"))) == 6
    done = run([SMTTASK, "run", "-n", "2", "taskdir"], project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 tasks: 6 computed" in done.stdout
    # The results are stored where a fresh process finds them.
    check = run([sys.executable, "-c", (
        "import sys; sys.path.insert(0, '.')\n"
        "from smttask import Project\nimport kinds\n"
        "with Project('.').activate():\n"
        "    print(kinds.Grow(start=0, n=5, x=1.0).get_output('x'),\n"
        "          kinds.affine(params=kinds.Sweep(scale=2.0, offset=0.5), x=10).get_output())\n"
    )], project)
    assert check.stdout.split() == ["32.0", "20.5"], check.stderr
    again = run([SMTTASK, "run", "-n", "2", "taskdir"], project)
    # Everything stored is found again (Join is recorded and stored, as in 0.2); Create keeps its object in memory only.
    assert again.returncode == 0 and "6 tasks: 1 computed, 5 cached" in again.stdout, again.stdout


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_recorded_task_files_on_workers_write_sumatra_records(project: Path) -> None:
    (project / "smttask.toml").unlink()
    git(project, "init", "-q")
    git(project, "config", "user.email", "t@example.invalid")
    git(project, "config", "user.name", "t")
    git(project, "add", "kinds.py")
    git(project, "commit", "-q", "-m", "code")
    init = run([SMTTASK, "project", "init", "--yes", "--name", "e2e"], project)
    assert init.returncode == 0, init.stdout + init.stderr
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "project")
    save_tasks(project, 'for i in range(4):\n    kinds.square(x=i, reason="e2e").save("taskdir")')
    done = run([SMTTASK, "run", "-n", "2", "taskdir"], project)
    assert done.returncode == 0, done.stdout + done.stderr
    records = json.loads(run([SMTTASK, "records", "--json"], project).stdout)
    assert len(records) == 4
    assert {r["reason"] for r in records} == {"e2e"}
    assert all(r["task"] == "square" for r in records)
    shown = run([SMTTASK, "records", "show", records[0]["label"]], project).stdout
    input_data = shown.split("Input data:")[1].split("Output data:")[0]
    assert "taskdir/square__" in input_data  # the task file the run came from
    listed = run([str(Path(sys.executable).with_name("smt")), "list"], project)
    assert sorted(listed.stdout.split()) == sorted(r["label"] for r in records)
    rerun = run([SMTTASK, "run", "-n", "2", "taskdir"], project)
    assert "4 cached" in rerun.stdout
    assert len(json.loads(run([SMTTASK, "records", "--json"], project).stdout)) == 4
