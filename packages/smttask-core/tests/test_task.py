"""Running tasks: laziness, the memory tier, upstream resolution, outputs and display."""

from __future__ import annotations

from typing import Any

import core_tasks
import numpy as np
import pytest
from core_tasks import Add, Counter, Identity, Mul, Scale, Square, Total, analyze, make_stats

from smttask import MemoizedTask, TaskInputError, TaskOutput, TaskOutputError


@pytest.fixture(autouse=True)
def _reset_calls() -> None:
    core_tasks.CALLS.clear()


def test_creating_a_task_computes_nothing(project: Any) -> None:
    task = Mul(a=Add(a=1, b=2), b=3)
    task.digest  # noqa: B018
    assert core_tasks.CALLS == []
    assert task.run() == 9.0
    assert core_tasks.CALLS == ["Add", "Mul"]


def test_inputs_are_validated_and_coerced(project: Any) -> None:
    task = Add(a=5, b="2.5")
    assert task.inputs == {"a": 5.0, "b": 2.5}
    assert isinstance(task.a, float)


def test_invalid_input_names_the_task_field_and_value(project: Any) -> None:
    with pytest.raises(TaskInputError, match=r"Invalid input 'a' for task 'Add' \(expected float\).*'abc'"):
        Add(a="abc", b=1)


def test_missing_and_unknown_inputs_are_clear_errors(project: Any) -> None:
    with pytest.raises(TaskInputError, match=r"missing a required argument: 'b'.*inputs are: a, b"):
        Add(a=1)
    with pytest.raises(TaskInputError, match="unexpected keyword argument 'c'"):
        Add(a=1, b=2, c=3)


def test_memory_hit_returns_the_same_object_without_recomputing(project: Any) -> None:
    first = Identity(value=[1, 2, 3]).run()
    second = Identity(value=[1, 2, 3]).run()
    assert first is second


def test_equal_tasks_share_the_memory_tier(project: Any) -> None:
    Add(a=1, b=2).run()
    Add(a=1, b=2).run()
    assert core_tasks.CALLS == ["Add"]


def test_recompute_forces_computation(project: Any) -> None:
    task = Add(a=1, b=2)
    task.run()
    task.run(recompute=True)
    assert core_tasks.CALLS == ["Add", "Add"]


def test_non_memoized_task_computes_every_time(project: Any) -> None:
    Counter(x=1).run()
    Counter(x=1).run()
    assert core_tasks.CALLS == ["Counter", "Counter"]


def test_clear_forgets_the_memory_result(project: Any) -> None:
    task = Add(a=1, b=2)
    task.run()
    task.clear()
    task.run()
    assert core_tasks.CALLS == ["Add", "Add"]


def test_memory_tier_is_bounded(project: Any) -> None:
    project.memory.maxsize = 3
    for i in range(5):
        Add(a=i, b=0).run()
    assert len(project.memory) == 3


def test_upstream_results_are_validated_against_the_downstream_type(project: Any) -> None:
    @MemoizedTask
    def Text(x: int) -> str:
        return "not a number"

    with pytest.raises(TaskInputError, match="Input 'a' of task 'Add', computed by an upstream task"):
        Add(a=Text(x=1), b=1).run()


def test_tasks_inside_containers_run_first(project: Any) -> None:
    assert Total(values=(Add(a=1, b=2), Mul(a=2, b=3), 1)).run() == 10.0


def test_tuple_output_returns_a_tuple(project: Any) -> None:
    result = analyze(arr=np.array([1, 2, 3]), dt=0.5, nbins=2).run()
    assert result == (2.0, pytest.approx(0.8164965809), 1.0)
    assert isinstance(result, tuple)


def test_named_outputs_return_a_named_tuple(project: Any) -> None:
    result = make_stats(n=4).run()
    assert result.mean == 1.5
    np.testing.assert_array_equal(result.data, [0.0, 1.0, 2.0, 3.0])


def test_single_field_output_returns_the_value(project: Any) -> None:
    class One(TaskOutput):
        value: int

    @MemoizedTask
    def f(x: int) -> One:
        return x + 1

    assert f(x=1).run() == 2


def test_output_validation_error_keeps_the_result(project: Any) -> None:
    @MemoizedTask
    def bad(x: int) -> int:
        return "oops"  # type: ignore[return-value]

    with pytest.raises(TaskOutputError) as info:
        bad(x=1).run()
    assert info.value.result == "oops"
    assert "bad" in str(info.value) and ".result" in str(info.value)


def test_task_errors_propagate_unchanged(project: Any) -> None:
    @MemoizedTask
    def fails(x: int) -> int:
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError, match="boom"):
        fails(x=1).run()


def test_repr_shows_inputs_and_upstream_tasks(project: Any) -> None:
    assert repr(Mul(a=Add(a=1, b=2), b=3)) == "Mul(a=Add(a=1.0, b=2.0), b=3.0)"
    assert "shape=(100,)" in repr(Identity(value=np.zeros(100)))


def test_html_repr_lists_inputs_and_nests_upstream(project: Any) -> None:
    html = Mul(a=Add(a=1, b=2), b="3")._repr_html_()
    assert "<b>Mul</b>" in html and "<details><summary>Add</summary>" in html and "3.0" in html


def test_result_status_follows_a_result_from_nothing_to_memory_to_disk(project: Any) -> None:
    task = Square(x=7)
    assert task.result_status() == ("not computed", "no stored result")
    assert "result: <b>not computed</b>" in task._repr_html_()
    task.run()
    assert task.result_status() == ("memory", "kept in this process")
    project.memory.clear()
    state, detail = task.result_status()
    assert state == "stored" and detail.endswith(f"{task.digest}.manifest.json")
    assert "result: <b>stored</b>" in task._repr_html_()
    assert Add(a=1, b=2).result_status() == ("not stored", "MemoizedTask: computed when needed")


def test_callable_class_task(project: Any) -> None:
    assert Scale(x=3).run() == 30.0


def test_recorded_task_without_recorder_stores_and_warns_once(tmp_path: Any) -> None:
    from smttask import Project
    from smttask.errors import NotRecordingWarning
    from smttask.plugins import make_plugin_manager

    proj = Project(tmp_path, plugin_manager=make_plugin_manager(load_entry_points=False))
    with proj.activate():
        with pytest.warns(NotRecordingWarning, match="no recorder is installed") as caught:
            Square(x=3).run()
        assert caught[0].filename == __file__
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            Square(x=4).run()
    assert list((tmp_path / "data" / "Square").glob("*.manifest.json"))


def test_named_results_pickle(project: Any) -> None:
    import pickle

    result = make_stats(n=3).run()
    again = pickle.loads(pickle.dumps(result))
    assert again.mean == result.mean and type(again) is type(result)


def test_unserializable_input_fails_when_the_task_is_created(project: Any) -> None:
    from smttask import UnserializableValueError

    with pytest.raises(UnserializableValueError, match="object"):
        Identity(value=object())


def test_type_names_in_errors_are_readable(project: Any) -> None:
    from smttask.typing import Array, DType

    @MemoizedTask
    def f(x: Array[float, 1], d: DType) -> float:
        return 1.0

    with pytest.raises(TaskInputError, match=r"expected Array\[float, 1\]\)"):
        f(x=[[1.0]], d="f8")
    with pytest.raises(TaskInputError, match=r"expected DType\)"):
        f(x=[1.0], d="not a dtype")


def test_get_output_of_a_memoized_task_explains(project: Any) -> None:
    from smttask.errors import ResultNotFoundError

    task = Add(a=1, b=2)
    task.run()
    with pytest.raises(ResultNotFoundError, match="never stored; use task.run()"):
        task.get_output()
    with pytest.raises(ResultNotFoundError, match="run it first"):
        Square(x=123).get_output()


def test_saving_a_main_module_task_warns(project: Any, tmp_path: Any) -> None:
    from smttask.errors import MainModuleTaskWarning

    def f(x: int) -> int:
        return x

    f.__module__ = "__main__"
    task_type = MemoizedTask(f)
    with pytest.warns(MainModuleTaskWarning, match="cannot be loaded by another process"):
        task_type(x=1).save(tmp_path)


def test_clear_forgets_an_unpure_result_so_it_is_read_again(project: Any, tmp_path: Any) -> None:
    from core_tasks import read_text

    source = tmp_path / "source.txt"
    source.write_text("first")
    task = read_text(path=str(source))
    assert task.run() == "first"
    source.write_text("second")
    assert read_text(path=str(source)).run() == "first"  # computed once per session
    task.clear()
    assert read_text(path=str(source)).run() == "second"


def test_static_key_and_kind_are_known_without_running(project: Any, tmp_path: Any) -> None:
    from core_tasks import read_text

    source = tmp_path / "source.txt"
    source.write_text("text")
    unpure = read_text(path=str(source))
    assert unpure.static_key == unpure.input_digest and unpure.kind == "UnpureMemoizedTask"
    pure = Square(x=2)
    assert pure.static_key == pure.digest and pure.kind == "RecordedTask"
    assert Add.bind(b=1)(a=1).kind == "MemoizedTask"  # a bound task keeps its kind


def test_every_consumer_of_a_memoized_iterator_gets_it_from_the_start(project: Any) -> None:
    from core_tasks import CALLS, Samples, SumOf

    CALLS.clear()
    assert list(Samples(n=5, seed=1).run()) == [1, 2, 3, 4, 5]
    assert list(Samples(n=5, seed=1).run()) == [1, 2, 3, 4, 5]  # the original gave [] here
    first, second = SumOf(samples=Samples(n=5, seed=1), offset=0), SumOf(samples=Samples(n=5, seed=1), offset=100)
    assert (first.run(), second.run()) == (15, 115)
    assert CALLS == ["Samples(5, 1)"]  # computed once, replayed for each consumer
