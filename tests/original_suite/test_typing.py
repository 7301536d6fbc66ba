"""The original suite's test_typing.py: separate outputs' behaviour and pure functions as inputs.

The original checked pydantic v1 internals and exact digests and JSON; kept
here is what a user sees: coercion, arithmetic, refusals, keys and round trips.
"""

from __future__ import annotations

from typing import Any

import pytest

from smttask import Task, TaskInputError
from smttask.errors import NotPureError
from smttask.typing import CompositePureFunction, PartialPureFunction


def test_separate_output_values_are_coerced_and_given_back_as_a_tuple(lab: Any) -> None:
    task = lab.tasks.SquareAndCube_x(x=3, pmax=6)
    assert task.inputs["x"] == 3.0 and isinstance(task.inputs["x"], float)
    result = task.run()
    assert result.morepower == (81.0, 243.0, 729.0) and isinstance(result.morepower, tuple)


def test_pure_functions(lab: Any, tmp_path: Any) -> None:
    t = lab.tasks
    for composite, expected in [
        (t.f1 + t.f2, 3 + 4), (t.f1 - t.f2, 3 - 4), (t.f1 * t.f2, 3 * 4), (t.f1 / t.f2, 3 / 4),
        (t.f1 + 5, 8), (5 - t.f1, 2), (t.f2 * 2, 8), (12 / t.f1, 4.0),
    ]:
        assert isinstance(composite, CompositePureFunction) and composite(2.0) == expected
    with pytest.raises(NotPureError):
        t.f1 + t.not_pure
    with pytest.raises(TaskInputError, match="PureFunction"):
        t.AddPureFunctions(f=t.not_pure, g=t.f1, x=1.0)
    task = t.AddPureFunctions(f=t.f1, g=PartialPureFunction(t.scaled, a=3.0), x=2.0)
    assert task.run() == 3.0 + 6.0
    assert task.digest == t.AddPureFunctions(f=t.f1, g=PartialPureFunction(t.scaled, a=3.0), x=2.0).digest
    assert task.digest != t.AddPureFunctions(f=t.f1, g=PartialPureFunction(t.scaled, a=4.0), x=2.0).digest
    again = Task.from_desc(task.save(tmp_path))
    assert again == task and again.run() == 9.0
