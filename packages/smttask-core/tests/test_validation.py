"""Validators: a plain value is accepted without pydantic, and every value ends as pydantic would make it."""

from __future__ import annotations

from typing import Any

import pytest
from validation_values import SCALAR_VALUES

from smttask import MemoizedTask, TaskInputError
from smttask.errors import InvalidValueError
from smttask.validation import PLAIN_ANNOTATIONS, Validator, make_adapter


def _outcome(check: Any, value: Any) -> tuple[str, Any]:
    try:
        result = check(value)
    except Exception:
        return ("refused", None)
    return (type(result).__name__, repr(result))


@pytest.mark.parametrize("annotation", PLAIN_ANNOTATIONS, ids=lambda a: a.__name__)
@pytest.mark.parametrize("value", SCALAR_VALUES, ids=repr)
def test_a_plain_annotation_gives_what_pydantic_gives(annotation: type, value: Any) -> None:
    assert _outcome(Validator(annotation), value) == _outcome(make_adapter(annotation).validate_python, value)


def test_a_value_of_exactly_a_plain_type_is_returned_as_it_is() -> None:
    big, text = 2**200, "label"
    assert Validator(int)(big) is big
    assert Validator(str)(text) is text


def test_a_value_that_does_not_fit_is_refused_in_one_line() -> None:
    with pytest.raises(InvalidValueError) as caught:
        Validator(int)("twelve")
    assert "\n" not in str(caught.value)
    assert "'twelve'" in str(caught.value)


def test_any_takes_every_value_as_it_is() -> None:
    value = object()
    assert Validator(Any)(value) is value
    assert Validator(Any).adapter is None


def test_what_pydantic_says_of_an_annotation_it_says_when_the_validator_is_made() -> None:
    """Where the task is defined, not at its first odd value: only plain annotations wait for pydantic."""

    class NotAType:
        pass

    with pytest.warns(UserWarning, match="NotAType"):
        Validator(NotAType())


def test_a_task_input_is_coerced_as_pydantic_coerces_it_and_a_bad_one_named_in_one_line() -> None:
    @MemoizedTask
    def half(x: float, n: int) -> float:
        return x / n

    task = half(x=1, n="2")
    assert (task.inputs["x"], type(task.inputs["x"]), task.inputs["n"]) == (1.0, float, 2)
    assert task.digest == half(x=1.0, n=2).digest
    with pytest.raises(TaskInputError) as caught:
        half(x="half", n=2)
    message = str(caught.value)
    assert "\n" not in message
    assert "Invalid input 'x'" in message and "'half'" in message
