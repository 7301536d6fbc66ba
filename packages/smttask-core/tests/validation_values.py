"""Values, plain and hostile, that the validation tests give both smttask's checks and pydantic."""

from __future__ import annotations

import enum
import math
from typing import Any


class Level(enum.IntEnum):
    LOW = 1


class Colour(enum.Enum):
    RED = "red"
    BLUE = 2


class Name(str):
    pass


class Opaque:
    def __repr__(self) -> str:  # the same test id in every process
        return "Opaque()"


SCALAR_VALUES: list[Any] = [
    0, -7, 2**200, True, False, Level.LOW,
    0.0, -0.0, 1.5, 1e308, math.inf, -math.inf, math.nan, 2.0,
    "", "3", "1.5", "true", "abc", "\x00\ud800", Name("x"),
    None, b"3", [1], {"a": 1}, (1,), Opaque(),
]
COMPOSITE_VALUES: list[Any] = [
    *SCALAR_VALUES, [], (), {}, [1, 2], [1.0, 2], [1.5, math.nan], [True, 0], ["a", Name("b")], [None, 3],
    [[1.0], [2.0]], [[1], (2.0,)], (1, 2), (1, "a"), (1.0, 2.0), (1, 2.0, 3), ([1], [2]),
    {"a": 1.0}, {"a": 1}, {1: "a"}, {"1": "a"}, {"a": [1, 2]}, {True: 1}, {Name("k"): 1.0}, "[1]", [Opaque()],
    "a", "b", "x", 1, 2, 0, Colour.RED, Colour.BLUE, "red", [Colour.RED], ["a"], {"k": Level.LOW}, {"k": 1},
]
