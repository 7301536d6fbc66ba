"""The original smttask 0.2 suite's task module (tests/tasks_for_testing.py), in the current API.

Changes from the original, each one a documented difference (docs/coming-from-0.2.md):
xarray inputs are left out (not a supported type yet), ``Polar`` declares its
``outcome`` output, and ``PowSeq`` counts its computed iterations in a file so
that resumption can be asserted without log strings.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from smttask import (
    MemoizedTask,
    RecordedIterativeTask,
    RecordedTask,
    TaskOutput,
    UnpureMemoizedTask,
)
from smttask.typing import Array, PureFunction, separate_outputs

#: PowSeq appends one line per computed iteration here (relative to the working directory).
ITERATIONS_LOG = "powseq-iterations.txt"


@RecordedTask
def Square_x(x: float | Array) -> float | Array:
    return x**2


class SquareCubeOutput(TaskOutput):
    sqr: float
    cube: float
    morepower: separate_outputs(float, lambda pmax: [str(p) for p in range(4, pmax + 1)])


@RecordedTask
def SquareAndCube_x(x: float, pmax: int = 5) -> SquareCubeOutput:
    return x**2, x**3, [x**p for p in range(4, pmax + 1)]


class PowSeqOutput(TaskOutput):
    n: int
    a: float


@RecordedIterativeTask("n", map={"n": "start_n", "a": "a"})
def PowSeq(start_n: int, n: int, a: float, p: float) -> PowSeqOutput:
    """``a`` raised to the power ``p``, ``n - start_n`` times."""
    for i in range(start_n, n):
        with open(ITERATIONS_LOG, "a") as log:
            log.write(f"{i}\n")
        a = a**p
    return n, a


class PolarOutput(TaskOutput):
    r: float
    θ: float
    outcome: str


@RecordedTask
def Polar(x: float, y: float) -> PolarOutput:
    r = math.hypot(x, y)
    if r == 0:
        return 0.0, 0.0, "θ is undefined at the origin"
    return r, math.atan2(y, x), ""


@RecordedTask
class ClassTask:
    """A callable class as a task (the original's ClassTask)."""

    def __call__(self, a: float, b: float) -> float:
        return a * b + 1


@UnpureMemoizedTask
def ListDir(root: str) -> list[str]:
    return sorted(os.listdir(root))


@MemoizedTask
def CountFiles(listing: list[str]) -> int:
    return len(listing)


@RecordedTask
def FileSize(path: Path) -> int:
    return path.stat().st_size


@PureFunction
def f1(x: float) -> float:
    return x + 1


@PureFunction
def f2(x: float) -> float:
    return x**2


@PureFunction
def scaled(x: float, a: float = 1.0) -> float:
    return a * x


def not_pure(x: float) -> float:
    return x


@MemoizedTask
def AddPureFunctions(f: PureFunction, g: PureFunction, x: float) -> float:
    """The original's AddPureFunctions: two function inputs, one of them usually a partial."""
    return f(x) + g(x)
