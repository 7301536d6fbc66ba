"""Run smttask task files through Snakemake (local cores, SLURM, clusters).

``smttask snakemake write`` / ``run`` turn task files into a Snakefile whose
jobs run ``smttask run``; :func:`target` and :func:`taskfile_rule` serve
hand-written Snakefiles; :func:`resources` gives a task type the resources its
jobs ask for. Importing this package is light: the names load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.3.0.dev0"

_EXPORTS = {
    "target": "helpers",
    "taskfile_rule": "helpers",
    "TaskRule": "helpers",
    "resources": "taskresources",
    "build_workflow": "workflow",
    "SnakemakeBridgeError": "errors",
    "ResourceError": "errors",
    "NoMarkerError": "errors",
    "UnusablePathError": "errors",
    "TaskFileLoadError": "errors",
}

__all__ = [
    "NoMarkerError",
    "ResourceError",
    "SnakemakeBridgeError",
    "TaskFileLoadError",
    "TaskRule",
    "UnusablePathError",
    "__version__",
    "build_workflow",
    "resources",
    "target",
    "taskfile_rule",
]

if TYPE_CHECKING:
    from .errors import (
        NoMarkerError,
        ResourceError,
        SnakemakeBridgeError,
        TaskFileLoadError,
        UnusablePathError,
    )
    from .helpers import TaskRule, target, taskfile_rule
    from .taskresources import resources
    from .workflow import build_workflow


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'smttask_snakemake' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
