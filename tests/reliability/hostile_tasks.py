"""Tasks whose task files the reliability suite saves and then mutates into hostile ones.

Between them their inputs use every ``$type`` tag smttask writes (see
``test_templates_cover_every_type_tag``). The module is copied into each
throw-away project as ``hostile_tasks.py``, so ``smttask run`` finds it from the
working directory, exactly as a user's own task module is found.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import pathlib
from typing import Any

from pydantic import BaseModel

from smttask import MemoizedTask, ParamColl, RecordedTask, SeedGenerator
from smttask.typing import Array, DType, PureFunction


class Colour(enum.Enum):
    RED = 1
    GREEN = 2


class Point(BaseModel):
    x: float
    y: float


class Sweep(ParamColl):
    scale: Any
    offset: float = 0.0


class Seeds(SeedGenerator):
    noise: int


@dataclasses.dataclass
class Box:
    width: int


@MemoizedTask
def anything(value: Any, n: int) -> int:
    """Takes any value: every typed value of a task file can be put here."""
    return n


@MemoizedTask
def mapping(d: dict) -> int:
    return len(d)


@MemoizedTask
def sequence(items: list) -> int:
    return len(items)


@MemoizedTask
def colour(c: Colour) -> int:
    return c.value


@MemoizedTask
def point(p: Point) -> float:
    return p.x + p.y


@MemoizedTask
def array(a: Array) -> float:
    return float(a.sum())


@MemoizedTask
def dtype(t: DType) -> str:
    return str(t)


@MemoizedTask
def sweep(params: Sweep) -> float:
    return 1.0


@MemoizedTask
def seeded(seeds: Seeds) -> int:
    return seeds.noise(0)


@PureFunction
def halve(x: float) -> float:
    return x / 2


@PureFunction
def affine(x: float, a: float = 1.0, b: float = 0.0) -> float:
    return a * x + b


def not_pure(x: float) -> float:
    """A function not marked pure: a task file may not name it as a function input."""
    return x


@MemoizedTask
def transform(f: PureFunction, x: float) -> float:
    return f(x)


@MemoizedTask
def double(x: int) -> int:
    """Its input is often another task: task files then describe an upstream task inline."""
    return 2 * x


@MemoizedTask
def pair(left: int, right: int) -> int:
    """Two inputs from one upstream task: the second is written as a reference."""
    return left + right


@RecordedTask
def reads_marker(x: int) -> str:
    """The good task of each batch (stored, so its result can be checked): it reads a file relative to the working directory, so a
    hostile file that changed the working directory (``os:chdir``) would make it fail."""
    return f"{pathlib.Path('marker.txt').read_text().strip()}-{x}"


@MemoizedTask
def when(at: datetime.datetime, day: datetime.date, span: datetime.timedelta) -> str:
    return f"{at} {day} {span}"


@RecordedTask
def large(n: int) -> Array:
    """A large result (*n* float64 values), for killing ``smttask run`` while it is saved."""
    import numpy as np

    return np.arange(n, dtype=np.float64)
