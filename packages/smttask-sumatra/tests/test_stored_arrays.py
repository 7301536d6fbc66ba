"""A record refers to a large array input by hash and lists it as input data, instead of copying it (issue 17)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sumatra_lab import Lab

from smttask import Task

ARRAY_TASKS = textwrap.dedent(
    '''
    from smttask import RecordedTask
    from smttask.typing import Array


    @RecordedTask
    def Total(a: Array) -> float:
        return float(a.sum())
    '''
)


@pytest.fixture
def total(lab: Lab) -> type:
    """A recorded task taking an array, in a module of the lab's (committed) repository."""
    import importlib

    name = f"{lab.tasks.__name__}_arrays"
    (lab.root / f"{name}.py").write_text(ARRAY_TASKS, encoding="utf-8")
    lab.commit("array task")
    module = importlib.import_module(name)
    yield module.Total
    sys.modules.pop(name, None)


def _store_file(lab: Lab) -> Path:
    return lab.root / ".smt" / "records"


def test_a_large_array_input_is_referenced_and_listed_as_input_data(lab: Lab, total: type) -> None:
    import xxhash

    arr = np.random.default_rng(0).random(2_000_000)
    store = _store_file(lab)
    total(a=np.zeros(3)).run()  # the store exists, with one record
    before = store.stat().st_size
    task = total(a=arr)
    assert task.run() == pytest.approx(arr.sum())

    record = lab.sumatra_records()[0]
    parameters = record.parameters.as_dict()
    digest = xxhash.xxh3_128_hexdigest(arr.data)
    assert parameters["inputs"]["a"] == {
        "$type": "ndarray.stored", "value": {"dtype": "<f8", "shape": [2_000_000], "xxh3_128": digest},
    }
    stored = lab.project.data_dir / ".arrays" / f"{digest}.npy"
    [key] = record.input_data
    assert key.path == stored.relative_to(lab.root).as_posix()
    assert key.metadata["array_xxh3_128"] == digest
    assert key.metadata["shape"] == [2_000_000] and key.metadata["dtype"] == "<f8"
    assert key.digest == hashlib.sha1(stored.read_bytes()).hexdigest()

    # The record store grows by a record, not by the array's 16 MB.
    growth = store.stat().st_size - before
    assert growth < 100_000, growth
    # The record's parameters rebuild the task, with the same key.
    assert Task.from_desc(parameters).digest == task.digest


def test_smt_list_prints_a_short_line_for_a_thousand_floats(lab: Lab, total: type) -> None:
    total(a=np.arange(1000.0)).run()
    listed = subprocess.run(
        [str(Path(sys.executable).with_name("smt")), "list", "-l"], cwd=lab.root, capture_output=True,
        text=True, timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    longest = max(map(len, listed.stdout.splitlines()))
    assert longest < 2000, longest


def test_small_arrays_stay_in_the_parameters_and_the_limit_is_a_setting(lab: Lab, total: type) -> None:
    total(a=np.arange(100.0)).run()
    record = lab.sumatra_records()[0]
    assert record.parameters.as_dict()["inputs"]["a"]["$type"] == "ndarray"
    assert record.input_data == []

    project = lab.with_settings(array_inline_max=1 << 20)
    with project.activate():
        total(a=np.arange(1000.0)).run()
    record = next(r for r in lab.sumatra_records() if r.parameters.as_dict()["inputs"]["a"]["value"]["shape"] == [1000])
    assert record.parameters.as_dict()["inputs"]["a"]["$type"] == "ndarray"
    assert record.input_data == []
