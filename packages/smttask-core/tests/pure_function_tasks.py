"""Pure functions and a task taking one, importable by name so their task files can be read back."""

from __future__ import annotations

import subprocess

from smttask import MemoizedTask, RecordedTask
from smttask.typing import PartialPureFunction, PureFunction


@PureFunction
def plus_one(x: float) -> float:
    return x + 1


@PureFunction
def square(x: float) -> float:
    return x * x


@PureFunction
def scaled(x: float, a: float = 1.0, b: float = 0.0) -> float:
    return a * x + b


def not_pure(x: float) -> float:
    return x - 1


#: A composite and a partial defined at module level: references to them are accepted too.
SUM = plus_one + square
THREE_X = PartialPureFunction(scaled, a=3.0)

#: Module attributes that are not pure functions, for the hostile-reference tests.
NUMBER = 3
RUN = subprocess.run


class Launcher:
    """A class whose construction would run a command."""

    def __init__(self, command: str) -> None:
        subprocess.run(command, shell=True, check=False)


@RecordedTask
def apply(f: PureFunction, x: float) -> float:
    return f(x)


@MemoizedTask
def apply_memo(f: PureFunction, x: float) -> float:
    return f(x)
