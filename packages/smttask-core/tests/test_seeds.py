"""SeedGenerator: named seeds derived reproducibly from keys."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from typing import Any, ClassVar

import numpy as np
import pytest
from params_tasks import SeedGen, count_seeds

from smttask import Task
from smttask.seeds import SeedGenerator, stable_words
from smttask.typing import SeedSequence


def test_same_key_same_seeds_other_key_other_seeds() -> None:
    """Ported from the original's test_SeedGenerator."""
    seedgen = SeedGen(123456789)
    seeds1a, seeds1b, seeds2 = seedgen(1), seedgen(1), seedgen(2)
    assert seeds1a == seeds1b
    assert seeds1a.data != seeds2.data and seeds1a.noise != seeds2.noise
    assert len(seeds2.data) == 2 and isinstance(seeds2.noise, int) and 0 <= seeds2.noise < 2**32
    assert seedgen.noise(1) == seeds1a.noise and seedgen.data(1) == seeds1a.data
    assert seedgen.data != seedgen.noise and seeds1a.data[0] != seeds1a.noise

    # Changing the entropy changes the seeds
    assert SeedGen(987654321)(1).data != seeds1a.data

    # Keys may hold several values of other types; values and their order matter
    a, b, c = seedgen.data("b", 4.3), seedgen.data(4.3, "b"), seedgen.data(4.3, "a")
    assert len({a, b, c}) == 3
    assert (
        seedgen.data(("b", 4.3)) == a == seedgen.data(["b", np.float64(4.3)])
    )  # a single tuple is unpacked
    assert len({seedgen.noise(k) for k in (1, 1.0, "1", True, b"1", None)}) == 6  # typed keys


def test_seeds_feed_numpy() -> None:
    seeds = SeedGen(5)("trial", 3)
    x = np.random.default_rng(seeds.noise).normal(size=3)
    np.testing.assert_array_equal(
        x, np.random.default_rng(SeedGen(5).noise("trial", 3)).normal(size=3)
    )
    np.random.default_rng(seeds.data)
    np.random.SeedSequence(seeds.data)
    np.random.RandomState(seeds.noise)  # the legacy API accepts 32-bit seeds only


def test_seedsequence_seeds() -> None:
    class Gen(SeedGenerator):
        init: SeedSequence
        other: np.random.SeedSequence

    gen = Gen("experiment-1")
    seq = gen.init(4)
    assert isinstance(seq, np.random.SeedSequence)
    assert seq.entropy == gen(4).init.entropy and seq.entropy != gen.other(4).entropy


def test_same_seeds_in_another_process() -> None:
    code = (
        "import json\n"
        "from params_tasks import SeedGen\n"
        "g = SeedGen(123456789)\n"
        "print(json.dumps([g(k)._asdict() for k in (1, 2, 'x', (3, 'y'), 4.5)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    g = SeedGen(123456789)
    here = [
        {k: list(v) if isinstance(v, tuple) else v for k, v in g(key)._asdict().items()}
        for key in (1, 2, "x", (3, "y"), 4.5)
    ]
    assert json.loads(out) == here


def test_golden_seed_values() -> None:
    """Pinned: changing the derivation changes every seed users have recorded."""
    assert stable_words(("smttask.SeedGenerator", 1, "noise", (1,)), 1) == (SeedGen(1).noise(1),)
    assert SeedGen(1).noise(1) == 854584034
    assert SeedGen(1).data("a", 2) == (64328007, 2698561827)


def test_definition_errors() -> None:
    with pytest.raises(TypeError, match=r"tuple\[int, int, int\]"):

        class Open(SeedGenerator):
            data: tuple[int, ...]

    with pytest.raises(TypeError, match="annotated"):

        class Wrong(SeedGenerator):
            data: float

    with pytest.raises(TypeError, match="reserved"):

        class Reserved(SeedGenerator):
            entropy: int

    class WithClassVar(SeedGenerator):
        noise: int
        note: ClassVar[str] = "not a seed"

    assert WithClassVar.seed_names == ("noise",)
    with pytest.raises(TypeError, match="Cannot derive a seed"):
        SeedGen(object())
    with pytest.raises(TypeError, match="Subclass"):
        SeedGenerator(1)


def test_generators_compare_pickle_and_are_task_inputs(project: Any) -> None:
    g = SeedGen(42)
    assert g == SeedGen(42) and hash(g) == hash(SeedGen(42)) and g != SeedGen(43)
    assert pickle.loads(pickle.dumps(g)) == g and pickle.loads(pickle.dumps(g(1))) == g(1)
    with pytest.raises(AttributeError):
        g.noise = 3  # type: ignore[misc]
    task = count_seeds(seeds=g, key=2)
    assert task.run() == g.noise(2)
    assert (
        Task.from_desc(task.desc) == task
        and task.digest != count_seeds(seeds=SeedGen(43), key=2).digest
    )
    assert count_seeds(seeds=42, key=2) == task  # raw entropy is accepted for the annotated class
