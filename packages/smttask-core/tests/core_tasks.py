"""Tasks used by the core tests; a real module so task files can import it by name."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from smttask import (
    MemoizedTask,
    NonMemoizedTask,
    RecordedIterativeTask,
    RecordedTask,
    TaskOutput,
    UnpureMemoizedTask,
    creatable,
)
from smttask.typing import Array, RNGenerator, separate_outputs

CALLS: list[str] = []


@MemoizedTask
def Add(a: float, b: float) -> float:
    CALLS.append("Add")
    return a + b


@MemoizedTask
def Mul(a: float, b: float) -> float:
    CALLS.append("Mul")
    return a * b


@RecordedTask
def Square(x: float) -> float:
    CALLS.append("Square")
    return x * x


@NonMemoizedTask
def Counter(x: int) -> int:
    CALLS.append("Counter")
    return x


@MemoizedTask
def Identity(value: Any) -> Any:
    return value


@MemoizedTask
def Total(values: list[float]) -> float:
    return sum(values)


@MemoizedTask
def Iterate(x0: float, n: int) -> float:
    """Stands in for an iterative task: `n` is an iteration count."""
    x = x0
    for _ in range(n):
        x = x / 2 + 1
    return x


@RecordedTask
def analyze(arr: Array, dt: float, nbins: int) -> tuple[float, float, float]:
    """The README example."""
    return float(arr.mean()), float(arr.std()), dt * nbins


class Stats(TaskOutput):
    mean: float
    data: Array[float, 1]


@RecordedTask
def make_stats(n: int) -> Stats:
    data = np.arange(n, dtype=float)
    return data.mean(), data


@RecordedTask
def big_array(n: int) -> Array[float, 1]:
    return np.linspace(0, 1, n)


@RecordedTask
def draw(rng: RNGenerator, n: int) -> Array[float, 1]:
    return rng.normal(size=n)


@RecordedTask
def slow_square(x: float, log: str) -> float:
    """Appends to the file `log` each time it computes, then sleeps (for claim tests)."""
    with open(log, "a") as f:
        f.write(f"{os.getpid()}\n")
    time.sleep(0.5)
    return x * x


@UnpureMemoizedTask
def read_text(path: str) -> str:
    return Path(path).read_text()


@MemoizedTask
def Length(text: str) -> int:
    return len(text)


@RecordedTask
class Scale:
    """A callable-class task."""

    def factor(self) -> float:
        return 10.0

    def __call__(self, x: float) -> float:
        return x * self.factor()


class OrbitOutput(TaskOutput):
    n: int
    x: float
    y: float


@RecordedIterativeTask("n", map={"n": "start_n", "x": "x", "y": "y"})
def Orbit(start_n: int, n: int, x: float, y: float, log: str) -> OrbitOutput:
    """Rotates (x, y) by 90° per iteration; logs which iterations it computed."""
    with open(log, "a") as f:
        f.write(f"{start_n}->{n}\n")
    for _ in range(start_n, n):
        x, y = -y, x
    return n, x, y


@MemoizedTask
def radius(orbit: Any) -> float:
    return float((orbit.x**2 + orbit.y**2) ** 0.5) + orbit.n


@RecordedTask
def harmonics(base: float, count: int) -> separate_outputs(float, lambda count: [f"h{i}" for i in range(1, count + 1)]):
    return [base * i for i in range(1, count + 1)]


class SquareCubeOutput(TaskOutput):
    """The original suite's output model: two fixed fields and one of separate outputs."""

    sqr: float
    cube: float
    more: separate_outputs(float, lambda pmax: [str(p) for p in range(4, pmax + 1)])


@RecordedTask
def SquareAndCube(x: float, pmax: int) -> SquareCubeOutput:
    return x**2, x**3, [x**p for p in range(4, pmax + 1)]


@RecordedTask
def by_symbol(names: list[str]) -> separate_outputs(int, lambda names: names):
    return {name: len(name) for name in names}


@dataclass
class Point:
    """A data class: Create builds it without a mark."""

    x: float
    y: float = 0.0


@creatable
class Model:
    """A non-serializable object built by Create."""

    def __init__(self, size: int, scale: float = 1.0) -> None:
        self.size, self.scale = size, scale
        self.weights = np.full(size, scale)


@MemoizedTask
def Samples(n: int, seed: int) -> Iterator[int]:
    """A stream of samples: each consumer must see all of it."""
    CALLS.append(f"Samples({n}, {seed})")
    return iter(range(seed, seed + n))


@MemoizedTask
def SumOf(samples: Iterator[int], offset: int) -> int:
    return sum(samples) + offset
