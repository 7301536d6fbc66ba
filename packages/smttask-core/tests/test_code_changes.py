"""Code fingerprints in result manifests: a hit after the task's code changed warns, recomputes or not, as set."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest

from smttask import Project
from smttask.accept import accept_code_change
from smttask.config import Config
from smttask.errors import CodeChangedWarning, ConfigError
from smttask.plugins import make_plugin_manager

MODULE = '''
from smttask import RecordedTask

OFFSET = {offset}


def helper(x: int) -> int:
    {helper_doc}
    return x {helper_op} OFFSET


@RecordedTask
def Scale(x: int) -> int:
    """Scale x."""
    # a comment
    return helper(x) * {factor}
'''


def write_module(directory: Path, name: str, *, factor: int = 2, helper_op: str = "+", offset: int = 1,
                 helper_doc: str = '"""Add the offset."""') -> object:
    """Write (or rewrite) module *name* in *directory* and import it afresh."""
    (directory / f"{name}.py").write_text(
        textwrap.dedent(MODULE.format(factor=factor, helper_op=helper_op, offset=offset, helper_doc=helper_doc))
    )
    # Byte code is checked by the source's size and mtime in whole seconds: a rewrite of the same size
    # within the same second (OFFSET = 1 -> 7) would import the old code.
    for cached in directory.glob(f"__pycache__/{name}.*.pyc"):
        cached.unlink()
    sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module(name)


def make_project(root: Path, mode: str = "warn") -> Project:
    return Project(root, config=Config(recorder="none", on_code_change=mode),
                   plugin_manager=make_plugin_manager(load_entry_points=False))


@pytest.fixture
def modname(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    sys.path.insert(0, str(tmp_path))
    name = f"codemod_{request.node.name.replace('[', '_').replace(']', '').replace('-', '_')}"
    yield name
    sys.path.remove(str(tmp_path))
    sys.modules.pop(name, None)


def run_fresh(root: Path, mode: str, module: object) -> tuple[int, list[warnings.WarningMessage]]:
    """Run Scale(x=3) in a new project object (so its memory tier is empty); the result and warnings."""
    project = make_project(root, mode)
    with project.activate(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = module.Scale(x=3).run()
    return result, [w for w in caught if issubclass(w.category, CodeChangedWarning)]


def test_manifest_holds_the_fingerprint(tmp_path: Path, modname: str) -> None:
    module = write_module(tmp_path, modname)
    assert run_fresh(tmp_path, "warn", module) == (8, [])
    manifest = json.loads(next((tmp_path / "data" / "Scale").glob("*.manifest.json")).read_text())
    assert set(manifest["code"]["functions"]) == {f"{modname}:Scale", f"{modname}:helper"}
    assert f"{modname}:OFFSET" in manifest["code"]["constants"]
    assert manifest["inputs"] == {"x": 3}  # the key's pre-image, for explaining a miss later


def test_comments_docstrings_and_formatting_do_not_count(tmp_path: Path, modname: str) -> None:
    module = write_module(tmp_path, modname)
    run_fresh(tmp_path, "warn", module)
    module = write_module(tmp_path, modname, helper_doc='"""Another docstring, longer."""  # and a comment')
    assert run_fresh(tmp_path, "warn", module) == (8, [])


@pytest.mark.parametrize("change", [{"helper_op": "-"}, {"factor": 5}, {"offset": 7}])
def test_warn_names_the_changed_function_and_the_fix(tmp_path: Path, modname: str, change: dict) -> None:
    module = write_module(tmp_path, modname)
    run_fresh(tmp_path, "warn", module)
    module = write_module(tmp_path, modname, **change)
    result, caught = run_fresh(tmp_path, "warn", module)
    assert result == 8  # the stored result, computed with the old code
    assert len(caught) == 1
    message = str(caught[0].message)
    changed = {"helper_op": f"function {modname}:helper", "factor": f"function {modname}:Scale",
               "offset": f"constant {modname}:OFFSET"}[next(iter(change))]
    assert changed in message and "version=" in message and "smttask accept" in message


def test_recompute_computes_with_the_new_code_and_ignore_stays_silent(tmp_path: Path, modname: str) -> None:
    module = write_module(tmp_path, modname)
    run_fresh(tmp_path, "warn", module)
    module = write_module(tmp_path, modname, factor=5)
    assert run_fresh(tmp_path, "ignore", module) == (8, [])
    assert run_fresh(tmp_path, "recompute", module) == (20, [])
    assert run_fresh(tmp_path, "warn", module) == (20, [])  # the new result carries the new fingerprint


def test_accept_makes_the_warning_go_away(tmp_path: Path, modname: str) -> None:
    module = write_module(tmp_path, modname)
    run_fresh(tmp_path, "warn", module)
    module = write_module(tmp_path, modname, helper_op="- -")  # x - -OFFSET: the same values
    assert len(run_fresh(tmp_path, "warn", module)[1]) == 1
    project = make_project(tmp_path)
    with project.activate():
        assert accept_code_change([module.Scale(x=3), module.Scale(x=99)], project) == [module.Scale(x=3)]
    assert run_fresh(tmp_path, "warn", module) == (8, [])
    assert run_fresh(tmp_path, "recompute", module) == (8, [])


def test_the_key_does_not_depend_on_the_code(tmp_path: Path, modname: str) -> None:
    key = write_module(tmp_path, modname).Scale(x=3).digest
    assert write_module(tmp_path, modname, factor=9).Scale(x=3).digest == key


@pytest.mark.parametrize("value", ["Warn", "", "recomputed"])
def test_a_bad_on_code_change_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="on_code_change.*'warn', 'recompute', 'ignore'"):
        Config.from_mapping({"on_code_change": value}, "smttask.toml")


def test_a_hostile_stored_fingerprint_counts_as_changed(tmp_path: Path, modname: str) -> None:
    module = write_module(tmp_path, modname)
    run_fresh(tmp_path, "warn", module)
    path = next((tmp_path / "data" / "Scale").glob("*.manifest.json"))
    for hostile in ([1, 2], {"functions": "x", "packages": [None]}, "code"):
        manifest = json.loads(path.read_text())
        manifest["code"] = hostile
        path.write_text(json.dumps(manifest))
        result, caught = run_fresh(tmp_path, "recompute", module)
        assert result == 8


STATE_MODULE = '''
import sys

from smttask import MemoizedTask

CHANNELS = {{"alpha", "beta", "gamma", "delta", "epsilon"}}
LIMITS = {{"low": 1, "high": {high}}}
_seen = {{}}
STEPS = (len, max)


@MemoizedTask
def Count(x: int) -> int:
    _seen[x] = len(sys.modules)
    return x + len(CHANNELS) + LIMITS["high"] + len(STEPS) + len(_seen)
'''


def constants_of(directory: Path, name: str, high: int = 9, hashseed: str = "0") -> dict[str, str]:
    """The constants section of Count's fingerprint, computed in a fresh interpreter with *hashseed*."""
    (directory / f"{name}.py").write_text(STATE_MODULE.format(high=high))
    script = (f"import json, sys; sys.path.insert(0, {str(directory)!r}); import {name}; "
              f"{name}.Count(x=1).run(); from smttask.fingerprint import code_fingerprint; "
              f"print(json.dumps(code_fingerprint({name}.Count._func)['constants']))")
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_constants_are_the_same_in_every_process_and_state_is_no_constant(tmp_path: Path, modname: str) -> None:
    first = constants_of(tmp_path, modname, hashseed="1")
    # a set of strings prints in a different order under another hash seed: the fingerprint does not change
    assert constants_of(tmp_path, modname, hashseed="2") == first
    # constants by PEP 8 name count, a module-level cache and another module's state (sys.modules) do not,
    # nor a tuple of functions (its repr would hold addresses)
    assert set(first) == {f"{modname}:CHANNELS", f"{modname}:LIMITS"}
    assert constants_of(tmp_path, modname, high=10)[f"{modname}:LIMITS"] != first[f"{modname}:LIMITS"]


CLASS_MODULE = '''
from smttask import RecordedTask


@RecordedTask
class Shift:
    """A callable class task whose work is in another method."""

    def __call__(self, x: int) -> int:
        return self.step(x)

    def step(self, x: int) -> int:
        return x + {amount}
'''


def test_a_class_task_counts_all_its_methods(tmp_path: Path, modname: str) -> None:
    def load(amount: int) -> object:
        (tmp_path / f"{modname}.py").write_text(CLASS_MODULE.format(amount=amount))
        sys.modules.pop(modname, None)
        importlib.invalidate_caches()
        return importlib.import_module(modname)

    def run(module: object) -> tuple[int, list[warnings.WarningMessage]]:
        with make_project(tmp_path).activate(), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = module.Shift(x=1).run()
        return result, [w for w in caught if issubclass(w.category, CodeChangedWarning)]

    assert run(load(1)) == (2, [])
    result, caught = run(load(5))  # only step() changed: __call__ reads it through self
    assert result == 2 and len(caught) == 1 and f"function {modname}:Shift" in str(caught[0].message)


def _functions_of(modules: list[Any]) -> list[Any]:
    import inspect
    import types

    found = []
    for module in modules:
        for value in vars(module).values():
            members = [value, *(vars(value).values() if isinstance(value, type) else ())]
            found += [inspect.unwrap(f) for f in members if isinstance(f, types.FunctionType)]
    return found


def test_a_functions_source_is_found_without_tokenizing_as_inspect_finds_it() -> None:
    """The fingerprint's source lookup (the module's parsed source, by the function's first line) gives
    the code ``inspect.getsource`` gives, so fingerprints stored before it still match."""
    import ast
    import inspect
    import pkgutil

    import core_tasks

    import smttask
    from smttask.fingerprint import _function_source

    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(smttask.__path__, "smttask.")]
    compared = 0
    for function in _functions_of([*modules, core_tasks]):
        source = _function_source(function)
        if source is None:
            continue
        expected = ast.dump(ast.parse(textwrap.dedent(inspect.getsource(function))))
        assert ast.dump(ast.parse(textwrap.dedent(source))) == expected, function
        compared += 1
    assert compared > 500


def test_a_tasks_fingerprint_needs_no_inspect_getsource(monkeypatch: pytest.MonkeyPatch) -> None:
    import inspect

    import core_tasks

    from smttask.fingerprint import _compute

    expected = _compute(core_tasks.Square.task_function)

    def refused(obj: Any) -> str:
        raise AssertionError(f"inspect.getsource({obj!r}) was called")

    monkeypatch.setattr(inspect, "getsource", refused)
    assert _compute(core_tasks.Square.task_function) == expected
    assert expected["functions"]


def test_a_package_is_attributed_to_the_distribution_that_installed_it() -> None:
    """As importlib.metadata.packages_distributions says, for every package installed here."""
    from importlib.metadata import packages_distributions

    from smttask.fingerprint import _distribution_of

    for top, dists in packages_distributions().items():
        assert _distribution_of(top) in dists, top
        if len(dists) == 1:
            assert _distribution_of(top) == dists[0], top


def test_a_task_using_a_package_named_as_its_distribution_reads_no_other_distribution(monkeypatch) -> None:
    """Fingerprinting a task that calls pydantic (or numpy) asks pydantic's metadata only: scanning every
    installed distribution's cost some 70 ms on each process's first hit."""
    import pydantic
    import xxhash

    from smttask import fingerprint

    def scanned() -> dict:
        raise AssertionError("every distribution was scanned")

    fingerprint._distribution_of.cache_clear()
    monkeypatch.setattr(fingerprint, "_distributions", scanned)
    assert fingerprint._classify(pydantic.Field) == "pydantic"
    assert fingerprint._classify(xxhash.xxh3_128) == "xxhash"
