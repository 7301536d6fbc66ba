"""Scientific types: validation, coercion, and adding a type of your own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from smttask import MemoizedTask, RecordedTask, Task, TaskInputError, UnserializableValueError
from smttask.serializers import Serializer, user_registry
from smttask.typing import Array, DType, RNGenerator, SeedSequence, register_serializer


def test_array_accepts_lists_and_casts_safely(project: Any) -> None:
    @MemoizedTask
    def total(x: Array[float, 1]) -> float:
        return float(x.sum())

    task = total(x=[1, 2, 3])
    assert task.inputs["x"].dtype == np.float64
    assert task.run() == 6.0
    with pytest.raises(TaskInputError, match="dimension"):
        total(x=[[1.0]])
    with pytest.raises(TaskInputError, match="cannot convert an array of dtype complex128"):
        total(x=np.array([1j]))


def test_array_without_parameters_keeps_the_dtype(project: Any) -> None:
    @MemoizedTask
    def echo(x: Array) -> Array:
        return x

    arr = np.arange(3, dtype=np.int16)
    assert echo(x=arr).inputs["x"] is arr
    assert echo(x=arr).run().dtype == np.int16


@MemoizedTask
def f(dt: DType, rng: RNGenerator, seed: SeedSequence) -> float:
    return float(rng.random())


def test_dtype_generator_and_seedsequence_coerce(project: Any) -> None:
    task = f(dt="f4", rng=7, seed=123)
    assert task.inputs["dt"] == np.dtype(np.float32)
    assert isinstance(task.inputs["rng"], np.random.Generator)
    assert task.inputs["seed"].entropy == 123
    assert task.run() == f(dt=np.float32, rng=np.random.default_rng(7), seed=123).run()
    assert Task.from_desc(task.desc) == task


def test_a_task_does_not_consume_its_generator_input(project: Any) -> None:
    @MemoizedTask(cache=False)
    def sample(rng: RNGenerator) -> float:
        return float(rng.random())

    task = sample(rng=1)
    assert task.run() == task.run()


class Interval:
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Interval) and (self.low, self.high) == (other.low, other.high)

    __hash__ = None  # type: ignore[assignment]


class IntervalSerializer(Serializer):
    name = "test.Interval"
    types = (f"{__name__}.Interval",)

    def encode(self, value: Interval, encode: Any) -> Any:
        return [value.low, value.high]

    def decode(self, data: Any, decode: Any) -> Interval:
        return Interval(*data)


@MemoizedTask
def width(i: Any) -> float:
    return i.high - i.low


def test_registering_a_serializer_makes_a_type_usable(project: Any, tmp_path: Path) -> None:
    with pytest.raises(UnserializableValueError, match="Interval"):
        width(i=Interval(0, 1))
    register_serializer(IntervalSerializer())
    try:
        task = width(i=Interval(0, 2))
        assert task.digest != width(i=Interval(0, 3)).digest
        assert task.desc["inputs"]["i"] == {"$type": "test.Interval", "value": [0, 2]}
        assert Task.from_desc(task.desc).inputs["i"] == Interval(0, 2)
    finally:
        user_registry.unregister("test.Interval")


def test_two_serializers_cannot_claim_one_name() -> None:
    class Other(IntervalSerializer):
        pass

    register_serializer(IntervalSerializer())
    try:
        with pytest.raises(ValueError, match="already registered"):
            register_serializer(Other())
    finally:
        user_registry.unregister("test.Interval")


@RecordedTask
def NumberOrArray(x: float | Array) -> float:
    return float(np.sum(x))


def test_a_number_given_to_a_union_with_array_stays_a_number(project: Any) -> None:
    # The original made 5 the float 5.0; an array stays an array, a list becomes one.
    assert NumberOrArray(x=5).inputs["x"] == 5.0 and type(NumberOrArray(x=5).inputs["x"]) is float
    assert NumberOrArray(x=5) == NumberOrArray(x=5.0)
    assert isinstance(NumberOrArray(x=np.arange(3)).inputs["x"], np.ndarray)
    assert NumberOrArray(x=[1, 2]).inputs["x"].tolist() == [1, 2]
    assert NumberOrArray(x=5).run() == 5.0
