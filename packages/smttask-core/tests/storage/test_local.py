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
    assert names == [f"{key}.manifest.json", f"{key}_data.npy"]  # the small JSON output is in the manifest
    assert np.load(folder / f"{key}_data.npy").tolist() == [0.0, 1.0, 2.0]
    manifest = json.loads((folder / f"{key}.manifest.json").read_text())
    assert json.loads(manifest["outputs"]["mean"]["inline"]) == 1.0


def test_every_output_gets_a_file_with_result_inline_max_0(file_project: Any) -> None:
    task = make_stats(n=3)
    task.run()
    folder = file_project.data_dir / "make_stats"
    key = task.digest
    assert sorted(p.name for p in folder.iterdir()) == [f"{key}.manifest.json", f"{key}_data.npy", f"{key}_mean.json"]
    assert json.loads((folder / f"{key}_mean.json").read_text()) == 1.0
    assert fresh_run(file_project, task).mean == 1.0


def test_json_outputs_over_result_inline_max_get_a_file(project: Any) -> None:
    @RecordedTask
    def words(n: int) -> list[str]:
        return ["word"] * n

    small, large = words(n=3), words(n=1000)  # 1000 words: over 4 KiB of JSON
    assert small.run() == ["word"] * 3 and large.run() == ["word"] * 1000
    assert [p.suffix for p in project.storage.locate(small).files] == [".json"]
    assert project.storage.locate(small).files[0].name.endswith(".manifest.json")
    assert project.storage.locate(large).files == [project.storage.directory(large) / f"{large.digest}.json"]
    assert fresh_run(project, small) == ["word"] * 3 and fresh_run(project, large) == ["word"] * 1000


def test_manifest_carries_the_full_key_and_hashes(project: Any) -> None:
    task, array = Square(x=2), big_array(n=10)
    task.run()
    array.run()
    manifest = json.loads((project.data_dir / "Square" / f"{task.digest}.manifest.json").read_text())
    assert manifest["key"] == task.digest and manifest["task"] == "core_tasks:Square"
    assert set(manifest["outputs"][""]) == {"inline", "format", "size", "xxh3_128"}
    manifest = json.loads((project.data_dir / "big_array" / f"{array.digest}.manifest.json").read_text())
    assert set(manifest["outputs"][""]) == {"file", "format", "size", "xxh3_128", "mtime_ns", "facts"}


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


@pytest.mark.parametrize("where", ["project", "file_project"])
def test_unicode_output_names_store_and_reload(where: str, request: pytest.FixtureRequest) -> None:
    project = request.getfixturevalue(where)

    class Params(TaskOutput):
        θ: float
        σ_2: float

    @RecordedTask
    def fit(x: float) -> Params:
        return x, 2 * x

    assert fit(x=1).run() == (1.0, 2.0)
    assert fresh_run(project, fit(x=1)) == (1.0, 2.0)
    assert list(project.storage.locate(fit(x=1)).outputs) == ["θ", "σ_2"]
    if where == "file_project":
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


def test_corrupt_json_output_is_detected(file_project: Any) -> None:
    Square(x=5).run()
    manifest = _output_file(file_project, Square(x=5), ".manifest.json")
    path = manifest.with_name(f"{Square(x=5).digest}.json")
    path.write_text("{{{{")
    assert manifest.exists()
    with pytest.warns(CorruptResultWarning):
        assert fresh_run(file_project, Square(x=5)) == 25.0


@pytest.mark.parametrize("text", ["36.0", "{{{{", None], ids=["altered", "not-json", "not-a-string"])
def test_altered_output_kept_in_the_manifest_is_detected(project: Any, text: Any) -> None:
    Square(x=5).run()
    path = _output_file(project, Square(x=5), ".manifest.json")
    manifest = json.loads(path.read_text())
    manifest["outputs"][""]["inline"] = text if text is not None else 36.0
    path.write_text(json.dumps(manifest))
    with pytest.warns(CorruptResultWarning, match="manifest"):
        assert fresh_run(project, Square(x=5)) == 25.0
    assert json.loads(json.loads(path.read_text())["outputs"][""]["inline"]) == 25.0
    assert project.storage.check(Square(x=5)) is not None


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"$type": "os.system", "value": "true"}'],
                         ids=["deeply-nested", "foreign-type"])
def test_hostile_output_kept_in_the_manifest_with_its_hash_is_refused(project: Any, text: str) -> None:
    import xxhash

    Square(x=5).run()
    path = _output_file(project, Square(x=5), ".manifest.json")
    manifest = json.loads(path.read_text())
    manifest["outputs"][""].update(inline=text, size=len(text), xxh3_128=xxhash.xxh3_128_hexdigest(text.encode()))
    path.write_text(json.dumps(manifest))
    with pytest.warns(CorruptResultWarning, match="manifest"):
        assert fresh_run(project, Square(x=5)) == 25.0


@pytest.mark.parametrize("fixture", ["project", "file_project"], ids=["in-the-manifest", "in-a-file"])
def test_deeply_nested_results_are_read_back(request: pytest.FixtureRequest, fixture: str) -> None:
    # Deeper than pydantic_core's JSON parser goes (200): read by json's parser instead.
    calls = []

    @RecordedTask
    def nest(depth: int) -> list[Any]:
        calls.append(depth)
        value: list[Any] = []
        for _ in range(depth):
            value = [value]
        return value

    project = request.getfixturevalue(fixture)
    expected = nest(depth=250).run()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read back as written, not found corrupt and recomputed
        assert fresh_run(project, nest(depth=250)) == expected
    assert calls == [250]


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


def test_interrupted_save_leaves_no_orphan_outputs(file_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from smttask.storage import local

    real_write = local.write_new_file
    calls = []

    def fail_second(data: bytes, path: str) -> str:  # every output of analyze is JSON, each in a file here
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_write(data, path)

    monkeypatch.setattr(local, "write_new_file", fail_second)
    with pytest.raises(KeyboardInterrupt):
        analyze(arr=[1, 2], dt=1.0, nbins=1).run()
    assert [p for p in file_project.data_dir.rglob("*") if p.is_file()] == []
