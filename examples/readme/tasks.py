"""The tasks of the README example: a project's analysis module."""

from __future__ import annotations

import numpy as np

from smttask import MemoizedTask, RecordedTask, TaskOutput
from smttask.typing import Array


@RecordedTask
def analyze(arr: Array, dt: float, nbins: int) -> tuple[float, float, float]:
    """Mean, standard deviation and total duration of a binned recording."""
    print(f"analyzing {arr.size} samples with dt={dt}")
    return float(arr.mean()), float(arr.std()), dt * nbins


@MemoizedTask
def Add(a: float, b: float) -> float:
    return a + b


@MemoizedTask
def Mul(a: float, b: float) -> float:
    return a * b


class Spectrum(TaskOutput):
    freqs: Array[float, 1]
    power: Array[float, 1]


@RecordedTask
def spectrum(n: int, seed: int) -> Spectrum:
    """Power spectrum of `n` samples of white noise."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    power = np.abs(np.fft.rfft(signal)) ** 2
    return np.fft.rfftfreq(n), power
