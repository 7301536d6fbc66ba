"""Importing Sumatra: without paying for SciPy, and its classes by their public names.

Sumatra imports the NeuroTools ``parameters`` package, whose ``parameters.random``
imports ``scipy.stats`` when SciPy is installed: 1-2 seconds in every process
that writes a record, for probability distributions smttask never uses. So
``parameters`` is imported once with SciPy hidden (``parameters.random`` then
skips it, as on a machine without SciPy); SciPy stays importable as usual
afterwards. Call :func:`load_sumatra` before importing any ``sumatra`` module.
"""

from __future__ import annotations

import importlib
import sys
import threading

_lock = threading.Lock()
_HIDDEN = ("scipy", "scipy.stats")


def load_sumatra() -> None:
    """Import ``parameters`` (and so make Sumatra's imports cheap) once per process."""
    if "parameters" in sys.modules:
        return
    with _lock:
        if "parameters" in sys.modules:
            return
        hidden = [name for name in _HIDDEN if name not in sys.modules]
        if "scipy.stats" not in hidden:
            hidden = []  # SciPy's statistics are loaded already: nothing to save
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail fast
        try:
            importlib.import_module("parameters")
        finally:
            for name in hidden:
                if sys.modules.get(name, ...) is None:
                    del sys.modules[name]


def git_repository_class() -> type:
    """Sumatra's class for a git repository, as its own version-control registry lists it.

    Found through the public registry (``sumatra.versioncontrol``), not by the
    private module it lives in. Sumatra lists it only when its git bindings
    (GitPython) import: without them it is one :class:`~smttask_sumatra.errors.GitError` line.
    """
    load_sumatra()
    from sumatra.versioncontrol import Repository, get_registered_components

    from .errors import GitError

    found = get_registered_components(Repository).get("git")
    if found is None:
        raise GitError(
            "Sumatra cannot use git here: its git support did not load (GitPython is missing or broken). "
            "Install it with `pip install GitPython`."
        )
    return found
