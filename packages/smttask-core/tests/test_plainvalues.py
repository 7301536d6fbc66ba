"""Plain values: what the check takes without pydantic is what pydantic gives back, equal and of the same types."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal, Optional

import pytest
from validation_values import COMPOSITE_VALUES, Colour, Level, Name

from smttask.plainvalues import NOT_PLAIN, plain_check
from smttask.validation import make_adapter

PLAIN: list[Any] = [
    int, float, str, bool, None, type(None),
    list[int], list[float], list[str], list[bool], list[int | None], list[list[float]],
    tuple[int, ...], tuple[int, str], tuple[float, float], tuple[list[int], ...],
    dict[str, float], dict[int, str], dict[str, list[int]], dict[bool, int],
    int | None, Optional[list[float]],  # noqa: UP045 - typing.Union, not types.UnionType
    Literal["a", "b"], Literal[1, 2], Literal[True], Literal[None, "x"], Literal[0, False], list[Literal["a"]],
    Level, Colour, list[Colour], dict[str, Level] | None,
]
def _shown(value: Any) -> tuple[str, str]:
    return (type(value).__name__, repr(value))


@pytest.mark.parametrize("annotation", PLAIN, ids=repr)
def test_what_the_check_takes_pydantic_gives_back_equal(annotation: Any) -> None:
    check = plain_check(annotation)
    assert check is not None
    adapter = make_adapter(annotation)
    taken = 0
    for value in COMPOSITE_VALUES:
        result = check(value)
        if result is NOT_PLAIN:
            continue
        taken += 1
        assert _shown(result) == _shown(adapter.validate_python(value)), value
    assert taken, f"{annotation!r} took none of the values"


def test_only_values_of_exactly_the_named_types_are_taken() -> None:
    assert plain_check(float)(1) is NOT_PLAIN  # pydantic makes it 1.0
    assert plain_check(int)(True) is NOT_PLAIN
    assert plain_check(list[float])([1.5, 2]) is NOT_PLAIN
    assert plain_check(list[float])((1.5,)) is NOT_PLAIN  # pydantic makes a list of the tuple
    assert plain_check(dict[str, int])({Name("k"): 1}) is NOT_PLAIN
    assert plain_check(tuple[int, str])((1, "a", 2)) is NOT_PLAIN
    assert plain_check(list[float])([1.5, math.inf]) == [1.5, math.inf]
    assert plain_check(int | None)(None) is None
    assert plain_check(Literal[1, 2])(True) is NOT_PLAIN  # pydantic makes it 1
    assert plain_check(Literal["a"])(["a"]) is NOT_PLAIN  # unhashable: no literal
    assert plain_check(Level)(1) is NOT_PLAIN  # pydantic makes it Level.LOW
    assert plain_check(Level)(Level.LOW) is Level.LOW


def test_a_container_is_rebuilt_as_pydantic_rebuilds_it() -> None:
    """So a list changed after a task was made from it changes neither the task nor its key."""
    given = {"a": [[1.0, 2.0], [3.0]]}
    taken = plain_check(dict[str, list[list[float]]])(given)
    assert taken == given and taken is not given and taken["a"] is not given["a"]
    assert taken["a"][0] is not given["a"][0]


@pytest.mark.parametrize(
    "annotation",
    [Literal[1.5], Literal["a", 1.5], list[Path], dict[Path, int], set[int], list, dict, tuple, tuple[int, Path],
     int | str, Any, Path],
    ids=repr,
)
def test_an_annotation_with_a_part_only_pydantic_validates_is_not_plain(annotation: Any) -> None:
    assert plain_check(annotation) is None
