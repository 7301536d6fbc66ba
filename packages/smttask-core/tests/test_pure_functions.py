"""Functions as task inputs: marked pure, combined, keyed and written to task files by reference.

Ported from the original's ``test_typing.py::test_pure_functions`` (arithmetic,
reversed operands, partial application, the non-pure TypeError and validation
error, a task file round-trip), plus the trust model: a hostile reference fails
with one line and calls nothing.
"""

from __future__ import annotations

import functools
import json
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from pure_function_tasks import SUM, THREE_X, apply, apply_memo, not_pure, plus_one, scaled, square

from smttask import Task, TaskInputError
from smttask.errors import NotPureError, SerializationError, TaskFileError
from smttask.typing import CompositePureFunction, PartialPureFunction, PureFunction


def test_a_decorated_function_stays_callable_and_keeps_its_name() -> None:
    assert plus_one(2) == 3
    assert isinstance(plus_one, PureFunction)
    assert plus_one.__name__ == "plus_one" and plus_one.__module__ == "pure_function_tasks"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: plus_one + square, 3 + 4),
        (lambda: plus_one - square, 3 - 4),
        (lambda: plus_one * square, 3 * 4),
        (lambda: plus_one / square, 3 / 4),
        (lambda: plus_one + 2, 5),
        (lambda: 2 + plus_one, 5),
        (lambda: 3 - plus_one, 0),
        (lambda: plus_one - 3, 0),
        (lambda: 10 / plus_one, 10 / 3),
        (lambda: plus_one * 2, 6),
        (lambda: 2 * plus_one, 6),
        (lambda: plus_one**2, 9),
        (lambda: 2**plus_one, 8),
        (lambda: plus_one // 2, 1),
        (lambda: 7 % plus_one, 1),
        (lambda: -plus_one, -3),
        (lambda: abs(-plus_one), 3),
        (lambda: (plus_one + square) * 2 - square / plus_one, 14 - 4 / 3),
    ],
)
def test_arithmetic_gives_a_pure_composite(make: Any, expected: float) -> None:
    composite = make()
    assert isinstance(composite, CompositePureFunction) and isinstance(composite, PureFunction)
    assert composite(2) == pytest.approx(expected)


@pytest.mark.parametrize(
    "combine",
    [lambda f: f + not_pure, lambda f: not_pure + f, lambda f: not_pure * f, lambda f: f - len, lambda f: len / f],
    ids=["add", "radd", "rmul", "builtin", "rtruediv"],
)
def test_combining_with_a_non_pure_function_is_a_type_error(combine: Any) -> None:
    with pytest.raises(TypeError, match="not marked pure.*@PureFunction") as info:
        combine(plus_one)
    assert isinstance(info.value, NotPureError)


def test_partial_pure_functions() -> None:
    assert PartialPureFunction(scaled, a=2.0)(3) == 6.0
    assert PartialPureFunction(scaled, 5.0)(b=1.0) == 6.0
    assert PartialPureFunction(functools.partial(scaled, b=1.0), a=2.0)(3) == 7.0
    assert PartialPureFunction(scaled, a=2.0)(3, a=1.0) == 3.0  # a call overrides, as functools.partial
    assert (THREE_X + 1)(2) == 7.0
    with pytest.raises(NotPureError, match="not marked pure"):
        PartialPureFunction(not_pure, x=1)


def test_equal_functions_are_equal_and_hash_alike() -> None:
    assert plus_one + 2 == plus_one + 2 and hash(plus_one + 2) == hash(plus_one + 2)
    assert plus_one + 2 != 2 + plus_one
    assert PartialPureFunction(scaled, a=1.0) == PartialPureFunction(scaled, a=1.0)
    assert PartialPureFunction(scaled, a=[1]) == PartialPureFunction(scaled, a=[1])  # unhashable argument
    assert hash(PartialPureFunction(scaled, a=[1])) == hash(PartialPureFunction(scaled, a=[1]))


@pytest.mark.parametrize("func", [plus_one, SUM, THREE_X, 3 - PartialPureFunction(scaled, b=2.0) * square, -plus_one])
def test_pure_functions_pickle(func: PureFunction) -> None:
    again = pickle.loads(pickle.dumps(func))
    assert again == func and again(1.5) == func(1.5)
    if func is plus_one:
        assert again is plus_one  # by name: a worker process gets the module's own object


def test_a_non_pure_input_is_a_validation_error_naming_the_value_and_the_fix(project: Any) -> None:
    with pytest.raises(TaskInputError) as info:
        apply(f=not_pure, x=1.0)
    message = str(info.value)
    assert "'f'" in message and "not_pure" in message and "@PureFunction" in message and "\n" not in message
    with pytest.raises(TaskInputError, match="expected a PureFunction"):
        apply(f=3, x=1.0)


@pytest.mark.parametrize(
    "func", [PureFunction(lambda x: x), PureFunction(functools.partial(scaled.func, a=1.0)), PureFunction(not_pure)]
)
def test_functions_without_a_reference_to_a_marked_object_are_refused_at_encode(project: Any, func: Any) -> None:
    with pytest.raises(SerializationError, match="@PureFunction") as info:
        apply(f=func, x=1.0)
    assert "\n" not in str(info.value)


def test_locally_defined_functions_are_refused_at_encode(project: Any) -> None:
    @PureFunction
    def local(x: float) -> float:
        return x

    with pytest.raises(SerializationError, match="no importable name"):
        apply_memo(f=local, x=1.0)


def test_equal_functions_give_equal_keys(project: Any) -> None:
    assert apply(f=plus_one + square, x=1.0).digest == apply(f=plus_one + square, x=1.0).digest
    assert apply(f=plus_one + square, x=1.0).digest != apply(f=square + plus_one, x=1.0).digest
    same = apply(f=PartialPureFunction(scaled, a=2.0), x=1.0).digest
    assert apply(f=PartialPureFunction(functools.partial(scaled, a=2.0)), x=1.0).digest == same
    assert apply(f=PartialPureFunction(scaled, a=3.0), x=1.0).digest != same
    assert apply(f=PartialPureFunction(scaled, a=2), x=1.0).digest != same  # 2 and 2.0 never collide


@pytest.mark.parametrize(
    "func",
    [plus_one, SUM, THREE_X, plus_one + 2 * PartialPureFunction(scaled, b=1.0), 3 - plus_one, -(square / plus_one)],
    ids=["plain", "module-composite", "module-partial", "tree", "reversed", "unary"],
)
def test_a_task_with_a_function_input_round_trips_through_its_task_file(
    project: Any, tmp_path: Path, func: PureFunction
) -> None:
    task = apply(f=func, x=2.0)
    expected = task.run()
    path = task.save(tmp_path)
    assert "def " not in path.read_text()  # by reference, never source code
    again = Task.from_desc(path)
    assert again.digest == task.digest and again == task
    assert again.run() == expected == func(2.0)


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_tasks_taking_functions_run_in_worker_processes(project: Any, start_method: str) -> None:
    from smttask.execution import ProcessExecutor

    functions = [plus_one, SUM, THREE_X, 3 - PartialPureFunction(scaled, b=2.0) * square]
    tasks = [apply(f=f, x=2.0) for f in functions]
    outcomes = {o.index: o for o in ProcessExecutor(project, workers=2, start_method=start_method).run(tasks)}
    assert [outcomes[i].status for i in range(len(tasks))] == ["computed"] * len(tasks)
    assert [task.run() for task in tasks] == [f(2.0) for f in functions]


# -------------------------------------------------------------------------
# Hostile task files: one line, nothing called
# -------------------------------------------------------------------------


def _doc(function: Any) -> dict[str, Any]:
    return {
        "format": "smttask-task",
        "version": 1,
        "module": "pure_function_tasks",
        "task": "apply",
        "inputs": {"f": {"$type": "purefunction", "value": function}, "x": 1.0},
    }


def _ref(target: str) -> dict[str, Any]:
    return {"$type": "purefunction", "value": {"ref": target}}


HOSTILE = {
    "non-pure function": {"ref": "pure_function_tasks:not_pure"},
    "a number": {"ref": "pure_function_tasks:NUMBER"},
    "a command runner": {"ref": "pure_function_tasks:RUN"},
    "a class that runs code when built": {"ref": "pure_function_tasks:Launcher"},
    "os.system": {"ref": "os:system"},
    "builtins.exec": {"ref": "builtins:exec"},
    "subprocess.Popen": {"ref": "subprocess:Popen"},
    "a dunder walk": {"ref": "pure_function_tasks:plus_one.__class__.__init__"},
    "through a function": {"ref": "pure_function_tasks:plus_one.func"},
    "through a module's attribute": {"ref": "pure_function_tasks:subprocess.run"},
    "not a path": {"ref": "not a path"},
    "no module": {"ref": "no_such_module_for_pure:f"},
    "ref not a string": {"ref": ["os", "system"]},
    "extra field": {"ref": "pure_function_tasks:plus_one", "source": "def f(x): return x"},
    "source code": {"source": "def f(x):\n    return x + 1"},
    "not an object": "pure_function_tasks:plus_one",
    "unknown operation": {"op": "system", "operands": [_ref("pure_function_tasks:plus_one"), 1]},
    "dunder operation": {"op": "__call__", "operands": [_ref("pure_function_tasks:plus_one"), 1]},
    "wrong arity": {"op": "add", "operands": [_ref("pure_function_tasks:plus_one")]},
    "operands not a list": {"op": "neg", "operands": _ref("pure_function_tasks:plus_one")},
    "no function operand": {"op": "add", "operands": [1, 2]},
    "non-pure operand": {"op": "add", "operands": [_ref("os:system"), 1]},
    "hidden class operand": {"op": "add", "operands": [{"$type": "enum", "value": {"class": "os:system", "value": 1}}, 1]},
    "partial of a non-pure function": {"partial": _ref("subprocess:run"), "args": [["touch", "x"]], "kwargs": {}},
    "partial of a constant": {"partial": 3, "args": [], "kwargs": {}},
    "partial args not a list": {"partial": _ref("pure_function_tasks:scaled"), "args": "x", "kwargs": {}},
    "partial kwargs not an object": {"partial": _ref("pure_function_tasks:scaled"), "args": [], "kwargs": [1]},
    "partial missing kwargs": {"partial": _ref("pure_function_tasks:scaled"), "args": []},
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_function_references_fail_in_one_line_and_call_nothing(
    project: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import subprocess

    import pure_function_tasks

    called: list[str] = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: called.append("subprocess.run"))
    monkeypatch.setattr(pure_function_tasks, "RUN", subprocess.run)
    monkeypatch.setattr(os, "system", lambda *a: called.append("os.system"))
    monkeypatch.setattr(pure_function_tasks, "not_pure", lambda *a: called.append("not_pure"))
    with pytest.raises(TaskFileError) as info:
        Task.from_desc(_doc(HOSTILE[name]))
    message = str(info.value)
    assert "\n" not in message and len(message) < 1000
    assert called == []


def test_a_deep_composition_tree_is_refused_not_a_crash(project: Any) -> None:
    depth = 5000
    tree = '{"$type": "purefunction", "value": {"op": "neg", "operands": [' * depth
    tree += json.dumps(_ref("pure_function_tasks:plus_one")) + "]}}" * depth
    text = json.dumps(_doc("@TREE@")).replace('{"$type": "purefunction", "value": "@TREE@"}', tree)
    with pytest.raises(TaskFileError) as info:
        Task.from_desc(text)
    assert "\n" not in str(info.value)


def test_reading_a_reference_imports_its_module_and_accepts_a_marked_object(project: Any, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pure_elsewhere.py").write_text(
        "from smttask.typing import PureFunction\n\n@PureFunction\ndef halve(x):\n    return x / 2\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pure_elsewhere", raising=False)
    task = Task.from_desc(_doc({"ref": "pure_elsewhere:halve"}))
    assert task.run() == 0.5
