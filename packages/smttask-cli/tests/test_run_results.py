"""``smttask run`` trusts a stored result exactly as ``task.run()`` would, through the command line.

Damaged results are recomputed (with one warning per task), a result another
batch computed is counted once, a full disk is one clear line, and
``smttask clean`` removes what interrupted runs left and nothing else.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smttask import Project

MODULE = "storetasks"
TASKS = '''
"""Tasks for the result tests (found from the working directory)."""
import time
import numpy as np
from smttask import RecordedTask
from smttask.typing import Array

@RecordedTask
def ramp(n: int) -> Array[float, 1]:
    return np.linspace(0.0, 1.0, n)

@RecordedTask
def nap(i: int) -> int:
    with open("nap-count.txt", "a") as f:
        f.write(f"{i}\\n")
    time.sleep(0.2)
    return i

@RecordedTask
def zeros(n: int) -> Array[float, 1]:
    return np.zeros(n)
'''


@pytest.fixture
def tasks(project: Any) -> Iterator[Any]:
    """The module of tasks above, written into the project and imported."""
    project.write(f"{MODULE}.py", TASKS)
    sys.modules.pop(MODULE, None)
    yield importlib.import_module(MODULE)
    sys.modules.pop(MODULE, None)


def _stored_files(project: Any, task: Any) -> tuple[Path, Path]:
    """``(output file, manifest)`` of *task*'s stored result."""
    with Project(project.root).activate() as active:
        stored = active.storage.locate(task)
        directory = active.storage.directory(task)
    return next(iter(stored.outputs.values())).path, directory / f"{task.digest}.manifest.json"


CORRUPTIONS = {
    "deleted": lambda out, manifest, n: out.unlink(),
    "replaced, same size": lambda out, manifest, n: np.save(out, np.full(n, 7.0)),
    "replaced, other size": lambda out, manifest, n: np.save(out, np.zeros(n + 5)),
    "truncated": lambda out, manifest, n: out.write_bytes(out.read_bytes()[:-100]),
    "garbage manifest": lambda out, manifest, n: manifest.write_bytes(b"\x00 not a manifest {"),
}


@pytest.mark.parametrize("cores", ["1", "2"])
def test_damaged_results_are_recomputed_once_each_and_dry_run_agrees(project: Any, tasks: Any, cores: str) -> None:
    sizes = {name: 100 + i for i, name in enumerate(CORRUPTIONS)}
    labels = {name: f"tasks/{name.replace(' ', '-').replace(',', '')}.taskdesc.json" for name in CORRUPTIONS}
    for name, n in sizes.items():
        project.save(tasks.ramp(n=n), Path(labels[name]).name.removesuffix(".taskdesc.json"))
    project.save(tasks.ramp(n=99), "intact")
    smttask = project.smttask if cores == "1" else project.smttask_process  # workers need a real process
    first = smttask("run", "-n", cores, "tasks")
    assert first.returncode == 0, first.stderr
    assert set(first.statuses().values()) == {"computed"}

    for name, n in sizes.items():
        CORRUPTIONS[name](*_stored_files(project, tasks.ramp(n=n)), n)

    dry = smttask("run", "--dry-run", "-n", cores, "tasks")
    predicted = dry.predictions()
    assert predicted == {**{label: "would compute" for label in labels.values()}, "tasks/intact.taskdesc.json": "cached"}
    assert "stored result unusable" in dry.stdout

    run = smttask("run", "-n", cores, "tasks")
    assert run.returncode == 0, run.stderr
    reported = run.statuses()
    assert {label: reported[label] for label in labels.values()} == dict.fromkeys(labels.values(), "computed")
    assert reported["tasks/intact.taskdesc.json"] == "cached"
    for n in sizes.values():
        key = tasks.ramp(n=n).digest
        warned = [line for line in run.lines("stderr") if "CorruptResultWarning" in line and key in line]
        assert len(warned) == 1, f"one warning for ramp(n={n}):\n{run.stderr}"

    with Project(project.root).activate(), warnings.catch_warnings():
        warnings.simplefilter("error")  # repaired: loading warns no more
        for n in sizes.values():
            np.testing.assert_array_equal(tasks.ramp(n=n).run(), np.linspace(0.0, 1.0, n))
    again = smttask("run", "-n", cores, "tasks")
    assert set(again.statuses().values()) == {"cached"}


def test_a_task_another_batch_computed_counts_once(project: Any, tasks: Any) -> None:
    for i in range(20):
        project.save(tasks.nap(i=i), f"nap-{i:02d}")
    batches = [project.start("run", "-n", "2", "tasks") for _ in range(2)]
    outputs = [batch.communicate(timeout=120) for batch in batches]
    assert [batch.returncode for batch in batches] == [0, 0], [err for _, err in outputs]
    computed = []
    for stdout, _ in outputs:
        summary = re.search(r"20 tasks: (.*)\.", stdout)
        assert summary, stdout
        counts = {status: int(n) for n, status in re.findall(r"(\d+) (\w+)", summary.group(1))}
        assert counts.get("computed", 0) + counts.get("cached", 0) == 20, summary.group(0)
        computed.append(counts.get("computed", 0))
    assert len((project.root / "nap-count.txt").read_text().split()) == 20, "each task computed once"
    assert sum(computed) == 20, f"summaries say {computed[0]} + {computed[1]} computed"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_clean_lists_and_removes_leftovers_only(project: Any, tasks: Any) -> None:
    from smttask.files import temp_name, temp_tag

    project.save(tasks.ramp(n=10), "ramp-10")
    assert project.smttask("run", "tasks").returncode == 0
    out, manifest = _stored_files(project, tasks.ramp(n=10))
    directory = out.parent
    dead = directory / temp_name(f"{tasks.ramp(n=11).digest}.npy", temp_tag(_dead_pid(), socket.gethostname()))
    dead.write_bytes(b"\0" * 124_000)
    unvouched = directory / f"{tasks.ramp(n=12).digest}.npy"
    unvouched.write_bytes(b"\0" * 2_000)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as live:
        busy = directory / temp_name(f"{tasks.ramp(n=13).digest}.npy", temp_tag(live.pid, socket.gethostname()))
        busy.write_bytes(b"\0" * 10)

        dry = project.smttask("clean", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        lines = dry.lines()
        assert any(line.startswith("would remove") and dead.name in line and "124.0 kB" in line for line in lines)
        assert any(line.startswith("would remove") and unvouched.name in line for line in lines)
        assert lines[-1] == "Dry run: would remove 2 files, freeing 126.0 kB. Nothing was removed."
        assert dead.exists() and unvouched.exists()

        real = project.smttask("clean")
        assert real.returncode == 0, real.stderr
        assert real.lines()[-1] == "Removed 2 files, 126.0 kB freed."
        assert not dead.exists() and not unvouched.exists()
        assert busy.exists(), "a live writer's file is never removed"
        assert out.exists() and manifest.exists(), "a stored result is never removed"
        live.kill()
    assert project.smttask("clean", "--dry-run").lines()[-1].startswith("Dry run: would remove 1 file")
    assert set(project.smttask("run", "tasks").statuses().values()) == {"cached"}


@pytest.fixture
def small_disk(project: Any) -> Iterator[Path]:
    """A 2 MB tmpfs mounted as the project's data directory (root only)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    data = project.root / "data"
    data.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(data)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield data
    finally:
        if subprocess.run(["umount", str(data)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(data)], capture_output=True)


def test_a_full_disk_is_one_clear_line_and_leaves_nothing(project: Any, tasks: Any, small_disk: Path) -> None:
    project.save(tasks.zeros(n=1_250_000), "big")  # 10 MB on a 2 MB disk
    result = project.smttask("run", "tasks/big.taskdesc.json")
    assert result.returncode == 1
    failures = [line for line in result.lines("stderr") if "big.taskdesc.json" in line]
    assert len(failures) == 1, result.stderr
    assert re.search(r"StorageFullError: no space left on device while writing \S+\.npy", failures[0])
    assert "requested and" not in result.stderr, "not numpy's short-write message"
    assert [p for p in small_disk.rglob("*") if not p.is_dir()] == [], "nothing half-written is left"

    project.save(tasks.zeros(n=1000), "small")
    after = project.smttask("run", "tasks/small.taskdesc.json")
    assert after.returncode == 0, after.stderr
    assert after.statuses() == {"tasks/small.taskdesc.json": "computed"}
    assert project.stored(tasks.zeros(n=1000))
    assert json.loads(_stored_files(project, tasks.zeros(n=1000))[1].read_text())["outputs"][""]["size"] == 8128
