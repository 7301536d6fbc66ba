"""``kill -9`` while ``smttask run`` saves a large result: never a half-visible result, never orphans.

A task returning a 64 MB array is run by the real console script and SIGKILLed
at several moments of its save: as soon as the temporary ``.npy`` appears, when
it is half written, once it is renamed into place (manifest not yet written),
and once the manifest is there. Afterwards the result is either invisible or
complete and right; the next run (``smttask run`` or ``task.run()``) recomputes
it (or, if the manifest was complete, loads it) and the loaded values are right;
and once that run has claimed the key, no ``*.tmp`` file of the killed writer
(nor its claim) remains.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from fuzz_cli import HERE, SMTTASK
from fuzz_counts import EXAMPLES, counts

N = 8 << 20  # float64 values: 64 MB
#: Kills at each moment: one per 300 fuzz examples (SMTTASK_FUZZ_EXAMPLES).
REPEATS = max(1, EXAMPLES // 300)
SIZE = 8 * N

#: When to kill, and how each next run recovers (the CLI, or the Python API).
MOMENTS = {
    "tmp file appears": "cli",
    "tmp file half written": "api",
    "npy renamed, no manifest": "cli",
    "manifest written": "api",
}


def _state(directory: Path) -> dict[str, list[os.DirEntry]]:
    found: dict[str, list[os.DirEntry]] = {"tmp": [], "npy": [], "manifest": [], "claim": []}
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return found
    for entry in entries:
        name = entry.name
        if name.endswith(".tmp"):
            found["tmp"].append(entry)
        elif name.endswith(".npy"):
            found["npy"].append(entry)
        elif name.endswith(".manifest.json"):
            found["manifest"].append(entry)
        elif name.endswith(".claim"):
            found["claim"].append(entry)
    return found


def _reached(moment: str, state: dict[str, list[os.DirEntry]]) -> bool:
    npy_tmp = [e for e in state["tmp"] if ".npy." in e.name]
    if moment == "tmp file appears":
        return bool(npy_tmp)
    if moment == "tmp file half written":
        return any(_size(e) >= SIZE // 2 for e in npy_tmp)
    if moment == "npy renamed, no manifest":
        return bool(state["npy"]) and not state["manifest"]
    return bool(state["manifest"])


def _size(entry: os.DirEntry) -> int:
    try:
        return entry.stat().st_size
    except FileNotFoundError:
        return 0


def _kill_during_save(project: Path, moment: str) -> str:
    """Start ``smttask run`` and SIGKILL it at *moment*; return what was on disk when it died."""
    directory = project / "data" / "large"
    with open(project / "killed-run.log", "wb") as log:
        process = subprocess.Popen(
            [SMTTASK, "run", "tasks/large.taskdesc.json"], cwd=project, stdout=log, stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120  # guards a hung test; asserts nothing about speed
        try:
            while process.poll() is None and time.monotonic() < deadline:
                state = _state(directory)
                if _reached(moment, state):
                    os.killpg(process.pid, signal.SIGKILL)
                    break
            else:
                return "missed: the run ended before the moment came"
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    state = _state(directory)
    return ", ".join(f"{len(v)} {k}" for k, v in state.items() if v) or "nothing"


@pytest.fixture
def large_project(tmp_path: Path) -> Path:
    import hostile_tasks

    from smttask import Project

    project = tmp_path / "project"
    project.mkdir()
    (project / "smttask.toml").write_text('recorder = "none"\n')
    shutil.copy(HERE / "hostile_tasks.py", project / "hostile_tasks.py")
    with Project(project).activate():
        hostile_tasks.large(n=N).save(project / "tasks" / "large.taskdesc.json")
    return project


@pytest.mark.parametrize("repeat", range(REPEATS))
@pytest.mark.parametrize("moment", MOMENTS)
def test_kill_9_during_a_large_save_leaves_no_half_result_and_no_orphans(large_project: Path, moment: str, repeat: int):
    import hostile_tasks
    import numpy as np

    from smttask import Project

    project = large_project
    on_disk = _kill_during_save(project, moment)
    counts.add("faults injected (kill -9 during a 64 MB save)", kind=f"{moment} [{on_disk}]")
    task_dir = project / "data" / "large"
    context = Project(project)
    task = None
    with context.activate():
        task = hostile_tasks.large(n=N)
        visible = context.storage.load(task)  # a half-visible result raises CorruptResultError here
    if visible is not None:
        assert np.array_equal(next(iter(visible.values())), np.arange(N, dtype=np.float64)), on_disk

    recomputed = visible is None
    if MOMENTS[moment] == "cli":
        done = subprocess.run([SMTTASK, "run", "tasks/large.taskdesc.json"], cwd=project,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        expected = "computed" if recomputed else "cached"
        assert f"] {expected}" in done.stdout, f"after kill ({on_disk}): {done.stdout}"
        assert "Traceback" not in done.stdout + done.stderr
    else:
        with context.activate():
            values = task.run()
        assert np.array_equal(values, np.arange(N, dtype=np.float64))

    with context.activate():
        stored = context.storage.load(hostile_tasks.large(n=N))
    assert stored is not None and np.array_equal(next(iter(stored.values())), np.arange(N, dtype=np.float64))
    # A run that loads a complete result claims nothing, so only one that recomputed clears a dead claim
    # (also one the killed run was releasing: renamed aside to a temporary name, not yet unlinked) ...
    orphans = (".tmp", ".claim")
    leftovers = sorted(p.name for p in task_dir.iterdir() if p.name.endswith(orphans))
    unclaimed = [name for name in leftovers if recomputed or ".claim" not in name]
    assert unclaimed == [], f"killed at '{moment}' ({on_disk}); after the next run these remain: {unclaimed}"
    # ... and what a dead run left, cleaning removes
    context.storage.clean()
    leftovers = sorted(p.name for p in task_dir.iterdir() if p.name.endswith(orphans))
    assert leftovers == [], f"killed at '{moment}' ({on_disk}); after cleaning these remain: {leftovers}"
