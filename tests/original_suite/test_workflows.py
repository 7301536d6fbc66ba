"""The original suite's test_workflows.py: ParamColl, its reproducibility across processes, nesting, SeedGenerator.

The original's reproducibility tests needed two pytest runs (the pytest cache);
here a second Python process draws, and both must agree.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from typing import Any

import pytest
from scipy import stats

from smttask.params import ParamColl, ParamCollError, expand
from smttask.seeds import SeedGenerator


class Model(ParamColl):
    a: float = 1
    b: float = 2
    c: Any = None


@dataclasses.dataclass
class Plain:
    """A plain dataclass holding expandables: converted to a ParamColl when nested (as in 0.2)."""

    λ: Any = 1
    σ: Any = 1


class Outer(ParamColl):
    L: Any = 1
    inner_model: Any = None


class SeedGen(SeedGenerator):
    data: tuple[int, int]
    noise: int


def test_paramcoll() -> None:
    p = Model(a=expand(range(10)), b=3)
    assert list(p) == ["a", "b", "c"]                         # mapping order is field order
    assert [q.a for q in p.inner()] == [q.a for q in p.outer()] == list(map(float, range(10)))
    grid = Model(a=expand(range(10)), b=expand(range(8)))
    assert grid.outer_len == 80 and len(list(grid.outer())) == 80
    with pytest.raises(ParamCollError):
        list(grid.inner())                                   # misaligned lengths
    aligned = Model(a=expand(range(10)), b=expand(range(10, 20)))
    assert aligned.inner_len == 10 and aligned.outer_len == 100
    assert [q.a for q in aligned.inner(2, 8)] == [2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert [q.a for q in aligned.inner(2, 8, 2)] == [2.0, 4.0, 6.0]
    assert len(list(aligned.outer(5, 20))) == 15 and len(list(aligned.outer(5, 20, 5))) == 3


def test_random_fields_need_a_seed_and_draw_reproducibly() -> None:
    with pytest.raises(ParamCollError, match="paramseed"):
        list(Model(c=expand(stats.norm())).inner(3))
    p = Model(a=expand(range(4)), c=expand(stats.norm()), paramseed=5)
    draws = [q.c for q in p.inner()]
    assert draws == [q.c for q in p.inner()] and len(set(draws)) == 4
    assert draws != [q.c for q in dataclasses.replace(p, paramseed=6).inner()]
    with pytest.raises(ParamCollError):
        list(Model(c=expand(stats.norm()), paramseed=5).outer())   # outer of distributions only
    assert len(list(Model(c=expand(stats.norm()), paramseed=5).inner(50))) == 50   # as long as asked


def test_paramcoll_draws_and_keys_are_the_same_in_another_process(tmp_path: Any) -> None:
    code = (
        "import json\n"
        "from scipy import stats\n"
        "from smttask.params import ParamColl, expand\n"
        "class Model(ParamColl):\n"
        "    a: float = 1\n    b: float = 2\n    c: object = None\n"
        "p = Model(a=expand(range(4)), c=expand(stats.norm()), paramseed=5)\n"
        "print(json.dumps([q.c for q in p.inner()]))\n"
    )
    here = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(here.stdout) == json.loads(there.stdout)
    local = Model(a=expand(range(4)), c=expand(stats.norm()), paramseed=5)
    assert [q.c for q in local.inner()] == json.loads(here.stdout)


def test_nested_paramcoll() -> None:
    p = Outer(L=expand([1, 2, 3]), inner_model=Plain(λ=expand([0.1, 1, 10])))
    assert isinstance(p.inner_model, ParamColl)
    assert (p.inner_len, p.outer_len) == (3, 9)
    rv = Outer(inner_model=Plain(σ=expand(stats.norm())), paramseed=1)
    assert len(list(rv.inner(17))) == 17
    for value in (Model(a=2), p, p.inner_model):
        assert pickle.loads(pickle.dumps(value)) == value
    PColl = type(p.inner_model)
    assert pickle.loads(pickle.dumps(PColl)) is PColl
    assert pickle.loads(pickle.dumps(Model)) is Model


def test_seed_generator() -> None:
    gen = SeedGen(123)
    assert gen(1, "a") == SeedGen(123)(1, "a")
    assert gen(1, "a") != gen(1, "b") and gen(1, "a") != SeedGen(124)(1, "a")
    assert len(gen(1).data) == 2 and isinstance(gen(1).noise, int)
    assert gen.noise("a", 1.5) != gen.noise(1.5, "a")          # key order matters
