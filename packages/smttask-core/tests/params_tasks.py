"""Parameter collections, seed generators and tasks used by the sweep tests.

A real module, so task files naming these classes can be read in another process.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from smttask import MemoizedTask, RecordedTask
from smttask.params import ParamColl
from smttask.seeds import SeedGenerator


class DataParams(ParamColl):
    L: int = 100
    λ: float = 1
    σ: float = 1
    δy: float = 0.1


class ModelParams(ParamColl):
    λ: float = 1
    σ: float = 1


class Nested(ParamColl):
    L: int = 100
    model: Any = None
    noise: float = 0.0


@dataclasses.dataclass
class PlainModel:
    """A plain dataclass (not a ParamColl), as smttask 0.2 users nested them."""

    λ: float = 1
    σ: float = 1
    tags: list[str] = dataclasses.field(default_factory=list)


@MemoizedTask
def sweep_size(params: Nested) -> float:
    return params.L * params.model.λ


class AnyParams(ParamColl):
    x: Any = None
    y: Any = None


class SeedGen(SeedGenerator):
    data: tuple[int, int]
    noise: int


@RecordedTask
def simulate(params: ModelParams, n: int) -> float:
    """A deterministic stand-in for a simulation."""
    return params.λ * n + params.σ


@MemoizedTask
def total(params: DataParams) -> float:
    return float(sum(v for v in params.values() if isinstance(v, int | float)))


@MemoizedTask
def count_seeds(seeds: SeedGen, key: int) -> int:
    return seeds.noise(key)
