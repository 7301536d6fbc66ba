"""The tasks the smttask 0.2 task files in data/smttask-0.2 name, written with the current API.

Those files were written by smttask 0.2.0 (with pydantic 1.10 and scityping 0.6.5)
from a module of this name defining the same tasks with its API; they are kept
as they came out, so the migration is tested against the real format.
"""

from __future__ import annotations

from dataclasses import dataclass

from smttask import RecordedTask
from smttask.typing import Array


@RecordedTask
def Add(a: float, b: float, n: int = 10) -> float:
    return a + b


@RecordedTask
def Mul(a: float, b: float) -> float:
    return a * b


@RecordedTask
def Total(x: Array[float, 1], label: str) -> float:
    return float(x.sum())


@dataclass
class Point:
    x: float
    y: float
