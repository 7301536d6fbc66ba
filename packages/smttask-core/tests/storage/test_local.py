"""The local storage backend: layout, formats, reload, corruption handling."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import core_tasks
import numpy as np
import pytest
from core_tasks import Square, analyze, big_array, draw, make_stats

from smttask import RecordedTask, TaskOutput
from smttask.errors import CorruptResultWarning


def fresh_run(project: Any, task: Any, **kwargs: Any) -> Any:
    """Run with an empty memory tier, as a new session would."""
    project.memory.clear()
    return type(task)(**dict(task.inputs)).run(**kwargs)


def test_layout_is_browsable(project: Any) -> None:
    task = make_stats(n=3)
    task.run()
    folder = project.data_dir / "make_stats"
    names = sorted(p.name for p in folder.iterdir())
    key = task.digest
    assert names == [f"{key}.manifest.json", f"{key}_data.npy", f"{key}_mean.json"]
    assert np.load(folder / f"{key}_data.npy").tolist() == [0.0, 1.0, 2.0]
    assert json.loads((folder / f"{key}_mean.json").read_text()) == 1.0


def test_manifest_carries_the_full_key_and_hashes(project: Any) -> None:
    task = Square(x=2)
    task.run()
    manifest = json.loads((project.data_dir / "Square" / f"{task.digest}.manifest.json").read_text())
    assert manifest["key"] == task.digest and manifest["task"] == "core_tasks:Square"
    assert set(manifest["outputs"][""]) == {"file", "format", "size", "xxh3_128", "mtime_ns"}


def test_disk_hit_does_not_recompute(project: Any) -> None:
    core_tasks.CALLS.clear()
    Square(x=3).run()
    assert fresh_run(project, Square(x=3)) == 9.0
    assert core_tasks.CALLS == ["Square"]


def test_disk_hit_does_not_run_upstream_tasks(project: Any) -> None:
    @RecordedTask
    def plus_one(x: float) -> float:
        return x + 1

    core_tasks.CALLS.clear()
    downstream = plus_one(x=Square(x=2))
    downstream.run()
    project.memory.clear()
    core_tasks.CALLS.clear()
    assert plus_one(x=Square(x=2)).run() == 5.0
    assert core_tasks.CALLS == []


def test_reloaded_values_have_their_types(project: Any) -> None:
    stats = fresh_run(project, make_stats(n=5))
    assert stats.data.dtype == np.float64 and stats.data.flags.writeable
    result = fresh_run(project, analyze(arr=[1, 2, 3], dt=0.1, nbins=3))
    assert result == analyze(arr=[1, 2, 3], dt=0.1, nbins=3).run()


def test_unicode_output_names_store_and_reload(project: Any) -> None:
    class Params(TaskOutput):
        θ: float
        σ_2: float

    @RecordedTask
    def fit(x: float) -> Params:
        return x, 2 * x

    assert fit(x=1).run() == (1.0, 2.0)
    assert fresh_run(project, fit(x=1)) == (1.0, 2.0)
    assert (project.storage.directory(fit(x=1)) / f"{fit(x=1).digest}_θ.json").exists()


def test_large_array_output_round_trips_and_mmaps(project: Any) -> None:
    task = big_array(n=100_000)
    expected = task.run()
    reloaded = fresh_run(project, task)
    np.testing.assert_array_equal(reloaded, expected)
    mapped = task.get_output(mmap=True)
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    np.testing.assert_array_equal(mapped, expected)


def test_random_generator_input_gives_reproducible_results(project: Any) -> None:
    rng = np.random.default_rng(42)
    first = draw(rng=rng, n=5).run()
    again = draw(rng=np.random.default_rng(42), n=5).run(recompute=True)
    np.testing.assert_array_equal(first, again)
    assert draw(rng=rng, n=5).digest == draw(rng=np.random.default_rng(42), n=5).digest


def _output_file(project: Any, task: Any, suffix: str) -> Path:
    return next((project.data_dir / task.taskname).glob(f"{task.digest}*{suffix}"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(p.read_bytes()[:-3]),  # truncated
        lambda p: p.write_bytes(p.read_bytes()[:-8] + b"\x00" * 8),  # same size, altered
        lambda p: p.unlink(),  # missing
    ],
    ids=["truncated", "altered", "missing"],
)
def test_damaged_output_is_detected_and_recomputed(project: Any, damage: Any) -> None:
    task = big_array(n=1000)
    expected = task.run()
    damage(_output_file(project, task, ".npy"))
    with pytest.warns(CorruptResultWarning, match="big_array"):
        result = fresh_run(project, task)
    np.testing.assert_array_equal(result, expected)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(fresh_run(project, task), expected)


def test_manifest_of_another_key_is_detected(project: Any) -> None:
    Square(x=2).run()
    Square(x=3).run()
    src = _output_file(project, Square(x=2), ".manifest.json")
    dst = _output_file(project, Square(x=3), ".manifest.json")
    dst.write_text(src.read_text())
    with pytest.warns(CorruptResultWarning, match="belongs to key"):
        assert fresh_run(project, Square(x=3)) == 9.0


def test_corrupt_json_output_is_detected(project: Any) -> None:
    Square(x=5).run()
    path = _output_file(project, Square(x=5), "json")
    manifest = _output_file(project, Square(x=5), ".manifest.json")
    path = next(p for p in path.parent.glob(f"{Square(x=5).digest}.json"))
    path.write_text("{{{{")
    assert manifest.exists()
    with pytest.warns(CorruptResultWarning):
        assert fresh_run(project, Square(x=5)) == 25.0


def test_no_temporary_files_remain(project: Any) -> None:
    make_stats(n=10).run()
    assert not [p for p in project.data_dir.rglob("*") if p.name.endswith(".tmp")]


def test_recompute_replaces_the_stored_result(project: Any) -> None:
    task = big_array(n=10)
    task.run()
    task.run(recompute=True)
    files = list((project.data_dir / "big_array").iterdir())
    assert len(files) == 2  # the output and its manifest, nothing left over


def test_delete_removes_a_result(project: Any) -> None:
    task = make_stats(n=2)
    task.run()
    assert project.storage.delete(task)
    assert project.storage.locate(task) is None
    assert not project.storage.delete(task)


def test_interrupted_save_leaves_no_orphan_outputs(project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from smttask.storage import JsonFormat

    real_write = JsonFormat.write
    calls = []

    def fail_second(self: Any, value: Any, path: str, proj: Any) -> str:
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_write(self, value, path, proj)

    monkeypatch.setattr(JsonFormat, "write", fail_second)
    with pytest.raises(KeyboardInterrupt):
        analyze(arr=[1, 2], dt=1.0, nbins=1).run()
    assert [p for p in project.data_dir.rglob("*") if p.is_file()] == []
