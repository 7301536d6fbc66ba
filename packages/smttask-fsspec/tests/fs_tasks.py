"""Tasks of smttask-fsspec's tests; each computation appends a line to $FS_TASKS_LOG, so tests count them."""

from __future__ import annotations

import os
import time

import numpy as np

from smttask import RecordedTask
from smttask.typing import Array


def _log(name: str) -> None:
    with open(os.environ["FS_TASKS_LOG"], "a") as f:
        f.write(f"{name} {os.getpid()}\n")


@RecordedTask
def square(x: int) -> int:
    _log("square")
    return x * x


@RecordedTask
def slow_square(x: int) -> int:
    _log("slow_square")
    time.sleep(1.0)
    return x * x


@RecordedTask
def samples(n: int, seed: int) -> Array[float, 1]:
    _log("samples")
    return np.random.default_rng(seed).normal(size=n)
