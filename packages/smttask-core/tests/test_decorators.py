"""Defining tasks: decorators on functions and callable classes, and definition errors."""

from __future__ import annotations

from typing import Any

import pytest
from core_tasks import Add, Counter, Scale, Square

from smttask import MemoizedTask, RecordedTask, TaskDefinitionError
from smttask.task_types import MemoizedTask as MemoizedKind
from smttask.task_types import RecordedTask as RecordedKind


def test_decorator_makes_task_types_of_the_right_kind() -> None:
    assert issubclass(Add, MemoizedKind)
    assert issubclass(Square, RecordedKind)
    assert Add.taskname == "Add" and Add.module_name == "core_tasks"
    assert Counter.cache is False


def test_decorator_with_options(project: Any) -> None:
    @MemoizedTask(cache=False, version="2", name="tests.stable_name")
    def f(x: int) -> int:
        return x

    assert f.cache is False
    assert f.identity == "tests.stable_name"
    assert f.version == "2"
    unversioned = MemoizedTask(name="tests.stable_name")(_plain)
    assert f(x=1).digest != unversioned(x=1).digest


def _plain(x: int) -> int:
    return x


def test_explicit_name_keeps_keys_when_code_moves(project: Any) -> None:
    def elsewhere(x: int) -> int:
        return x

    here = MemoizedTask(name="tests.plain")(_plain)
    moved = MemoizedTask(name="tests.plain")(elsewhere)
    assert here(x=1).digest == moved(x=1).digest


def test_callable_class_task_runs_with_its_methods(project: Any) -> None:
    assert Scale(x=2).run() == 20.0


def test_missing_parameter_annotation_is_an_error() -> None:
    with pytest.raises(TaskDefinitionError, match=r"Parameter 'b' of task '.*f' has no type annotation"):

        @MemoizedTask
        def f(a: int, b) -> int:  # type: ignore[no-untyped-def]
            return a


def test_missing_return_annotation_is_an_error() -> None:
    with pytest.raises(TaskDefinitionError, match="no return annotation"):

        @RecordedTask
        def f(a: int):  # type: ignore[no-untyped-def]
            return a


def test_lambda_and_non_callables_are_refused() -> None:
    with pytest.raises(TaskDefinitionError, match="lambda"):
        MemoizedTask(lambda x: x)
    with pytest.raises(TaskDefinitionError, match="Only functions and callable classes"):
        MemoizedTask(3)


def test_reason_parameter_name_is_reserved() -> None:
    with pytest.raises(TaskDefinitionError, match="'reason'"):

        @MemoizedTask
        def f(reason: str) -> str:
            return reason


def test_isinstance_with_a_decorator_asks_for_the_kind_of_task() -> None:
    from core_tasks import Orbit

    from smttask import RecordedIterativeTask, UnpureMemoizedTask

    memoized, recorded = Add(a=1, b=2), Square(x=3)
    assert isinstance(recorded, RecordedTask) and not isinstance(recorded, MemoizedTask)
    assert isinstance(memoized, MemoizedTask) and not isinstance(memoized, RecordedTask)
    assert isinstance(recorded, (UnpureMemoizedTask, RecordedTask))
    assert issubclass(Orbit, RecordedIterativeTask) and issubclass(Orbit, RecordedTask)
    assert not isinstance(recorded, RecordedIterativeTask) and not issubclass(int, RecordedTask)
