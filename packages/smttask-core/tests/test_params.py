"""Parameter sweeps: ParamColl, expand, inner/outer products, reproducible draws, task inputs."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from params_tasks import (
    AnyParams,
    DataParams,
    ModelParams,
    Nested,
    PlainModel,
    simulate,
    sweep_size,
    total,
)
from pydantic import TypeAdapter

from smttask import Task
from smttask.encoding import encode
from smttask.errors import TaskFileInputError
from smttask.params import DRAW_BLOCK, NOSEED, ParamColl, ParamCollError, expand

stats = pytest.importorskip("scipy.stats")


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def sweeps_for_other_process() -> tuple[ParamColl, ParamColl]:
    p = ModelParams(λ=expand(stats.norm()), σ=expand(stats.poisson(3)), paramseed=314)
    q = DataParams(L=expand([1, 2]), λ=expand(stats.norm()), paramseed=("run", 2))
    return p, q


@pytest.fixture(scope="module")
def other_process() -> dict[str, Any]:
    """Draws and a task key computed by a fresh Python process (one process: importing SciPy is slow)."""
    code = (
        "import json, tempfile\n"
        "from scipy import stats\n"
        "from smttask import Project\n"
        "from smttask.plugins import make_plugin_manager\n"
        "from smttask.params import expand\n"
        "from params_tasks import ModelParams, simulate\n"
        "from test_params import sweeps_for_other_process\n"
        "p, q = sweeps_for_other_process()\n"
        "draws = [[dict(x) for x in p.inner(300)], [dict(x) for x in q.outer()]]\n"
        "pm = make_plugin_manager(load_entry_points=False)\n"
        "with Project(tempfile.mkdtemp(), plugin_manager=pm).activate():\n"
        "    params = ModelParams(λ=expand([1, 2]), σ=expand(stats.norm(0, 2)), paramseed=3)\n"
        "    digest = simulate(params=params, n=2).digest\n"
        "print(json.dumps({'draws': draws, 'digest': digest}))\n"
    )
    return json.loads(run_python(code))


# --- a collection is a frozen mapping ----------------------------------------


def test_a_collection_is_a_frozen_mapping_usable_as_kwargs() -> None:
    p = DataParams(L=400, λ=1, σ=2, δy=expand([-1, 0, 1]))
    assert list(p) == ["L", "λ", "σ", "δy"] and len(p) == 4
    assert dict(**p) == {"L": 400, "λ": 1.0, "σ": 2.0, "δy": expand([-1.0, 0.0, 1.0])}
    assert p["L"] == 400 and p.get("missing") is None and "paramseed" not in p
    with pytest.raises(dataclasses.FrozenInstanceError, match="replace"):
        p.L = 3  # type: ignore[misc]
    q = dataclasses.replace(p, L=10)
    assert q.L == 10 and p.L == 400
    assert DataParams(1, 2, 3, paramseed=4) == DataParams(
        L=1, λ=2, σ=3, paramseed=4
    )  # paramseed is keyword-only


def test_fields_are_validated_and_coerced_like_task_inputs() -> None:
    p = ModelParams(λ=2, σ=expand(np.array([1, 2])))
    assert type(p.λ) is float and p.σ.values == (1.0, 2.0) and all(type(v) is float for v in p.σ)
    with pytest.raises(ParamCollError, match="'λ' \\(expected float\\)"):
        ModelParams(λ="not a number")
    with pytest.raises(ParamCollError, match="σ\\[1\\] \\(of expand\\)"):
        ModelParams(σ=expand([1, "x"]))
    with pytest.raises(ParamCollError, match="wrap it: expand"):
        ModelParams(σ=stats.norm())  # a distribution given as a plain float value
    assert AnyParams(x=stats.norm()).x.dist.name == "norm"  # fields annotated Any take anything


def test_keyword_only_fields() -> None:
    class Base(ParamColl):
        a: int = 1

    class Child(Base, kw_only=True):
        b: float  # no default after a field with one: fine when keyword-only

    assert dict(Child(b=2)) == {"a": 1, "b": 2.0}
    with pytest.raises(TypeError):
        Child(1, 2)


def test_reserved_and_invalid_definitions_are_refused() -> None:
    with pytest.raises(TypeError, match="reserved"):

        class Bad(ParamColl):
            values: list

    with pytest.raises(TypeError, match="Subclass ParamColl"):
        ParamColl()
    for bad in ("abc", {1, 2}, iter([1, 2]), {"a": 1}, stats.norm, 3.0):
        with pytest.raises(TypeError, match="expand"):
            expand(bad)


def test_equal_collections_are_equal_and_hash_alike() -> None:
    a = AnyParams(x=[1, 2], y=np.arange(3))
    b = AnyParams(x=[1, 2], y=np.arange(3))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != AnyParams(x=[1, 2], y=np.arange(4))
    assert ModelParams(λ=expand(stats.norm()), paramseed=1) == ModelParams(
        λ=expand(stats.norm()), paramseed=1
    )
    assert ModelParams(λ=2, paramseed=1) != ModelParams(λ=2, paramseed=2)
    assert ModelParams(λ=2) != DataParams(λ=2)
    assert (
        AnyParams(x=stats.norm(1, 2))
        == AnyParams(x=stats.norm(1, 2))
        != AnyParams(x=stats.norm(1, 3))
    )
    assert hash(AnyParams(x=stats.norm(1, 2))) == hash(AnyParams(x=stats.norm(1, 2)))


def test_pickle_round_trip() -> None:
    p = Nested(L=expand([1, 2]), model=ModelParams(λ=expand(stats.norm())), paramseed=3)
    again = pickle.loads(pickle.dumps(p))
    assert again == p and list(again.inner()) == list(p.inner())
    assert pickle.loads(pickle.dumps(NOSEED)) is NOSEED


def test_the_original_explicit_dataclass_decorator_still_works() -> None:
    @dataclasses.dataclass(frozen=True)
    class Decorated(ParamColl):
        a: int = 1
        b: float = 2.0

    p = Decorated(a=expand([1, 2, 3]), paramseed=4)
    assert [q.a for q in p.inner()] == [1, 2, 3] and p.outer_len == 3
    assert dict(p) == {"a": expand([1, 2, 3]), "b": 2.0}


# --- inner and outer products -------------------------------------------------


def test_inner_and_outer_lengths() -> None:
    """Ported from the original's test_ParamColl."""
    data = DataParams(L=400, λ=1, σ=1, δy=expand([-1, -0.3, 0, 0.3, 1]))
    model = ModelParams(λ=expand(np.logspace(-1, 1, 10)), σ=expand(np.linspace(0.1, 3, 8)))
    aligned = ModelParams(λ=expand(np.logspace(-1, 1, 10)), σ=expand(np.linspace(0.1, 3, 10)))

    assert list(data.inner()) == list(data.outer())
    assert len(list(data.outer())) == len(data.δy) == data.outer_len == data.inner_len == 5
    assert [p.δy for p in data.inner()] == [-1, -0.3, 0, 0.3, 1]

    assert len(list(model.outer())) == model.outer_len == 10 * 8
    assert model.inner_len is None

    assert len(list(aligned.inner())) == len(aligned.λ) == aligned.inner_len == 10
    assert len(list(aligned.outer())) == aligned.outer_len == 10 * 10
    assert aligned.lengths == (10, 10) and aligned.expanded == {"λ": 10, "σ": 10}


def test_outer_varies_the_first_field_slowest() -> None:
    p = ModelParams(λ=expand([1, 2]), σ=expand([10, 20, 30]))
    assert [(q.λ, q.σ) for q in p.outer()] == [(1, 10), (1, 20), (1, 30), (2, 10), (2, 20), (2, 30)]
    assert [(q.λ, q.σ) for q in ModelParams(λ=expand([1, 2]), σ=expand([3, 4])).inner()] == [
        (1, 3),
        (2, 4),
    ]


def test_slicing_inner_and_outer() -> None:
    aligned = ModelParams(λ=expand(range(10)), σ=expand(range(10, 20)))
    assert len(list(aligned.inner(2, 8))) == 6
    assert len(list(aligned.inner(2, 8, 2))) == 3
    assert len(list(aligned.outer(5, 20))) == 15
    assert len(list(aligned.outer(5, 20, 5))) == 3
    assert list(aligned.inner(4)) == list(aligned.inner())[:4]
    assert list(aligned.inner(2, 8, 2)) == list(aligned.inner())[2:8:2]
    assert list(aligned.outer(5, 20, 5)) == list(aligned.outer())[5:20:5]
    assert list(aligned.inner(7, None)) == list(aligned.inner())[7:]
    assert list(aligned.outer(-3)) == list(aligned.outer())[:-3]
    with pytest.raises(TypeError, match="integers"):
        aligned.inner(1.5)


def test_misaligned_inner_names_the_fields_and_their_lengths() -> None:
    model = ModelParams(λ=expand(range(10)), σ=expand(range(8)))
    with pytest.raises(ParamCollError, match=r"λ \(10\), σ \(8\)"):
        model.inner()  # raised at the call, before iterating
    with pytest.raises(ValueError):  # ParamCollError is a ValueError, as in the original
        next(model.inner())


def test_inner_without_expanded_fields_yields_the_collection_once() -> None:
    """Regression: the original's inner() yielded nothing when no field was expanded."""
    p = ModelParams(λ=2, σ=3)
    assert list(p.inner()) == [p] and list(p.outer()) == [p]
    assert p.inner_len == p.outer_len == 1 and p.lengths == ()


def test_length_one_expansions_are_repeated_in_inner() -> None:
    """Regression: the original reported inner_len 3 here but zip stopped after one element."""
    p = ModelParams(λ=expand([5]), σ=expand([1, 2, 3]))
    assert p.inner_len == 3
    assert [(q.λ, q.σ) for q in p.inner()] == [(5, 1), (5, 2), (5, 3)]


def test_empty_expansion_yields_nothing() -> None:
    p = ModelParams(λ=expand([]), σ=expand([1, 2]))
    assert p.outer_len == 0 and list(p.outer()) == []


# --- random fields ------------------------------------------------------------


def test_random_fields_need_a_seed() -> None:
    p = DataParams(λ=expand(stats.norm()), σ=expand([1, 2]))
    with pytest.raises(ParamCollError, match="paramseed"):
        p.outer()
    with pytest.raises(ParamCollError, match="paramseed"):
        p.inner()


def test_random_draws_are_reproducible_and_depend_on_the_seed() -> None:
    """Ported from the original's test_ParamColl (random part)."""
    data = DataParams(
        L=400,
        λ=expand(stats.norm()),
        σ=expand([1, 0.2, 0.05]),
        δy=expand([-1, -0.3, 0, 0.3, 1]),
        paramseed=314,
    )
    with pytest.raises(ParamCollError):
        data.inner()  # σ and δy are not aligned
    assert (
        len(list(data.outer())) == data.outer_len == 3 * 5
    )  # distributions do not multiply combinations

    data = dataclasses.replace(data, σ=expand([10, 0, 1, 0.2, 0.05]))
    assert len(list(data.inner())) == data.inner_len == 5
    assert len(list(data.outer())) == data.outer_len == 5 * 5

    inner1 = [p.λ for p in data.inner()]
    outer1 = [p.λ for p in data.outer()]
    assert inner1 == [p.λ for p in data.inner()] and outer1 == [p.λ for p in data.outer()]
    assert len(set(outer1)) == 25  # every combination gets its own draw

    reseeded = dataclasses.replace(data, paramseed=628)
    assert inner1 != [p.λ for p in reseeded.inner()]
    assert outer1 != [p.λ for p in reseeded.outer()]

    fresh = dataclasses.replace(data, paramseed=None)  # None: new draws every time
    assert [p.λ for p in fresh.inner()] != [p.λ for p in fresh.inner()]


def test_only_distributions_need_an_explicit_count() -> None:
    p = DataParams(
        σ=stats.lognorm(1).mean(),
        δy=expand(stats.uniform(-1, 1)),
        λ=expand(stats.norm()),
        paramseed=1,
    )
    assert p.inner_len == math.inf and p.outer_len is None
    with pytest.raises(ParamCollError, match=r"inner\(10\)"):
        p.inner()
    with pytest.raises(ParamCollError, match=r"use inner\(n\)"):
        p.outer()
    values = [q.δy for q in p.inner(100)]
    assert len(values) == len(set(values)) == 100 and all(-1 <= v <= 0 for v in values)


def test_a_draw_depends_only_on_seed_field_and_position() -> None:
    p = ModelParams(λ=expand(stats.norm()), σ=expand(stats.norm()), paramseed=7)
    n = DRAW_BLOCK + 44  # crosses a block boundary
    every = [(q.λ, q.σ) for q in p.inner(n)]
    assert [(q.λ, q.σ) for q in p.inner(5)] == every[:5]
    assert [(q.λ, q.σ) for q in p.inner(DRAW_BLOCK - 3, n, 2)] == every[DRAW_BLOCK - 3 : n : 2]
    assert all(a != b for a, b in every)  # the two fields draw independently


def test_random_draws_are_the_same_in_another_process(other_process: dict[str, Any]) -> None:
    """Ported from the original's test_ParamColl_reproducible_rng, in one pytest run."""
    p, q = sweeps_for_other_process()
    assert other_process["draws"] == [[dict(x) for x in p.inner(300)], [dict(x) for x in q.outer()]]


def test_multivariate_distributions_expand() -> None:
    """Regression: the original raised NameError for any multivariate distribution."""
    p = AnyParams(x=expand(stats.multivariate_normal([0, 10], [[1, 0], [0, 1]])), paramseed=2)
    draws = [q.x for q in p.inner(3)]
    assert all(isinstance(d, np.ndarray) and d.shape == (2,) for d in draws)
    assert abs(draws[0][1] - 10) < 6 and not np.array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(draws[2], [q.x for q in p.inner(3)][2])


# --- nested collections -------------------------------------------------------


def test_nested_collections_expand() -> None:
    """Ported from the original's test_nested_ParamColl."""
    p = DataParams(
        L=expand([100, 200, 300]),
        λ=ModelParams(λ=expand([1.1, 1.2, 1.3])),
        σ=expand(stats.poisson(1)),
        paramseed=312,
    )
    assert isinstance(p.λ, ModelParams)
    assert p.inner_len == len(list(p.inner())) == 3
    assert p.outer_len == len(list(p.outer())) == 9  # distributions do not multiply combinations
    assert [(q.L, q.λ.λ) for q in p.inner()] == [(100, 1.1), (200, 1.2), (300, 1.3)]
    assert [(q.L, q.λ.λ) for q in p.outer()][:4] == [(100, 1.1), (100, 1.2), (100, 1.3), (200, 1.1)]
    assert p.expanded == {"L": 3, "λ.λ": 3, "σ": math.inf}

    rv = DataParams(
        L=expand(stats.poisson(100)),
        λ=ModelParams(λ=expand(stats.norm())),
        σ=expand(stats.poisson(1)),
        paramseed=312,
    )
    assert rv.inner_len == math.inf
    draws = list(rv.inner(17))
    assert len(draws) == 17 and len({q.λ.λ for q in draws}) == 17

    misaligned = DataParams(L=expand([1, 2]), λ=ModelParams(σ=expand([1, 2, 3])))
    with pytest.raises(ParamCollError, match=r"L \(2\), λ.σ \(3\)"):
        misaligned.inner()


def test_nested_seeds() -> None:
    own = ModelParams(λ=expand(stats.norm()), paramseed=5)
    standalone = [q.λ for q in own.inner(4)]
    # A nested collection with its own seed draws as it does alone.
    assert [q.model.λ for q in Nested(L=expand([1, 2, 3, 4]), model=own).inner()] == standalone
    # Without one, it draws from its parent's seed, differently for each field it sits in.
    inherit = Nested(L=expand([1, 2]), model=ModelParams(λ=expand(stats.norm())), paramseed=5)
    assert [q.model.λ for q in inherit.inner()] != standalone[:2]
    with pytest.raises(ParamCollError, match="model.λ"):
        Nested(L=expand([1, 2]), model=ModelParams(λ=expand(stats.norm()))).inner()


def test_a_plain_dataclass_holding_expand_is_converted_as_the_original_did() -> None:
    from scipy import stats

    p = Nested(L=expand([1, 2, 3]), model=PlainModel(λ=expand([0.1, 1, 10]), tags=["a"]))
    assert type(p.model).__name__ == "ParamColl_PlainModel" and isinstance(p.model, ParamColl)
    assert p.model.tags == ["a"]
    assert (p.inner_len, p.outer_len) == (3, 9)
    assert [(q.L, q.model.λ) for q in p.inner()] == [(1, 0.1), (2, 1.0), (3, 10.0)]
    assert len(list(p.outer())) == 9
    random = Nested(model=PlainModel(σ=expand(stats.norm())), paramseed=3)
    assert len({q.model.σ for q in random.inner(17)}) == 17
    # Without expanded values a dataclass stays what it is.
    assert type(Nested(model=PlainModel()).model) is PlainModel


def test_converted_types_and_collections_pickle_and_are_one_type_per_process() -> None:
    p = Nested(model=PlainModel(λ=expand([1, 2])))
    again = pickle.loads(pickle.dumps(p))
    assert again == p and type(again.model) is type(p.model)
    assert pickle.loads(pickle.dumps(type(p.model))) is type(p.model)
    assert Nested(model=PlainModel(λ=expand([3]))).model.__class__ is type(p.model)
    code = (
        "import pickle, sys\n"
        "import params_tasks\n"
        "p = pickle.loads(sys.stdin.buffer.read())\n"
        "print([q.model.λ for q in p.inner()])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(p), capture_output=True, check=True,
        cwd=Path(__file__).parent,
    )
    assert out.stdout.decode().strip() == "[1.0, 2.0]"


def test_a_converted_dataclass_round_trips_through_a_task_file(project: Any, tmp_path: Path) -> None:
    task = sweep_size(params=Nested(L=10, model=PlainModel(λ=expand([1, 2]))))
    assert task.desc["inputs"]["params"]["value"]["fields"]["model"]["value"]["dataclass"] == "params_tasks:PlainModel"
    again = Task.from_desc(task.save(tmp_path))
    assert again == task and again.digest == task.digest


def test_a_file_naming_a_dataclass_must_give_every_field_and_name_a_dataclass(project: Any, tmp_path: Path) -> None:
    task = sweep_size(params=Nested(L=10, model=PlainModel(λ=expand([1, 2]))))
    desc = json.loads(json.dumps(task.desc))
    model = desc["inputs"]["params"]["value"]["fields"]["model"]["value"]
    del model["fields"]["tags"]  # a missing field would call the dataclass's default factory
    with pytest.raises(TaskFileInputError, match="fields of dataclass 'params_tasks:PlainModel' are"):
        Task.from_desc(desc)
    model["dataclass"] = "params_tasks:ModelParams"
    with pytest.raises(TaskFileInputError, match="is not a plain dataclass"):
        Task.from_desc(desc)
    model["dataclass"] = "subprocess:Popen"
    with pytest.raises(TaskFileInputError, match="not imported|is not a plain dataclass"):
        Task.from_desc(desc)


def test_a_dataclass_computing_its_own_fields_is_refused_with_the_fix() -> None:
    @dataclasses.dataclass
    class Computed:
        λ: Any = 1
        twice: Any = dataclasses.field(init=False, default=None)

    with pytest.raises(ParamCollError, match="computes field\\(s\\) twice itself.*make .*Computed a ParamColl"):
        Nested(model=Computed(λ=expand([1, 2])))


# --- pydantic and task inputs ------------------------------------------------------


def test_paramcoll_is_a_pydantic_field_type() -> None:
    adapter = TypeAdapter(ModelParams)
    p = ModelParams(λ=2)
    assert adapter.validate_python(p) is p
    assert adapter.validate_python({"λ": 3}) == ModelParams(λ=3.0)
    with pytest.raises(ValueError, match="expected a ModelParams"):
        adapter.validate_python(DataParams())
    with pytest.raises(ValueError, match="expected a ModelParams"):
        adapter.validate_python(5)


def test_task_input_key_is_stable_and_distinguishes_collections(
    project: Any, other_process: dict[str, Any]
) -> None:
    p = ModelParams(λ=expand([1, 2]), σ=expand(stats.norm(0, 2)), paramseed=3)
    # Golden encoding: changing it changes every stored key of a task taking a ParamColl.
    assert encode(p, project.serializers, "key") == {
        "$type": "paramcoll",
        "value": {
            "class": "params_tasks:ModelParams",
            "fields": {
                "λ": {"$type": "expand", "value": {"values": [1.0, 2.0]}},
                "σ": {
                    "$type": "expand",
                    "value": {
                        "distribution": {
                            "$type": "scipy.stats.frozen",
                            "value": {"dist": "norm", "args": [0, 2], "kwds": {}},
                        }
                    },
                },
            },
            "paramseed": 3,
        },
    }
    task = simulate(params=p, n=2)
    assert (
        task.digest
        == simulate(
            params=ModelParams(λ=expand([1.0, 2.0]), σ=expand(stats.norm(0, 2)), paramseed=3), n=2
        ).digest
    )
    assert task.digest != simulate(params=dataclasses.replace(p, paramseed=4), n=2).digest
    assert task.digest != simulate(params=dataclasses.replace(p, λ=expand([2, 1])), n=2).digest
    assert (
        simulate(params=ModelParams(λ=1), n=2).digest
        == simulate(params=ModelParams(λ=1.0), n=2).digest
    )
    assert other_process["digest"] == task.digest


def test_task_with_paramcoll_input_round_trips_through_its_description(
    project: Any, tmp_path: Path
) -> None:
    for params in (
        ModelParams(λ=2, σ=0.5),
        ModelParams(λ=expand(np.linspace(0, 1, 3)), σ=expand(stats.norm()), paramseed=("a", 1)),
    ):
        task = simulate(params=params, n=4)
        again = Task.from_desc(task.desc)
        assert again == task and again.inputs["params"] == params
        assert Task.from_desc(task.save(tmp_path)) == task
    nested = total(params=DataParams(λ=ModelParams(λ=expand([1, 2])), paramseed=9))
    assert Task.from_desc(nested.desc).inputs["params"] == nested.inputs["params"]
    multi = simulate(
        params=ModelParams(λ=1), n=1
    )  # (AnyParams with multivariate draws is keyed too)
    assert encode(
        AnyParams(x=expand(stats.multivariate_normal([0, 1]))), project.serializers, "key"
    )
    assert multi.run() == 2.0


def test_each_collection_of_a_sweep_makes_a_task(project: Any) -> None:
    sweep = ModelParams(λ=expand([1, 2, 3]), σ=expand(stats.norm()), paramseed=0)
    tasks = [simulate(params=p, n=10) for p in sweep.inner()]
    assert len({t.digest for t in tasks}) == 3
    assert [t.run() for t in tasks] == [p.λ * 10 + p.σ for p in sweep.inner()]


def test_a_task_file_with_a_paramcoll_input_runs_in_another_process(
    project: Any, tmp_path: Path
) -> None:
    task = simulate(params=ModelParams(λ=2, σ=0.5, paramseed=1), n=3)
    path = task.save(tmp_path / "taskdir")
    code = (
        "import sys\n"
        "from smttask import Project, Task\n"
        "from smttask.config import Config\n"
        f"with Project({str(tmp_path)!r}, config=Config(recorder='none')).activate():\n"
        f"    task = Task.from_desc({str(path)!r})\n"
        "    print(task.digest, type(task.inputs['params']).__name__, task.run(), sep='|')\n"
    )
    digest, cls, result = run_python(code).strip().split("|")
    assert digest == task.digest and cls == "ModelParams" and result == repr(task.run())


def test_reading_a_collection_never_imports_its_module(project: Any) -> None:
    desc = total(params=DataParams()).desc
    desc["inputs"]["params"]["value"]["class"] = "a_module_nobody_imported:DataParams"
    with pytest.raises(TaskFileInputError, match="not imported"):
        Task.from_desc(desc)
    assert "a_module_nobody_imported" not in sys.modules


def test_importing_sweeps_does_not_import_numpy_or_scipy() -> None:
    code = (
        "import sys\n"
        "import smttask.params, smttask.seeds, smttask.workflows\n"
        "from smttask.params import ParamColl, expand\n"
        "class P(ParamColl):\n"
        "    a: int = 1\n"
        "print(len(list(P(a=expand([1, 2])).outer())), [m for m in ('numpy', 'scipy') if m in sys.modules])\n"
    )
    assert run_python(code).strip() == "2 []"
