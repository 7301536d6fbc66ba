"""The memory tier is bounded by bytes as well as entries, and sizes results the way memory is used."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smttask import Config, MemoizedTask
from smttask.errors import ConfigError
from smttask.memory import SAMPLE, MemoryCache, MemoryEntry, held_bytes

MB = 1 << 20


@MemoizedTask
def Block(seed: int, mb: int) -> Any:
    return np.full(mb * MB // 8, float(seed))


def test_results_of_8_mb_are_kept_up_to_the_byte_bound(project: Any) -> None:
    project.memory.maxbytes = 64 * MB
    tracemalloc.start()
    try:
        for seed in range(50):  # 400 MB of results
            Block(seed=seed, mb=8).run()
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert project.memory.nbytes <= 64 * MB
    assert len(project.memory) == 7  # 8 x 8 MB would exceed 64 MB with the entries' own bytes
    assert held < 100 * MB
    assert Block(seed=49, mb=8).memory_key in project.memory  # the most recent are the ones kept
    assert Block(seed=0, mb=8).memory_key not in project.memory


def test_the_entry_bound_still_holds(project: Any) -> None:
    project.memory.maxsize = 3
    for seed in range(5):
        Block(seed=seed, mb=0).run()
    assert len(project.memory) == 3


def test_a_result_larger_than_the_bound_is_returned_but_not_kept(project: Any) -> None:
    project.memory.maxbytes = 4 * MB
    Block(seed=1, mb=1).run()
    result = Block(seed=2, mb=8).run()
    assert result.nbytes == 8 * MB
    assert Block(seed=2, mb=8).memory_key not in project.memory
    assert Block(seed=1, mb=1).memory_key in project.memory
    assert project.memory.nbytes < 4 * MB


def test_clearing_and_replacing_keep_the_count_of_bytes() -> None:
    cache = MemoryCache(maxsize=10, maxbytes=100 * MB)
    cache.put("a", MemoryEntry({"": np.zeros(MB)}, None))
    cache.put("a", MemoryEntry({"": np.zeros(2 * MB)}, None))
    assert 16 * MB <= cache.nbytes < 17 * MB
    cache.discard("a")
    assert cache.nbytes == 0
    cache.put("b", MemoryEntry({"": np.zeros(MB)}, None))
    cache.clear()
    assert cache.nbytes == 0 and len(cache) == 0


def test_views_of_one_buffer_count_it_once() -> None:
    array = np.zeros(MB)
    assert 8 * MB <= held_bytes((array, array[::2], array.reshape(1024, 1024), [array[:10]])) < 8 * MB + 4096


def test_a_memory_mapped_array_holds_no_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.npy"
    np.save(path, np.zeros(4 * MB))
    mapped = np.load(path, mmap_mode="r")
    assert held_bytes(mapped) < 4096
    assert held_bytes(mapped[100:200]) < 4096


def test_large_containers_are_estimated_closely() -> None:
    values = [float(i) for i in range(200_000)]
    exact = sys.getsizeof(values) + sum(sys.getsizeof(v) for v in values)
    assert len(values) > SAMPLE
    assert abs(held_bytes(values) - exact) / exact < 0.05
    table = {f"key{i}": np.zeros(1000) for i in range(5000)}
    assert 5000 * 8000 <= held_bytes(table) < 5000 * 8000 * 1.2


def test_pandas_frames_count_their_columns() -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"a": np.zeros(MB), "b": np.ones(MB)})
    assert 16 * MB <= held_bytes(frame) < 17 * MB


def test_deeply_nested_results_are_sized_without_recursion() -> None:
    nested: Any = []
    for _ in range(100_000):
        nested = [nested]
    assert held_bytes(nested) > 0


def test_the_byte_bound_is_a_setting() -> None:
    assert Config().memory_cache_bytes == 1 << 30
    assert Config.from_mapping({"memory_cache_bytes": 2048}, "smttask.toml").memory_cache_bytes == 2048
    with pytest.raises(ConfigError, match="'memory_cache_bytes' must be 0 or more, got -1"):
        Config.from_mapping({"memory_cache_bytes": -1}, "smttask.toml")
    with pytest.raises(ConfigError, match="memory cache bytes must be >= 0"):
        MemoryCache(maxbytes=-5)


def test_a_result_of_plain_values_is_sized_as_the_walk_sizes_it() -> None:
    """Results of numbers and strings take a shortcut; it must count what the general walk counts."""
    from smttask.memory import MemoryEntry, held_bytes

    shared = "shared text"
    for values, result in [
        ({"": 3}, 3),
        ({"a": 1.5, "b": "xy"}, None),
        ({"a": 1, "b": 1}, 5),
        ({"a": shared, "b": shared}, shared),
        ({"": [1, 2]}, [1, 2]),
    ]:
        assert MemoryEntry(values, result).nbytes == held_bytes((values, result))
