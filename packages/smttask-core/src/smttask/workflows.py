"""Workflows: run a module as a parameterized script.

A *workflow module* defines its parameters as ordinary module-level globals,
then calls :func:`set_workflow_args` and builds tasks from them::

    # my_workflow.py
    from smttask.workflows import set_workflow_args

    a = 0        # parameters, with their default values
    b = 1.0
    set_workflow_args(__name__, globals())   # replaced here by run_workflow's arguments

    task = Analyze(a=a, b=b)

Another module (or a notebook) runs it with other values::

    from smttask.workflows import run_workflow

    workflows = [run_workflow("my_workflow", a=a) for a in (-1, 0, 1)]
    for wf in workflows:
        wf.task.run()          # or wf.task.save("taskdir") to run later

Imported or run as a script in the ordinary way, the module uses its defaults.

Differences from the original smttask 0.2:

- Each call executes the module in a **new module object** (also placed in
  ``sys.modules``). The original re-ran the module inside the same object
  (``importlib.reload``), so every module it had returned showed the values of
  the last run: ``[run_workflow(m, a=a) for a in ...]`` gave N references to one
  module.
- The parameters are forgotten once the module has run: a later ordinary
  import or ``importlib.reload`` uses the defaults (the original kept the last
  parameters and silently applied them again).
- A relative *module_name* with *package* finds its parameters (the original
  stored them under the relative name, which the module never saw).
- Parameters given to a module that never calls :func:`set_workflow_args`
  raise :class:`WorkflowError` instead of being ignored; a parameter the module
  does not define raises with ``existing_only=True`` and warns otherwise.
- Editing the workflow file between calls is allowed: each call runs the
  current source (the original refused, because it re-read sources to
  serialize functions; smttask 0.3 keys tasks by their inputs instead).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import warnings
from collections.abc import MutableMapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .errors import WorkflowError, WorkflowParameterWarning
from .params import ParamColl, expand
from .seeds import SeedGenerator

__all__ = [
    "ParamColl",
    "SeedGenerator",
    "WorkflowError",
    "WorkflowParameterWarning",
    "expand",
    "run_workflow",
    "set_workflow_args",
]


@dataclass
class _Run:
    parameters: dict[str, Any]
    exenv_var: str | None
    received: bool = False


class _Runs(threading.local):
    def __init__(self) -> None:
        self.by_module: dict[str, _Run] = {}


# Parameters of the workflows being run in this thread, by module name (another
# thread importing the same module meanwhile gets its defaults). The reentrant
# lock makes concurrent runs take turns swapping sys.modules, and lets a workflow
# run another one.
_runs = _Runs()
_lock = threading.RLock()


def run_workflow(
    module_name: str,
    package: str | None = None,
    exenv: str | None = "workflow",
    exenv_var: str | None = "exenv",
    **parameters: Any,
) -> ModuleType:
    """Run the module *module_name* as a script whose globals are replaced by *parameters*.

    The module must call ``set_workflow_args(__name__, globals())`` after
    defining its parameters' defaults. Returns the module, executed afresh:
    each call gives a new module object (also placed in ``sys.modules``), so
    modules returned by earlier calls keep their own values.

    Parameters
    ----------
    module_name:
        Name of the module (``"pkg.workflow"``), or a relative name
        (``".workflow"``) with *package*.
    package:
        The package a relative *module_name* is resolved against.
    exenv, exenv_var:
        The module also receives the global ``exenv_var = exenv`` (by default
        ``exenv = "workflow"``), so it can tell it runs as a workflow. ``None``
        for either disables this.
    **parameters:
        The values replacing the module's globals.
    """
    name = (
        importlib.util.resolve_name(module_name, package)
        if module_name.startswith(".")
        else module_name
    )
    inject = dict(parameters)
    if exenv is not None and exenv_var is not None:
        inject[exenv_var] = exenv
    with _lock:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError) as exc:
            raise ModuleNotFoundError(
                f"Cannot find the workflow module '{name}': {exc}", name=name
            ) from exc
        if spec is None:
            raise ModuleNotFoundError(
                f"No workflow module named '{name}'; is its directory on sys.path?", name=name
            )
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            raise WorkflowError(
                f"'{name}' is not a module that can be run as a workflow (a namespace package?)."
            )
        module = importlib.util.module_from_spec(spec)
        run = _Run(inject, exenv_var if exenv is not None else None)
        outer_run = _runs.by_module.get(name)
        previous = sys.modules.get(name)
        _runs.by_module[name] = run
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            if previous is not None:
                sys.modules[name] = previous
            else:
                sys.modules.pop(name, None)
            raise
        finally:
            if outer_run is not None:
                _runs.by_module[name] = outer_run
            else:
                _runs.by_module.pop(name, None)
        parent, _, child = name.rpartition(".")
        if parent and parent in sys.modules:
            setattr(sys.modules[parent], child, module)
    if parameters and not run.received:
        raise WorkflowError(
            f"Workflow module '{name}' never called set_workflow_args(__name__, globals()), so its "
            f"parameters {sorted(parameters)} were not applied. Call it after the parameters' defaults."
        )
    return module


def set_workflow_args(
    __name__: str,  # noqa: A002 - called as set_workflow_args(__name__, globals())
    globals: MutableMapping[str, Any],  # noqa: A002
    existing_only: bool = False,
) -> None:
    """Replace the calling module's parameters by those given to :func:`run_workflow`.

    Call it in a workflow module just after its parameters' default values::

        set_workflow_args(__name__, globals())

    It does nothing when the module is imported or run normally. With
    *existing_only*, every parameter must already be defined in the module
    (a misspelt one raises :class:`WorkflowError`); otherwise every parameter
    is set, and one the module does not define yet gives a
    :class:`WorkflowParameterWarning`.
    """
    if __name__ == "__main__":
        return
    run = _runs.by_module.get(__name__)
    if run is None:
        return
    unknown = [k for k in run.parameters if k not in globals and k != run.exenv_var]
    if unknown:
        message = (
            f"Workflow '{__name__}' does not define the parameter(s) {', '.join(sorted(unknown))} "
            "before calling set_workflow_args"
        )
        if existing_only:
            raise WorkflowError(f"{message}; check their spelling.")
        warnings.warn(f"{message}; they are set anyway.", WorkflowParameterWarning, stacklevel=2)
    for key, value in run.parameters.items():
        if not existing_only or key in globals or key == run.exenv_var:
            globals[key] = value
    run.received = True
