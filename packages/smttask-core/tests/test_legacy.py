"""Task files written by smttask 0.2 (real ones, in data/smttask-0.2) become tasks of the current API."""

from __future__ import annotations

import base64
import io
import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from legacytasks import Add, Mul, Point, Total

from smttask import Create, Join, Task
from smttask.errors import MalformedTaskFileError, TaskFileInputError, TaskFileVersionError
from smttask.legacy import task_from_legacy

OLD = Path(__file__).parent / "data" / "smttask-0.2"


def test_a_plain_task_keeps_its_inputs_and_reason(project: Any) -> None:
    task, old_digest = task_from_legacy(OLD / "Add__ac59107607.taskdesc.json")
    assert task == Add(a=1.0, b=2.0, n=10) and task.reason == "explore run"
    assert old_digest == "ac59107607"
    assert task.run() == 3.0


def test_a_nested_upstream_task_becomes_an_upstream_task(project: Any) -> None:
    task, old_digest = task_from_legacy(OLD / "Mul__397f9f3431.taskdesc.json")
    assert task == Mul(a=Add(a=1.0, b=2.0), b=3.0) and old_digest == "397f9f3431"
    assert task.inputs["a"].reason == "explore run"
    assert task.run() == 9.0


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Total__9323a36796", np.arange(5.0)), ("Total__59a278ae48", np.linspace(0, 1, 300))],
)
def test_arrays_as_lists_and_compressed_come_back_equal(project: Any, name: str, expected: Any) -> None:
    task, _ = task_from_legacy(OLD / f"{name}.taskdesc.json")
    assert task.inputs["x"].dtype == np.float64
    np.testing.assert_array_equal(task.inputs["x"], expected)
    assert task == Total(x=expected, label=task.inputs["label"])


def test_generated_join_and_create_become_join_and_create(project: Any) -> None:
    join, _ = task_from_legacy(OLD / "JoinCreator.Join[Add]__d19f1d5f71.taskdesc.json")
    assert join == Join([Add(a=1.0, b=2.0), Add(a=3.0, b=4.0)])
    assert join.run() == [3.0, 7.0]
    create, _ = task_from_legacy(OLD / "Create.CreatePoint__5646d2e495.taskdesc.json")
    assert create == Create(Point)(x=1.0, y=2.0) and create.run() == Point(1.0, 2.0)


def test_a_migrated_task_saves_in_the_current_format(project: Any, tmp_path: Path) -> None:
    task, _ = task_from_legacy(OLD / "Mul__397f9f3431.taskdesc.json")
    assert Task.from_desc(task.save(tmp_path)) == task


def test_reading_an_old_file_as_a_task_file_says_to_migrate_it(project: Any) -> None:
    with pytest.raises(TaskFileVersionError, match=r"smttask 0\.2; convert it .*smttask migrate FILE\.\.\. -o DIR"):
        Task.from_desc(OLD / "Add__ac59107607.taskdesc.json")


def _old(inputs: dict[str, Any]) -> dict[str, Any]:
    return {"taskname": "Total", "module": "legacytasks", "inputs": {"digest": "x", **inputs}, "reason": None}


def _compressed(image: bytes, compression: str = "zlib") -> list[Any]:
    data = zlib.compress(image) if compression == "zlib" else image
    body = {"encoding": "b85", "compression": compression, "summary": "", "data": base64.b85encode(data).decode()}
    return ["scityping.numpy._ArrayType", {"data": ["scityping.numpy.CompressedArrayData", [["t", {}], body]]}]


def _npy(array: Any) -> bytes:
    stream = io.BytesIO()
    np.save(stream, array)
    return stream.getvalue()


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (["scityping.functions.PureFunction", {"func": "import os\nos.system('touch /tmp/owned')"}], "source code.*never executes"),
        (["scityping.scipy.Distribution", {"dist": "norm"}], "holds a scityping.scipy.Distribution value"),
        (_compressed(_npy(np.array([1.0], dtype=object))), "holds Python objects"),
        (_compressed(_npy(np.arange(4.0))[:-8]), "not the length its header gives"),
        (_compressed(_npy(np.arange(4.0)) + b"extra"), "not the length its header gives"),
        (_compressed(b"\x93NUMPY garbage"), "malformed scityping.numpy._ArrayType data"),
        (_compressed(_npy(np.arange(4.0)), "blosc"), "compression 'blosc' is not supported"),
        (["scityping.numpy._ArrayType", {"data": ["scityping.numpy.ListArrayData", [["t", {}], {"data": [1]}]]}], "malformed"),
        (["scityping.numpy._ArrayType", "nonsense"], "malformed"),
    ],
)
def test_hostile_values_are_one_line_and_call_nothing(project: Any, tmp_path: Path, x: Any, message: str) -> None:
    path = tmp_path / "old.taskdesc.json"
    path.write_text(json.dumps(_old({"x": x, "label": "l"})))
    with pytest.raises(TaskFileInputError, match=message) as info:
        task_from_legacy(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    assert not Path("/tmp/owned").exists()


def test_a_compressed_array_is_inflated_no_further_than_its_header_says(project: Any, tmp_path: Path) -> None:
    # A 4-element header followed by 64 MB of zeros: refused without inflating them all.
    image = _npy(np.arange(4.0)) + bytes(64 << 20)
    path = tmp_path / "bomb.taskdesc.json"
    path.write_text(json.dumps(_old({"x": _compressed(image), "label": "l"})))
    with pytest.raises(TaskFileInputError, match="not the length its header gives"):
        task_from_legacy(path)


def test_a_file_of_the_current_format_or_another_generator_is_refused(project: Any, tmp_path: Path) -> None:
    current = Add(a=1.0, b=2.0).save(tmp_path)
    with pytest.raises(MalformedTaskFileError, match="not a task file of smttask 0.2"):
        task_from_legacy(current)
    desc = {**_old({}), "generator_function": "Evil", "generator_module": "os"}
    with pytest.raises(MalformedTaskFileError, match="generator 'Evil'"):
        task_from_legacy(desc)
