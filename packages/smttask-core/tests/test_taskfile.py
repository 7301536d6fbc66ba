"""Task files: round trips, naming, and one specific error per kind of bad file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from core_tasks import Add, Identity, Iterate, Mul, Scale, analyze, draw

from smttask import Task
from smttask.errors import (
    MalformedTaskFileError,
    TaskFileInputError,
    TaskFileVersionError,
    TaskKeyMismatchError,
    UnknownTaskError,
)


def test_save_creates_the_folder_and_names_the_file(project: Any, tmp_path: Path) -> None:
    task = Add(a=1, b=2)
    path = task.save(tmp_path / "new" / "taskdir")
    assert path == tmp_path / "new" / "taskdir" / f"Add__{task.digest}.taskdesc.json"
    doc = json.loads(path.read_text())
    assert doc["format"] == "smttask-task" and doc["version"] == 2
    assert doc["module"] == "core_tasks" and doc["task"] == "Add"
    assert doc["inputs"] == {"a": 1.0, "b": 2.0} and doc["key"] == task.digest


def test_save_to_an_explicit_file_name(project: Any, tmp_path: Path) -> None:
    assert Add(a=1, b=2).save(tmp_path / "mine.json") == tmp_path / "mine.json"


VALUES = [
    {"y": 2, "x": [1, 2.5, None, True]},
    (1, "a", b"\x00"),
    {3, 1, 2},
    {1: "int key", (1, 2): "tuple key"},
    np.arange(10).reshape(2, 5),
    np.linspace(0, 1, 1000),
    np.random.default_rng(0).normal(size=500),  # incompressible: stored uncompressed
    np.array([1 + 2j, 3 - 1j]),
    np.float32(1.5),
    np.dtype("f4"),
    complex(1, 2),
    Path("/data/x.csv"),
]


@pytest.mark.parametrize("value", VALUES, ids=[type(v).__name__ + str(i) for i, v in enumerate(VALUES)])
def test_round_trip_keeps_type_value_and_key(project: Any, tmp_path: Path, value: Any) -> None:
    task = Identity(value=value)
    again = Task.from_desc(task.save(tmp_path))
    assert again == task
    got = again.inputs["value"]
    assert type(got) is type(value)
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(got, value)
        assert got.dtype == value.dtype
    else:
        assert got == value


def test_round_trip_of_upstream_tasks_generators_and_class_tasks(project: Any, tmp_path: Path) -> None:
    for task in (
        Mul(a=Add(a=1, b=2, reason="inner"), b=Iterate(x0=1, n=4)),
        draw(rng=np.random.default_rng(3), n=4),
        Scale(x=2),
        analyze(arr=np.array([1, 2, 3]), dt=0.5, nbins=2),
    ):
        again = Task.from_desc(task.save(tmp_path))
        assert again == task and type(again) is type(task)
    np.testing.assert_array_equal(
        Task.from_desc(draw(rng=np.random.default_rng(3), n=4).desc).run(), draw(rng=np.random.default_rng(3), n=4).run()
    )


def test_from_desc_accepts_dict_json_text_and_path(project: Any, tmp_path: Path) -> None:
    task = Mul(a=Add(a=1, b=2), b=3)
    assert Task.from_desc(task.desc) == task
    assert Task.from_desc(json.dumps(task.desc)) == task
    assert Task.from_desc(str(task.save(tmp_path))) == task
    assert Mul.from_desc(task.desc) == task
    with pytest.raises(UnknownTaskError, match="not a 'Add'"):
        Add.from_desc(task.desc)


@pytest.mark.parametrize("proc", [True, False], ids=["proc-fd", "no-proc"])
def test_a_loaded_task_names_the_real_file_it_was_read_from(
    project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, proc: bool
) -> None:
    """The task file a record names is the file itself: absolute, through linked directories and
    linked files, wherever the process ran from (read from /proc/self/fd on Linux, else realpath)."""
    import os

    import smttask.taskfile

    if not proc:  # as on macOS
        monkeypatch.setattr(smttask.taskfile, "_FD_NAMES", str(tmp_path / "no-proc" / "{}"))
    realpaths: list[Any] = []
    realpath = os.path.realpath
    monkeypatch.setattr(os.path, "realpath", lambda p, **kw: realpaths.append(p) or realpath(p, **kw))
    real = Add(a=1, b=2).save(tmp_path / "real")
    expected = Path(realpath(real))
    (tmp_path / "linked-dir").symlink_to(tmp_path / "real", target_is_directory=True)
    (tmp_path / "linked-file.taskdesc.json").symlink_to(real)
    monkeypatch.chdir(tmp_path)
    realpaths.clear()
    for given in (real, Path("linked-dir") / real.name, "linked-file.taskdesc.json"):
        task = Task.from_desc(given)
        assert task.task_file == expected
        assert task.task_file.is_absolute() and not os.path.islink(task.task_file)
    assert Task.from_desc(real.read_text()).task_file is None  # JSON text names no file
    assert bool(realpaths) is not proc  # on Linux the path comes from the open file, not a second lookup


def test_reason_is_kept(project: Any) -> None:
    assert Task.from_desc(Add(a=1, b=2, reason="because").desc).reason == "because"


def write(tmp_path: Path, content: str | dict) -> Path:
    path = tmp_path / "bad.taskdesc.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def good_doc() -> dict:
    return {"format": "smttask-task", "version": 1, "module": "core_tasks", "task": "Add",
            "inputs": {"a": 1.0, "b": 2.0}, "reason": None}


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ("{not json", MalformedTaskFileError, "not valid JSON"),
        ("[1, 2]", MalformedTaskFileError, "not an object"),
        ({"hello": 1}, MalformedTaskFileError, "not an smttask task file"),
        ({**good_doc(), "version": 99}, TaskFileVersionError, "version 99 is not supported"),
        ({k: v for k, v in good_doc().items() if k != "inputs"}, MalformedTaskFileError, "missing field.*inputs"),
        ({**good_doc(), "module": "no_such_module_xyz"}, UnknownTaskError, "cannot import module 'no_such_module_xyz'"),
        ({**good_doc(), "task": "Nope"}, UnknownTaskError, "has no task 'Nope'"),
        ({**good_doc(), "task": "CALLS"}, UnknownTaskError, "is not a task"),
        ({**good_doc(), "inputs": {"a": "x", "b": 1}}, TaskFileInputError, "Invalid input 'a'"),
        ({**good_doc(), "inputs": {"a": 1}}, TaskFileInputError, "missing a required argument: 'b'"),
        ({**good_doc(), "inputs": {"a": {"$type": "nope", "value": 1}, "b": 1}}, TaskFileInputError, "Unknown serialized type 'nope'"),
        ({**good_doc(), "key": "0" * 32}, TaskKeyMismatchError, "stored key 0{32} but its inputs give key"),
    ],
    ids=["not-json", "not-object", "not-taskfile", "version", "missing", "module", "task", "not-task",
         "invalid-input", "missing-input", "unknown-type", "key-mismatch"],
)
def test_bad_files_raise_one_specific_error_naming_the_file(
    project: Any, tmp_path: Path, content: Any, error: type, message: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(error, match=message) as info:
        Task.from_desc(path)
    assert str(info.value).startswith(str(path))


def test_bad_upstream_task_is_reported_against_the_outer_file(project: Any, tmp_path: Path) -> None:
    doc = Mul(a=Add(a=1, b=2), b=3).desc
    (upstream,) = doc["upstream"].values()
    upstream["module"] = "no_such_module_xyz"
    path = write(tmp_path, doc)
    with pytest.raises(UnknownTaskError, match="in an upstream task: cannot import module"):
        Task.from_desc(path)


def test_missing_file(project: Any, tmp_path: Path) -> None:
    with pytest.raises(MalformedTaskFileError, match="no such file"):
        Task.from_desc(tmp_path / "absent.taskdesc.json")


def test_loading_never_unpickles(project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    paths = [Identity(value=v).save(tmp_path) for v in VALUES]
    paths.append(draw(rng=np.random.default_rng(1), n=3).save(tmp_path))

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a task file was unpickled")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    monkeypatch.setattr(np, "load", refuse)
    for path in paths:
        Task.from_desc(path)
    with pytest.raises(TaskFileInputError, match="Unknown serialized type 'pickle'"):
        Task.from_desc(write(tmp_path, {**good_doc(), "inputs": {"a": {"$type": "pickle", "value": "gAQu"}, "b": 1}}))


def diamond(levels: int) -> Any:
    left, right = Add(a=0, b=1), Mul(a=1, b=2)
    for _ in range(levels):
        left, right = Add(a=left, b=right), Mul(a=left, b=right)
    return Add(a=left, b=right)


def test_shared_upstream_tasks_are_written_once(project: Any, tmp_path: Path) -> None:
    # Unfolded into a tree, a diamond graph doubles at every level; the file must not.
    sizes = [len(json.dumps(diamond(n).desc)) for n in (4, 8, 16)]
    assert sizes[2] - sizes[1] < 2.5 * (sizes[1] - sizes[0])
    task = diamond(16)
    again = Task.from_desc(task.save(tmp_path))
    assert again == task
    assert again.run() == task.run()


def test_references_resolve_whatever_the_key_order(project: Any) -> None:
    task = diamond(3)
    reordered = json.loads(json.dumps(task.desc, sort_keys=True))
    assert Task.from_desc(reordered) == task


def test_dangling_and_cyclic_references_are_malformed(project: Any, tmp_path: Path) -> None:
    doc = {**good_doc(), "inputs": {"a": {"$type": "task", "value": {"ref": "f" * 32}}, "b": 1}}
    with pytest.raises(MalformedTaskFileError, match="never describes"):
        Task.from_desc(write(tmp_path, doc))
    inner = {**good_doc(), "key": "c" * 32, "inputs": {"a": {"$type": "task", "value": {"ref": "c" * 32}}, "b": 1}}
    doc = {**good_doc(), "inputs": {"a": {"$type": "task", "value": inner}, "b": 1}}
    with pytest.raises(MalformedTaskFileError, match="depends on itself"):
        Task.from_desc(write(tmp_path, doc))
