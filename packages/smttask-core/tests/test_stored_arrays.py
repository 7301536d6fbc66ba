"""Large array inputs are stored once beside the results and referenced by hash from task files (issue 17)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from core_tasks import Identity, analyze

from smttask import Project, Task, TaskFileError
from smttask.config import Config, load_config
from smttask.errors import ConfigError
from smttask.plugins import make_plugin_manager

#: Largest inline array in these tests: 128 floats (the default, 1 MiB, is tested once below).
INLINE_MAX = 1024


def _project(root: Path, inline_max: int = INLINE_MAX) -> Project:
    return Project(
        root,
        config=Config(recorder="none", array_inline_max=inline_max),
        plugin_manager=make_plugin_manager(load_entry_points=False),
    )


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    proj = _project(tmp_path / "here")
    with proj.activate():
        yield proj


def _inputs(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())["inputs"]


def _arrays(project: Project) -> list[Path]:
    directory = project.data_dir / ".arrays"
    return sorted(directory.iterdir()) if directory.exists() else []


def test_a_small_array_stays_in_the_task_file(project: Project, tmp_path: Path) -> None:
    path = analyze(arr=np.arange(128.0), dt=0.1, nbins=3).save(tmp_path / "tasks")
    assert _inputs(path)["arr"]["$type"] == "ndarray"
    assert _arrays(project) == []


def test_a_large_array_is_stored_once_and_the_file_refers_to_it(project: Project, tmp_path: Path) -> None:
    arr = np.random.default_rng(0).random(129)
    task = analyze(arr=arr, dt=0.1, nbins=3)
    path = task.save(tmp_path / "tasks")
    ref = _inputs(path)["arr"]
    assert ref["$type"] == "ndarray.stored"
    assert ref["value"]["dtype"] == "<f8" and ref["value"]["shape"] == [129]
    [stored] = _arrays(project)
    assert stored.name == f"{ref['value']['xxh3_128']}.npy"
    assert np.array_equal(np.load(stored, allow_pickle=False), arr)

    again = Task.from_desc(path)
    assert again.digest == task.digest
    assert np.array_equal(again.inputs["arr"], arr)
    assert again.run() == task.run()


def test_the_key_is_the_same_inline_or_referenced(project: Project, tmp_path: Path) -> None:
    arr = np.random.default_rng(1).random((60, 5)).astype("f4").T  # not C-contiguous
    task = Identity(value=arr)
    referenced = task.save(tmp_path / "ref.taskdesc.json")
    embedded = task.save(tmp_path / "embed.taskdesc.json", embed=True)
    assert _inputs(referenced)["value"]["$type"] == "ndarray.stored"
    assert _inputs(embedded)["value"]["$type"] == "ndarray"
    keys = {json.loads(p.read_text())["key"] for p in (referenced, embedded)}
    assert keys == {task.digest}
    assert Task.from_desc(referenced).digest == Task.from_desc(embedded).digest == task.digest
    assert np.array_equal(Task.from_desc(referenced).inputs["value"], arr)


def test_an_array_shared_by_tasks_is_written_once_and_never_rewritten(project: Project, tmp_path: Path) -> None:
    arr = np.linspace(0, 1, 500)
    analyze(arr=arr, dt=0.1, nbins=3).save(tmp_path / "a")
    [stored] = _arrays(project)
    before = stored.stat()
    analyze(arr=arr.copy(), dt=0.2, nbins=4).save(tmp_path / "b")
    Identity(value=arr).save(tmp_path / "c")
    assert _arrays(project) == [stored]
    after = stored.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_upstream_tasks_array_is_referenced_too(project: Project, tmp_path: Path) -> None:
    arr = np.full(200, 2.0)
    task = Identity(value=analyze(arr=arr, dt=0.1, nbins=3))
    path = task.save(tmp_path / "outer.taskdesc.json")
    [upstream] = json.loads(path.read_text())["upstream"].values()
    assert upstream["inputs"]["arr"]["$type"] == "ndarray.stored"
    again = Task.from_desc(path)
    assert again.digest == task.digest
    assert np.array_equal(again.inputs["value"].inputs["arr"], arr)


def test_the_default_threshold_keeps_a_megabyte_inline_and_refers_to_two_million_floats(tmp_path: Path) -> None:
    proj = _project(tmp_path / "default", inline_max=Config().array_inline_max)
    with proj.activate():
        small = Identity(value=np.ones(1 << 17)).save(tmp_path / "small.taskdesc.json")  # exactly 1 MiB
        big_task = Identity(value=np.random.default_rng(2).random(2_000_000))
        big = big_task.save(tmp_path / "big.taskdesc.json")
        embedded = big_task.save(tmp_path / "embedded.taskdesc.json", embed=True)
    assert _inputs(small)["value"]["$type"] == "ndarray"
    assert big.stat().st_size < 1000
    assert embedded.stat().st_size > 20_000_000


def test_the_threshold_is_a_project_setting(tmp_path: Path) -> None:
    (tmp_path / "smttask.toml").write_text("array_inline_max = 4096\n")
    assert load_config(tmp_path).array_inline_max == 4096
    (tmp_path / "smttask.toml").write_text("array_inline_max = -1\n")
    with pytest.raises(ConfigError, match="array_inline_max"):
        load_config(tmp_path)


def _moved(project: Project, tmp_path: Path) -> tuple[Path, str]:
    """A task file saved in *project* and copied alone into a fresh project; ``(copy, hash)``."""
    path = analyze(arr=np.arange(1000.0), dt=0.1, nbins=3).save(tmp_path / "tasks")
    digest = _inputs(path)["arr"]["value"]["xxh3_128"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return Path(shutil.copy(path, elsewhere)), digest


def test_a_task_file_moved_without_its_arrays_names_what_is_missing(project: Project, tmp_path: Path) -> None:
    copy, digest = _moved(project, tmp_path)
    other = _project(tmp_path / "elsewhere")
    with other.activate(), pytest.raises(TaskFileError) as info:
        Task.from_desc(copy)
    message = str(info.value)
    assert "\n" not in message and len(message) < 1000
    assert str(copy) in message and digest in message
    assert str(other.data_dir / ".arrays" / f"{digest}.npy") in message
    assert ".arrays/" in message and "embed=True" in message

    # Copying the arrays directory, as the message says, makes it readable.
    shutil.copytree(project.data_dir / ".arrays", other.data_dir / ".arrays")
    with other.activate():
        assert np.array_equal(Task.from_desc(copy).inputs["arr"], np.arange(1000.0))


def test_an_altered_stored_array_is_refused(project: Project, tmp_path: Path) -> None:
    path = analyze(arr=np.arange(1000.0), dt=0.1, nbins=3).save(tmp_path / "tasks")
    [stored] = _arrays(project)
    altered = np.arange(1000.0)
    altered[7] = -1
    np.save(stored, altered)
    with pytest.raises(TaskFileError, match="holds other data than its name says") as info:
        Task.from_desc(path)
    assert "\n" not in str(info.value)

    np.save(stored, np.arange(500.0))  # another shape
    with pytest.raises(TaskFileError, match="does not match its reference"):
        Task.from_desc(path)
    stored.write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(TaskFileError, match="does not match its reference"):
        Task.from_desc(path)


def test_cleaning_the_store_keeps_stored_arrays(project: Project, tmp_path: Path) -> None:
    analyze(arr=np.arange(1000.0), dt=0.1, nbins=3).save(tmp_path / "tasks")
    [stored] = _arrays(project)
    assert project.storage.clean() == []
    assert stored.exists()


def test_worker_processes_get_large_arrays_by_reference(project: Project) -> None:
    """A batch hands spawned workers the stored array (written once), not a copy in each task's description."""
    from smttask.execution.processes import ProcessExecutor

    arr = np.random.default_rng(3).random(5000)
    tasks = [analyze(arr=arr, dt=0.1, nbins=n) for n in range(1, 4)]
    outcomes = list(ProcessExecutor(project, workers=2, start_method="spawn").run(tasks))
    assert {o.status for o in outcomes} == {"computed"}
    assert [task.run() for task in tasks] == [(arr.mean(), arr.std(), 0.1 * n) for n in range(1, 4)]
    [stored] = _arrays(project)
    assert np.array_equal(np.load(stored, allow_pickle=False), arr)
