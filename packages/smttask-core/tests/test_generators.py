"""Generated tasks (Create, Join), bound tasks and separate outputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from core_tasks import Add, Model, Mul, Square, by_symbol, harmonics

from smttask import Create, Join, Task, TaskInputError
from smttask.errors import TaskDefinitionError


def test_create_builds_an_object_from_serializable_arguments(project: Any, tmp_path: Path) -> None:
    task = Create(Model)(size=3, scale=Add(a=1, b=1))
    model = task.run()
    assert isinstance(model, Model) and model.weights.tolist() == [2.0, 2.0, 2.0]
    again = Task.from_desc(task.save(tmp_path))
    assert again == task
    assert again.run().weights.tolist() == [2.0, 2.0, 2.0]
    assert Create(Model)(size=3, scale=2.0).digest != Create(Model)(size=4, scale=2.0).digest


def test_create_refuses_local_classes() -> None:
    class Local:
        pass

    with pytest.raises(TaskDefinitionError, match="importable by name"):
        Create(Local)


def test_join_gathers_results_of_one_task_type(project: Any, tmp_path: Path) -> None:
    joined = Join(*(Square(x=i) for i in range(4)))
    assert joined.run() == [0.0, 1.0, 4.0, 9.0]
    assert Task.from_desc(joined.save(tmp_path)).run() == [0.0, 1.0, 4.0, 9.0]
    with pytest.raises(TaskInputError, match="of one type"):
        Join(Add(a=1, b=2), Mul(a=1, b=2))
    with pytest.raises(TaskInputError, match="at least one"):
        Join()


def test_bind_gives_defaults_and_keeps_the_key(project: Any, tmp_path: Path) -> None:
    AddTwo = Add.bind(b=2)
    task = AddTwo(a=1)
    assert task.run() == 3.0
    assert task == Add(a=1, b=2)
    assert Task.from_desc(task.save(tmp_path)) == Add(a=1, b=2)
    # As with functools.partial, a bound input may be given again.
    assert AddTwo(a=1, b=3) == Add(a=1, b=3) and AddTwo(a=1, b=3).run() == 4.0
    assert AddTwo.bind(a=5)() == Add(a=5, b=2)
    with pytest.raises(TaskInputError, match=r"no input\(s\) \['c'\]"):
        Add.bind(c=1)


def test_partial_is_the_original_name_of_bind(project: Any) -> None:
    assert Add.partial(b=2)(a=1) == Add.bind(b=2)(a=1) == Add(a=1, b=2)


def test_join_takes_one_list_as_the_original_did(project: Any) -> None:
    tasks = [Square(x=i) for i in range(3)]
    assert Join(tasks) == Join(*tasks)
    assert Join(tuple(tasks)).run() == [0.0, 1.0, 4.0]


def test_join_results_are_stored_as_the_original_stored_them(project: Any) -> None:
    joined = Join([Square(x=2), Square(x=3)])
    assert joined.output_names == ("results",)
    assert joined.run() == [4.0, 9.0]
    assert list(project.storage.locate(joined).outputs) == ["results"]
    project.memory.clear()
    assert Join([Square(x=2), Square(x=3)]).run() == [4.0, 9.0]


def test_a_task_output_field_may_hold_separate_outputs(project: Any, tmp_path: Path) -> None:
    from core_tasks import SquareAndCube

    task = SquareAndCube(x=2.0, pmax=5)
    assert task.output_names == ("sqr", "cube", "4", "5")
    result = task.run()
    assert result == (4.0, 8.0, (16.0, 32.0))
    assert (result.sqr, result.cube, result.more) == (4.0, 8.0, (16.0, 32.0))
    assert sorted(project.storage.locate(task).outputs) == ["4", "5", "cube", "sqr"]
    project.memory.clear()
    again = Task.from_desc(task.save(tmp_path))
    assert again.run() == (4.0, 8.0, (16.0, 32.0))
    assert again.get_output("5") == 32.0
    assert SquareAndCube(x=2.0, pmax=3).run().more == ()


def test_separate_output_field_given_the_wrong_number_of_values_is_one_clear_error(project: Any) -> None:
    from smttask import MemoizedTask, TaskOutput, TaskOutputError
    from smttask.typing import separate_outputs

    class Out(TaskOutput):
        total: float
        parts: separate_outputs(float, lambda n: [f"p{i}" for i in range(n)])

    @MemoizedTask
    def split(n: int) -> Out:
        return 1.0, [0.5]

    with pytest.raises(TaskOutputError, match=r"2 values \(p0, p1\) in its output field 'parts', got list of length 1"):
        split(n=2).run()
    assert split(n=1).run() == (1.0, (0.5,))


def test_an_output_model_has_at_most_one_separate_outputs_field() -> None:
    from smttask import MemoizedTask, TaskOutput
    from smttask.typing import separate_outputs

    class Out(TaskOutput):
        a: separate_outputs(float, lambda n: ["x"])
        b: separate_outputs(float, lambda n: ["y"])

    with pytest.raises(TaskDefinitionError, match="several separate_outputs fields \\(a, b\\)"):

        @MemoizedTask
        def two(n: int) -> Out:
            return [1.0], [2.0]


def test_separate_outputs_are_named_from_inputs_and_stored_apart(project: Any) -> None:
    task = harmonics(base=2.0, count=3)
    assert task.output_names == ("h1", "h2", "h3")
    assert task.run() == (2.0, 4.0, 6.0)
    assert sorted(project.storage.locate(task).outputs) == ["h1", "h2", "h3"]
    project.memory.clear()
    assert harmonics(base=2.0, count=3).run() == (2.0, 4.0, 6.0)
    assert task.get_output("h2") == 4.0


def test_unicode_separate_output_names_reload(project: Any) -> None:
    # The original stored these but never found them again.
    names = ["θ", "σ²", "ω_0"]
    assert by_symbol(names=names).run() == (1, 2, 3)
    project.memory.clear()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert by_symbol(names=names).run() == (1, 2, 3)


def test_separate_output_names_must_be_usable(project: Any) -> None:
    with pytest.raises(TaskDefinitionError, match="unique, non-empty"):
        by_symbol(names=["a", "a"]).run()
    with pytest.raises(TaskDefinitionError, match="unique, non-empty"):
        by_symbol(names=["../x"]).run()


def test_separate_names_cannot_depend_on_a_task(project: Any) -> None:
    from core_tasks import Counter

    with pytest.raises(TaskInputError, match="must be\\s+a value, not a task"):
        harmonics(base=1.0, count=Counter(x=2)).run()


def test_array_items_in_separate_outputs(project: Any) -> None:
    from smttask import RecordedTask
    from smttask.typing import Array, separate_outputs

    @RecordedTask
    def channels(n: int) -> separate_outputs(Array, lambda n: [f"ch{i}" for i in range(n)]):
        return [np.full(3, i) for i in range(n)]

    result = channels(n=2).run()
    assert [r.tolist() for r in result] == [[0, 0, 0], [1, 1, 1]]
    assert {p.suffix for p in project.storage.directory(channels(n=2)).iterdir()} == {".npy", ".json"}
