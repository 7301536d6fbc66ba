"""Graphs of any depth: a chain of 10,000 tasks runs, saves, loads and pickles without recursion."""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from core_tasks import Add

from smttask import MemoizedTask, RecordedTask, Task
from smttask.errors import MalformedTaskFileError

DEPTH = 10_000


@MemoizedTask
def Step(prev: float, i: int) -> float:
    return prev + i


@RecordedTask
def StoredStep(prev: float, i: int) -> float:
    return prev + i


@RecordedTask
def Fails(prev: float) -> float:
    raise ValueError(f"cannot use {prev}")


CALLS: list[int] = []


@MemoizedTask
def Counted(prev: float, i: int) -> float:
    CALLS.append(i)
    return prev + i


def chain(task: Any, depth: int) -> Any:
    value: Any = 0.0
    for i in range(depth):
        value = task(prev=value, i=i)
    return value


def test_the_chain_is_deeper_than_the_recursion_limit() -> None:
    assert DEPTH > 5 * sys.getrecursionlimit()


def test_a_chain_of_10000_tasks_runs(project: Any) -> None:
    top = chain(Step, DEPTH)
    assert top.run() == sum(range(DEPTH))


def test_a_chain_of_stored_tasks_runs_and_is_found_again(project: Any) -> None:
    top = chain(StoredStep, 3000)
    assert top.run() == sum(range(3000))
    project.memory.clear()
    assert chain(StoredStep, 3000).run() == sum(range(3000))  # the top result, loaded: nothing below runs


def test_a_chain_of_10000_tasks_saves_loads_and_pickles(project: Any, tmp_path: Path) -> None:
    top = chain(Step, DEPTH)
    path = top.save(tmp_path)
    document = json.loads(path.read_text())
    assert len(document["upstream"]) == DEPTH - 1
    loaded = Task.from_desc(path)
    assert loaded == top and loaded.digest == top.digest
    assert pickle.loads(pickle.dumps(top)) == top
    assert loaded.run() == sum(range(DEPTH))


def test_only_what_is_missing_is_computed(project: Any) -> None:
    CALLS.clear()
    middle = chain(Counted, 50)
    middle.run()
    top = Counted(prev=Counted(prev=middle, i=50), i=51)
    CALLS.clear()
    assert top.run() == sum(range(52))
    assert CALLS == [50, 51]  # the 50 below were in memory: none recomputed


def test_a_diamond_computes_its_shared_task_once(project: Any) -> None:
    CALLS.clear()
    shared = Counted(prev=1.0, i=0)
    top = Add(a=Counted(prev=shared, i=1), b=Counted(prev=shared, i=2))
    assert top.run() == 5.0
    assert sorted(CALLS) == [0, 1, 2]


def test_a_failure_deep_in_a_chain_leaves_no_claim(project: Any) -> None:
    top = StoredStep(prev=Fails(prev=chain(StoredStep, 2000)), i=1)
    with pytest.raises(ValueError, match="cannot use"):
        top.run()
    assert list(project.root.rglob("*.claim")) == []


def test_the_upstream_table_may_be_in_any_order(project: Any) -> None:
    top = chain(Step, 30)
    document = top.desc
    document["upstream"] = dict(reversed(list(document["upstream"].items())))
    assert Task.from_desc(document) == top


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, k: d["upstream"].__setitem__(k, "not an object"), "must be described by an object"),
        (lambda d, k: d["upstream"][k].__setitem__("key", "f" * 32), "is listed with key"),
        (lambda d, k: d["upstream"].pop(k), "which it never describes"),
        (lambda d, k: d.__setitem__("upstream", []), "'upstream' must be a JSON object"),
        (
            lambda d, k: d["upstream"][k]["inputs"].__setitem__("prev", {"$type": "task", "value": {"ref": d["key"]}}),
            "never describes",
        ),
    ],
)
def test_a_damaged_upstream_table_is_one_clear_error(project: Any, change: Any, message: str) -> None:
    top = chain(Step, 3)
    document = top.desc
    first = next(iter(document["upstream"]))
    change(document, first)
    with pytest.raises(MalformedTaskFileError, match=message):
        Task.from_desc(document)


def test_a_cycle_in_the_upstream_table_is_refused(project: Any) -> None:
    document = chain(Step, 3).desc
    a, b = list(document["upstream"])
    document["upstream"][a]["inputs"]["prev"] = {"$type": "task", "value": {"ref": b}}
    with pytest.raises(MalformedTaskFileError, match="depends on itself"):
        Task.from_desc(document)


def test_an_inline_description_in_a_version_2_file_is_refused(project: Any) -> None:
    document = Add(a=Add(a=1, b=2), b=3).desc
    (entry,) = document["upstream"].values()
    document["inputs"]["a"] = {"$type": "task", "value": entry}
    del document["upstream"]
    with pytest.raises(MalformedTaskFileError, match="never describes"):
        Task.from_desc(document)
