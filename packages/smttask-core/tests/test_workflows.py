"""run_workflow / set_workflow_args: running a module as a parameterized script."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

from smttask.workflows import WorkflowError, WorkflowParameterWarning, run_workflow


def test_run_workflow_overrides_the_module_parameters(project: Any) -> None:
    wf = run_workflow("workflow_module", λ=2.0, n=5)
    assert (wf.λ, wf.n, wf.label) == (
        2.0,
        5,
        "default",
    )  # unspecified parameters keep their default
    assert wf.params.λ == 2.0 and wf.task.inputs["n"] == 5
    assert wf.task.run() == 2.0 * 5 + 0.5
    assert wf.runs_seen == "workflow" and sys.modules["workflow_module"] is wf


def test_each_run_returns_its_own_module(project: Any) -> None:
    """Regression: the original reloaded one module object, so every returned module showed the last run."""
    runs = [run_workflow("workflow_module", n=n) for n in (1, 2, 3)]
    assert [wf.n for wf in runs] == [1, 2, 3]
    assert len({wf.task.digest for wf in runs}) == 3
    assert [wf.task.run() for wf in runs] == [1.5, 2.5, 3.5]


def test_parameters_do_not_outlive_the_run(project: Any) -> None:
    """Regression: the original kept the parameters and applied them again on a later reload."""
    wf = run_workflow("workflow_module", n=7)
    assert wf.n == 7
    reloaded = importlib.reload(wf)
    assert reloaded.n == 3 and reloaded.exenv == "module"  # the defaults: not run as a workflow


def test_exenv_variable(project: Any) -> None:
    assert run_workflow("workflow_module", exenv="batch").exenv == "batch"
    assert run_workflow("workflow_module", exenv=None).exenv == "module"


def test_relative_module_name_with_package(project: Any) -> None:
    """Regression: the original stored a relative name's parameters where the module never looked."""
    wf = run_workflow(".sweep", package="workflow_pkg", scale=4)
    assert wf.result == 40 and wf.__name__ == "workflow_pkg.sweep"
    assert sys.modules["workflow_pkg"].sweep is wf


def test_a_module_that_ignores_its_parameters_is_an_error(project: Any) -> None:
    with pytest.raises(WorkflowError, match="never called set_workflow_args"):
        run_workflow("workflow_without_args", a=2)
    assert run_workflow("workflow_without_args").a == 1  # no parameters: nothing to apply


def test_unknown_parameters(project: Any) -> None:
    with pytest.warns(WorkflowParameterWarning, match="nmae"):
        wf = run_workflow("workflow_module", nmae="typo")
    assert wf.nmae == "typo"
    with pytest.raises(WorkflowError, match="'?c'?.*spelling"):
        run_workflow("workflow_strict", a=5, c=1)
    assert run_workflow("workflow_strict", a=5).total == 7


def test_missing_module_and_failing_module(project: Any) -> None:
    with pytest.raises(ModuleNotFoundError, match="no_such_workflow"):
        run_workflow("no_such_workflow")
    before = sys.modules.get("workflow_module")
    with pytest.raises(Exception, match="could not convert|valid number|invalid value"):
        run_workflow("workflow_module", λ="not a number")
    assert sys.modules.get("workflow_module") is before  # a failed run leaves the previous module


def test_set_workflow_args_is_inert_outside_run_workflow() -> None:
    from smttask.workflows import set_workflow_args

    namespace = {"a": 1}
    set_workflow_args("__main__", namespace)
    set_workflow_args("some_module", namespace)
    assert namespace == {"a": 1}


def test_workflows_reexports_the_original_names() -> None:
    from smttask import workflows

    for name in ("ParamColl", "expand", "SeedGenerator", "run_workflow", "set_workflow_args"):
        assert hasattr(workflows, name)
